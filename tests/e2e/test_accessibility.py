"""Accessibility basics, measured in the browser: axe-core's rules and names for every control in
both languages, visible focus, keyboard-only use of the calculator and the inbox, WCAG contrast in
both themes, phone layouts."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 375, "height": 740}
CONTROL_ROLES = {"button", "checkbox", "combobox", "listbox", "radio", "searchbox", "spinbutton", "textbox", "link"}

# WCAG 2.x relative luminance and contrast, with the text and background colours the browser
# computed. The background is found by compositing every translucent layer up to the first opaque
# one; an element's opacity (and its ancestors') fades its text towards that background.
CONTRAST_JS = """
(minimum) => {
  const parse = (value) => {
    const match = value.match(/rgba?\\(([^)]+)\\)/);
    if (!match) return null;
    const parts = match[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const background = (element) => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a > 0) { layers.push(colour); if (colour.a >= 1) break; }
    }
    let result = {r: 255, g: 255, b: 255, a: 1};
    for (let index = layers.length - 1; index >= 0; index--) result = over(layers[index], result);
    return result;
  };
  const luminance = (c) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const opacity = (element) => {
    let value = 1;
    for (let node = element; node; node = node.parentElement) value *= Number(getComputedStyle(node).opacity);
    return value;
  };
  const failures = [];
  for (const element of document.body.querySelectorAll("*")) {
    const ownText = Array.from(element.childNodes).some((node) => node.nodeType === 3 && node.textContent.trim());
    if (!ownText || element.closest(".visually-hidden, [hidden], .skip-link, script, style, option")) continue;
    if (element.closest(":disabled")) continue;  // WCAG exempts inactive controls
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    if (style.visibility !== "visible" || box.width === 0 || box.height === 0) continue;
    const back = background(element);
    const colour = parse(style.color);
    const text = over({...colour, a: colour.a * opacity(element)}, back);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const measured = ratio(text, back);
    if (measured < (large ? 3 : minimum)) {
      failures.push(`${measured.toFixed(2)}:1 <${element.tagName.toLowerCase()} class="${element.className}"> ` +
        `"${element.textContent.trim().slice(0, 40)}" ${style.color} on rgb(${Math.round(back.r)},${Math.round(back.g)},${Math.round(back.b)})`);
    }
  }
  return failures;
}
"""

# The ring drawn around the focused element, in each theme: present, at least 2px wide, and 3:1
# against the background it is drawn on (outline-offset puts it on the parent's background).
FOCUS_JS = """
(themes) => {
  const element = document.activeElement;
  if (!element || element === document.body) return [];
  const describe = `<${element.tagName.toLowerCase()}${element.id ? " #" + element.id : ""} class="${element.className}">` +
    ` "${(element.innerText || element.value || element.getAttribute("aria-label") || "").trim().slice(0, 30)}"`;
  const parse = (value) => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = (rgb) => {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const root = document.documentElement;
  const original = root.dataset.theme;
  const problems = [];
  for (const theme of themes) {
    root.dataset.theme = theme;
    const style = getComputedStyle(element);
    const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    if (!ring) {
      if (style.boxShadow === "none") problems.push(`${theme}: ${describe}: no focus indicator`);
      continue;
    }
    let behind = null;
    for (let node = element.parentElement; node && !behind; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (colour !== "rgba(0, 0, 0, 0)" && colour !== "transparent") behind = parse(colour);
    }
    const [light, dark] = [luminance(parse(style.outlineColor)), luminance(behind || [255, 255, 255])].sort((x, y) => y - x);
    const contrast = (light + 0.05) / (dark + 0.05);
    if (contrast < 3) problems.push(`${theme}: ${describe}: focus ring contrast ${contrast.toFixed(2)}:1`);
  }
  root.dataset.theme = original;
  return problems;
}
"""
THEMES = ["light", "dark"]
TAB_STOPS = 12
LANGUAGES = ["de", "en"]

# axe-core (the copy axe-playwright-python bundles) with all of its rules: none is switched off.
# A violation of impact "serious" or "critical" fails; "minor" and "moderate" ones (best practices
# such as every text inside a landmark) are reported by axe but left to judgement.
AXE = Axe()
AXE_OPTIONS = {"resultTypes": ["violations"]}
AXE_FAILING_IMPACTS = {"serious", "critical"}

# A live region that htmx replaces on a timer is a new element at every poll, which screen readers
# read out each time or never: what changes there is announced through #live-announcer (app.js).
POLLED_LIVE_REGIONS_JS = """() => {
  const live = "[aria-live], [role=status], [role=alert], [role=log]";
  return Array.from(document.querySelectorAll("[hx-trigger*='every']")).flatMap((polled) => {
    const regions = Array.from(polled.querySelectorAll(live));
    if ((polled.getAttribute("hx-swap") || "").startsWith("outerHTML") && polled.matches(live)) regions.unshift(polled);
    return regions.map((region) => `${location.pathname}: <${region.tagName.toLowerCase()} id="${region.id}"> ` +
      `is a live region that the poll of #${polled.id} replaces`);
  });
}"""

# Closed <details> hide their controls from the accessibility tree (and from axe).
OPEN_DETAILS_JS = "() => document.querySelectorAll('details').forEach((details) => { details.open = true; })"

# Mobile Chrome widens the layout viewport to fit content that overflows, so innerWidth alone
# would hide the problem: compare with the device width too.
PAGE_WIDTH_JS = "() => Math.max(document.scrollingElement.scrollWidth, window.innerWidth)"


def unnamed_controls(page) -> list[str]:
    """Controls whose accessible name (as Chromium computes it for screen readers) is empty."""
    session = page.context.new_cdp_session(page)
    nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    missing = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in CONTROL_ROLES or node.get("name", {}).get("value", "").strip():
            continue
        described = session.send("DOM.describeNode", {"backendNodeId": node["backendDOMNodeId"]})["node"]
        attributes = dict(zip(described["attributes"][::2], described["attributes"][1::2], strict=True))
        missing.append(f"{page.url}: {role} <{described['localName']} {attributes}>")
    session.detach()
    return missing


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per element."""
    violations = AXE.run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{page.url}: {violation['id']} ({violation['impact']}: {violation['help']}) at {node['target']}: {node['html'][:120]}"
        for violation in violations
        if violation["impact"] in AXE_FAILING_IMPACTS
        for node in violation["nodes"]
    ]


def ungrouped_radios(page) -> list[str]:
    """Radio buttons must sit in a named group (fieldset with legend, or a labelled radiogroup)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("input[type=radio]")).filter((radio) => {
             const fieldset = radio.closest("fieldset");
             if (fieldset && fieldset.querySelector("legend")?.textContent.trim()) return false;
             const group = radio.closest("[role=radiogroup]");
             return !(group && (group.getAttribute("aria-label") || group.getAttribute("aria-labelledby")));
           }).map((radio) => `${location.pathname}: radio ${radio.name}=${radio.value}`)"""
    )


@pytest.fixture
def screens(live_server, demo_agency, magic_link_url):
    """The main screens, by who sees them: (who, [(name, url, what must be visible before checking)])."""
    crisis = demo_agency["crisis"]
    base = live_server.url
    return {
        "public": [
            ("login", f"{base}/accounts/login/", "#id_login"),
            ("pricing", f"{base}/pricing/", "#breakdown .amount"),
            ("quote", f"{base}/pricing/q/{demo_agency['quote'].token}/", "#breakdown .amount"),
            ("magic link", magic_link_url(demo_agency["approval_link"]), "form textarea"),
        ],
        "agent": [("inbox", f"{base}/inbox/", "#reply-text")],
        "lead": [
            ("crisis board", f"{base}/crises/", ".crisis-board"),
            ("crisis page", f"{base}/crises/{crisis.pk}/", ".timeline"),
            ("on-call roster", f"{base}/crises/rota/", "table.rota"),
            ("reports", f"{base}/reports/", "#live table"),
            ("client report", f"{base}/reports/clients/{crisis.client_id}/", "main table"),
        ],
        "contact_user": [
            ("portal", f"{base}/portal/", "main h1"),
            ("portal crises", f"{base}/crises/portal/", "main h1"),
            ("portal crisis", f"{base}/crises/portal/{crisis.pk}/", "form textarea"),
            ("portal report", f"{base}/reports/portal/", "main table"),
        ],
    }


def open_screen(page, url: str, ready: str) -> None:
    page.goto(url)
    if url.endswith("/inbox/"):
        page.keyboard.press("n")  # the composer only exists for an item you hold
    expect(page.locator(ready).first).to_be_visible()


@pytest.fixture
def contexts(browser, browser_login, request):
    """One browser context per kind of visitor, logged in where needed (as a demo agency user)."""
    opened = {}

    def context_for(who: str, **options):
        context = browser.new_context(**options)
        if who != "public":
            browser_login(context, request.getfixturevalue("demo_agency")[who])
        opened.setdefault(who, []).append(context)
        return context

    yield context_for
    for contexts_of_one in opened.values():
        for context in contexts_of_one:
            context.close()


def test_the_main_screens_pass_axe_and_name_every_control_in_both_languages(contexts, screens):
    """The inbox is checked with an item claimed (the composer open), the crisis and portal pages with
    a draft awaiting approval, the calculator with a price: the screens as they are used. No live
    region sits where a poll replaces it."""
    problems = []
    for language in LANGUAGES:
        for who, pages in screens.items():
            page = contexts(who, locale=language).new_page()
            for _name, url, ready in pages:
                open_screen(page, url, ready)
                page.evaluate(OPEN_DETAILS_JS)
                problems += unnamed_controls(page) + ungrouped_radios(page) + axe_violations(page)
                problems += page.evaluate(POLLED_LIVE_REGIONS_JS)
    assert not problems, "\n".join(problems)


def test_text_contrast_and_keyboard_focus_on_the_main_screens_in_both_themes(contexts, screens):
    """WCAG AA: text 4.5:1 (large text 3:1); every keyboard stop shows a focus ring of 3:1."""
    problems = []
    for who, pages in screens.items():
        page = contexts(who).new_page()
        for name, url, ready in pages:
            open_screen(page, url, ready)
            for theme in THEMES:
                page.evaluate("(theme) => { document.documentElement.dataset.theme = theme; }", theme)
                problems += [f"{name} ({theme}): {failure}" for failure in page.evaluate(CONTRAST_JS, 4.5)]
            page.evaluate("() => document.activeElement.blur()")
            for _ in range(TAB_STOPS):
                page.keyboard.press("Tab")
                problems += [f"{name}: {problem}" for problem in page.evaluate(FOCUS_JS, THEMES)]
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_the_theme_toggle_switches_and_remembers_dark_mode(contexts, live_server):
    page = contexts("public", color_scheme="light").new_page()
    page.goto(f"{live_server.url}/pricing/")
    page.get_by_role("button", name="Switch light/dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 20, 26)"


def test_the_calculator_works_with_the_keyboard_alone(contexts, live_server):
    page = contexts("public").new_page()
    page.goto(f"{live_server.url}/pricing/")
    amount = page.locator("#breakdown .amount")
    expect(amount).to_contain_text("€")
    before = amount.inner_text()

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    first_cell = page.get_by_label("Monday 00:00–01:00")
    for _ in range(30):
        page.keyboard.press("Tab")
        if first_cell.evaluate("(cell) => cell === document.activeElement"):
            break
    expect(first_cell).to_be_focused()
    page.keyboard.press("Space")
    expect(first_cell).to_be_checked()
    expect(amount).not_to_have_text(before)
    expect(page.locator("#live-announcer")).to_have_text(f"{amount.inner_text()} per month, net")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Monday 01:00–02:00")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_label("Monday 01:00–02:00")).to_be_checked()

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Toggle all of Monday")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator('input.cell[data-day="0"]:checked')).to_have_count(24)


def test_an_agent_works_the_inbox_with_the_keyboard_alone(
    contexts, live_server, demo_agency, graph_api, ingest_comments
):
    """Shortcut help, j/k through the queue, claim, release, a canned response, the reply: after every
    swap the focus is on the open item's heading (never lost to <body>) and shows its ring, and
    screen readers hear what changed: the claim, and items arriving in the queue."""
    from communityops.models import Channel, Client
    from inbox.models import CannedResponse

    for client in Client.objects.all():
        CannedResponse.objects.create(client=client, title="Thanks", body="Hallo {author_name}, danke für den Hinweis!")
    page = contexts("agent").new_page()
    page.goto(f"{live_server.url}/inbox/")
    # As on a slow machine: htmx wires swapped content only when it settles, and a key pressed as soon
    # as the focus lands must find it wired ("c" used to post the claim form as a full page load).
    assert page.evaluate("htmx.config.defaultSettleDelay") == 0  # base.html: no window at all normally
    page.evaluate("htmx.config.defaultSettleDelay = 400")  # so: wait for the focus, as an agent waits for its ring
    heading = page.locator("#workspace h1")
    announcer = page.locator("#live-announcer")
    rows = page.locator("[data-queue-row]")

    def expect_focus_on(locator) -> None:
        expect(locator).to_be_focused()
        assert page.evaluate(FOCUS_JS, THEMES) == []

    def shortcuts_missing_from_the_help() -> set[str]:
        offered = page.eval_on_selector_all("[data-shortcut]", "elements => elements.map((e) => e.dataset.shortcut)")
        return set(offered) - set(page.locator("#shortcut-help kbd").all_text_contents())

    # The help is the second stop after the skip link: it opens with the focus in it, Esc gives it back.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=re.compile("^Claim next"))).to_be_focused()
    page.keyboard.press("Tab")
    toggle = page.get_by_role("button", name=re.compile("^Shortcuts"))
    expect_focus_on(toggle)
    page.keyboard.press("Enter")
    help_panel = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect_focus_on(help_panel)
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(help_panel).to_be_hidden()
    expect_focus_on(toggle)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("?")
    expect_focus_on(help_panel)
    page.keyboard.press("?")
    expect(help_panel).to_be_hidden()

    def expect_opened(row) -> None:
        expect(row).to_have_class(re.compile("selected"))
        item_number = row.locator("[data-item-link]").get_attribute("id").removeprefix("queue-item-")
        expect(heading).to_contain_text(f"#{item_number}")
        expect_focus_on(heading)

    page.keyboard.press("j")
    expect_opened(rows.nth(0))
    page.keyboard.press("j")
    expect_opened(rows.nth(1))
    page.keyboard.press("k")
    expect_opened(rows.nth(0))
    assert shortcuts_missing_from_the_help() == set()

    page.keyboard.press("c")
    expect(page.locator("#claim-status")).to_contain_text("You hold this item")
    expect_focus_on(heading)
    expect(announcer).to_have_text("You hold this item")
    assert shortcuts_missing_from_the_help() == set()
    page.keyboard.press("u")
    expect(page.locator("#claim-status")).to_contain_text("Nobody holds this item")
    expect_focus_on(heading)
    expect(announcer).to_have_text("Nobody holds this item")
    page.keyboard.press("c")
    expect(page.locator("#claim-status")).to_contain_text("You hold this item")
    expect_focus_on(heading)

    # The canned responses follow the reply field and its two buttons.
    page.keyboard.press("r")
    reply = page.locator("#reply-text")
    expect(reply).to_be_focused()
    for _ in range(3):
        page.keyboard.press("Tab")
    expect_focus_on(page.get_by_role("button", name="Thanks"))
    page.keyboard.press("Enter")
    expect(reply).to_be_focused()
    expect(reply).to_have_value(re.compile(r"^Hallo .+, danke für den Hinweis!$"))
    page.keyboard.press("Control+Enter")
    expect(page.locator("#claim-status")).to_contain_text("Answered")
    expect_focus_on(heading)
    assert len(graph_api.app.replies) == 1 and graph_api.app.replies[0]["message"].startswith("Hallo ")

    # Enter on a row reached with Shift+Tab (the queue comes before the item) opens it and goes to it.
    page.keyboard.press("Shift+Tab")
    last_row = rows.last.locator("[data-item-link]")
    expect(last_row).to_be_focused()
    page.keyboard.press("Enter")
    expect_opened(rows.last)

    channel = Channel.objects.filter(client=demo_agency["crisis"].client).order_by("pk").first()
    ingest_comments(channel, [("Nora Petersen", "Gibt es das Winterbier auch in Flaschen?")], thread="late")
    expect(announcer).to_have_text("New items have arrived in the queue.", timeout=10_000)


def test_the_portal_calculator_approval_and_crisis_pages_fit_a_phone_without_sideways_scrolling(contexts, screens):
    too_wide = []
    for who in ("public", "contact_user", "lead"):
        page = contexts(who, viewport=PHONE, is_mobile=True, has_touch=True).new_page()
        for name, url, ready in screens[who]:
            open_screen(page, url, ready)
            width = page.evaluate(PAGE_WIDTH_JS)
            if width > PHONE["width"]:
                too_wide.append(f"{name}: {width}px wide on a {PHONE['width']}px phone")
    assert not too_wide, "\n".join(too_wide)


@pytest.mark.parametrize("language", ["de", "en"])
def test_on_a_phone_the_header_is_two_short_rows_with_the_menu_in_one(contexts, live_server, language):
    page = contexts("agent", viewport=PHONE, is_mobile=True, has_touch=True, locale=language).new_page()
    page.goto(f"{live_server.url}/inbox/")
    links = page.locator(".mainnav a")
    expect(links.first).to_be_visible()

    header = page.locator("header.topbar").bounding_box()
    link_tops = {round(box["y"]) for box in (links.nth(index).bounding_box() for index in range(links.count()))}
    links.last.scroll_into_view_if_needed()  # the menu scrolls sideways, not the page

    assert header["height"] <= 80  # was 170 px: brand, three rows of menu and tools
    assert len(link_tops) == 1
    assert page.locator(".queue-toolbar").bounding_box()["y"] <= header["height"] + 20
    expect(links.last).to_be_in_viewport()
    assert page.evaluate(PAGE_WIDTH_JS) <= PHONE["width"]


def test_on_a_laptop_the_header_stays_one_row_with_the_name(contexts, live_server):
    page = contexts("agent", viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"{live_server.url}/inbox/")

    expect(page.locator(".whoami")).to_be_visible()
    assert page.locator("header.topbar").bounding_box()["height"] <= 60


def test_on_a_phone_the_queue_shows_items_and_an_opened_one_comes_first(contexts, live_server):
    page = contexts("agent", viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{live_server.url}/inbox/")
    first_row = page.locator("[data-queue-row]").first
    expect(first_row).to_be_visible()
    first_row.scroll_into_view_if_needed()  # the page scrolls, not a pane inside it
    assert first_row.evaluate("row => row.getBoundingClientRect().bottom <= window.innerHeight")

    page.keyboard.press("n")
    expect(page.locator("#reply-text")).to_be_attached()

    assert page.locator(".conversation-pane").evaluate("pane => pane.getBoundingClientRect().top") < page.locator(
        ".queue-pane"
    ).evaluate("pane => pane.getBoundingClientRect().top")


@pytest.mark.parametrize("language", ["de", "en"])
def test_on_a_phone_the_roster_keeps_its_buttons_and_words_whole(contexts, live_server, language):
    """The roster's buttons broke one letter a line ("J/e/t/z/t b/e/e/n/d/e/n") and its last column
    ran out of the card: the table now scrolls sideways inside its card, and only there."""
    page = contexts("lead", viewport=PHONE, is_mobile=True, has_touch=True, locale=language).new_page()
    page.goto(f"{live_server.url}/crises/rota/")
    end_now = page.locator("table.rota tr.running button")
    expect(end_now).to_be_visible()

    # The lines each button's text and each shift kind ("Abend", "Wochenende") takes.
    lines = page.evaluate(
        """() => [...document.querySelectorAll('table.rota button, table.rota td:nth-child(4)')].map((element) => {
             const range = document.createRange();
             range.selectNodeContents(element);
             const tops = new Set([...range.getClientRects()].filter((box) => box.width > 0).map((box) => Math.round(box.top)));
             return [element.textContent.trim(), tops.size];
           })"""
    )
    assert lines and all(count == 1 for _text, count in lines), lines
    assert page.evaluate(PAGE_WIDTH_JS) <= PHONE["width"]
    end_now.scroll_into_view_if_needed()
    expect(end_now).to_be_in_viewport()


def test_on_a_phone_the_item_header_leads_to_the_answer_below_the_timeline(contexts, live_server):
    page = contexts("agent", viewport=PHONE, is_mobile=True, has_touch=True, locale="de").new_page()
    page.goto(f"{live_server.url}/inbox/")
    page.keyboard.press("n")
    expect(page.locator("#reply-text")).to_be_attached()
    jump = page.locator(".jump-to-answer")
    expect(jump).to_be_visible()
    expect(page.locator("#answer")).not_to_be_in_viewport()  # two screens down: author, timeline, notes

    jump.click()

    expect(page.locator("#answer")).to_be_in_viewport()
