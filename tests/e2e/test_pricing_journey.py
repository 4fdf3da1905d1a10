"""Journey 4: a prospect prices weekday evenings and weekends in Bavaria, saves the quote and shares it."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from billing.forms import CalculatorForm, default_calculator_data
from billing.models import Quote
from billing.services import quote_create

pytestmark = pytest.mark.django_db(transaction=True)

EVENINGS = "Evenings Mon–Fri 17–22"
WEEKENDS = "Weekends"


def test_a_prospect_builds_a_coverage_pattern_saves_the_quote_and_shares_it(browser, live_server):
    prospect_context = browser.new_context()
    page = prospect_context.new_page()
    page.goto(f"{live_server.url}/pricing/")
    amount = page.locator("#breakdown .amount")
    expect(amount).to_have_text(re.compile(r"€"))

    # Start from nothing: the price gives way to a clear hint.
    page.get_by_role("button", name="Clear all").click()
    expect(page.locator("#breakdown")).to_contain_text("Choose at least one hour")
    expect(page.locator("input.cell:checked")).to_have_count(0)

    # Weekday evenings first, then the weekends on top: the price follows each step.
    page.get_by_role("button", name=EVENINGS).click()
    expect(amount).to_be_visible()
    evenings_only = amount.inner_text()
    page.get_by_role("button", name=WEEKENDS).click()
    expect(amount).not_to_have_text(evenings_only)
    expect(page.locator("input.cell:checked")).to_have_count(5 * 5 + 2 * 24)
    expect(page.get_by_label("Saturday 03:00–04:00")).to_be_checked()
    expect(page.get_by_label("Wednesday 12:00–13:00")).not_to_be_checked()

    page.get_by_label("Federal state (for public holidays)").select_option(label="Bavaria")
    page.get_by_label("Public holidays covered").check()
    expect(page.get_by_role("cell", name="Sunday, day")).to_be_visible()
    expect(page.get_by_role("cell", name="Weekday, night (20–06)")).to_be_visible()
    price = amount.inner_text()
    assert price != evenings_only

    # A required field left empty: the price shown is marked as no longer matching, and Enter in
    # a field recalculates rather than saving a quote.
    channels = page.get_by_label("Channels")
    chosen = channels.input_value()
    channels.fill("")
    channels.dispatch_event("change")
    expect(page.locator("#breakdown")).to_have_class(re.compile(r"\bstale\b"))
    channels.fill(chosen)
    channels.press("Enter")
    expect(page).to_have_url(re.compile(r"/pricing/$"))
    expect(amount).to_have_text(price)
    assert not Quote.objects.exists()

    page.get_by_label("Your name (optional)").fill("Café Kranich")
    page.get_by_role("button", name="Save quote").click()
    expect(page).to_have_url(re.compile(r"/pricing/q/[^/]+/$"))
    share_url = page.url
    quote = Quote.objects.get()
    assert quote.name == "Café Kranich"
    assert quote.pricing_input["federal_state"] == "BY"

    # Someone else opens the shared link: same coverage, same price.
    colleague_context = browser.new_context()
    colleague = colleague_context.new_page()
    colleague.goto(share_url)
    expect(colleague.get_by_role("heading", name="Quote for community management")).to_be_visible()
    expect(colleague.get_by_text("For Café Kranich")).to_be_visible()
    expect(colleague.locator(".facts")).to_contain_text(re.compile("Bavaria|Bayern"))
    expect(colleague.locator(".facts")).to_contain_text("73")
    expect(colleague.locator("#breakdown .amount")).to_have_text(price)
    colleague_context.close()
    prospect_context.close()


def test_a_price_arriving_after_a_field_was_emptied_stays_marked_as_not_matching(browser, live_server):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/pricing/")
    amount = page.locator("#breakdown .amount")
    expect(amount).to_have_text(re.compile(r"€"))
    held = []
    page.route("**/pricing/preview/", lambda route: held.append(route))

    page.get_by_role("button", name=WEEKENDS).click()  # a price is asked for, and held on its way
    page.wait_for_timeout(200)
    assert len(held) == 1
    channels = page.get_by_label("Channels")
    channels.fill("")
    channels.dispatch_event("change")  # htmx queues it behind the held request
    held[0].continue_()

    # The late price replaces the breakdown; the form still lacks its channels, so it stays marked.
    expect(page.get_by_role("cell", name="Sunday, day")).to_be_visible()
    page.wait_for_timeout(300)  # past htmx's settling of the swapped breakdown
    expect(page.locator("#breakdown")).to_have_class(re.compile(r"\bstale\b"))


def test_an_unfinished_email_neither_stops_the_price_nor_is_saved(browser, live_server):
    page = browser.new_context().new_page()
    page.goto(f"{live_server.url}/pricing/")
    amount = page.locator("#breakdown .amount")
    expect(amount).to_have_text(re.compile(r"€"))
    evenings_and_weekends = amount.inner_text()
    email = page.get_by_label("Your email (optional)")
    email.fill("inhaber@")

    # The price follows the coverage, the email is no pricing input.
    with page.expect_response("**/pricing/preview/"):
        page.get_by_role("button", name="Office hours Mon–Fri 9–17").click()
    expect(amount).not_to_have_text(evenings_and_weekends)
    expect(page.locator("#breakdown")).not_to_have_class(re.compile(r"\bstale\b"))
    with_office_hours = amount.inner_text()

    # Enter in a pricing field recalculates the page (no JavaScript needed) and keeps the email.
    page.get_by_label("Channels").press("Enter")
    expect(page).to_have_url(re.compile(r"/pricing/$"))
    expect(amount).to_have_text(with_office_hours)
    expect(email).to_have_value("inhaber@")

    # Saving is what checks the address.
    page.get_by_role("button", name="Save quote").click()
    expect(email).to_be_focused()
    assert not Quote.objects.exists()


def test_only_the_save_button_saves_a_quote_and_one_click_saves_one(browser, live_server):
    # htmx sends a form's request to the formaction of the submit button clicked last; a save the
    # browser's validation stopped must not turn every later change into a saved quote.
    page = browser.new_context().new_page()
    quote_posts = []
    page.on("request", lambda request: quote_posts.append(request) if "/pricing/quotes/" in request.url else None)
    page.goto(f"{live_server.url}/pricing/")
    expect(page.locator("#breakdown .amount")).to_have_text(re.compile(r"€"))
    email = page.get_by_label("Your email (optional)")
    email.fill("bad")
    page.get_by_role("button", name="Save quote").click()
    expect(email).to_be_focused()  # the browser's validation stopped the save

    email.fill("inhaber@kranich.example")
    channels = page.get_by_label("Channels")
    for _change in range(3):
        with page.expect_response(lambda response: response.request.method == "POST") as answered:
            channels.press("ArrowUp")
            channels.dispatch_event("change")
        assert answered.value.url.endswith("/pricing/preview/")
    expect(page.locator("#breakdown .amount")).to_be_visible()
    assert quote_posts == []
    assert not Quote.objects.exists()

    page.get_by_role("button", name="Save quote").click()
    expect(page).to_have_url(re.compile(r"/pricing/q/[^/]+/$"))
    assert [request.headers.get("hx-request") for request in quote_posts] == [None]
    quote = Quote.objects.get()
    assert (quote.email, quote.pricing_input["channels"]) == ("inhaber@kranich.example", 6)


def _saved_default_quote() -> Quote:
    """The quote a first-time visitor saves without changing anything."""
    form = CalculatorForm(data=default_calculator_data())
    assert form.is_valid(), form.errors
    return quote_create(pricing_input=form.pricing_input(today=timezone.localdate()), name="Café Kranich")


def test_the_price_does_not_cover_the_request_form_on_a_laptop_screen(browser, live_server):
    # The quote page shows the price with every month; taller than the window, a sticky price
    # panel would slide over the request form below it and take its clicks.
    quote = _saved_default_quote()
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(f"{live_server.url}/pricing/q/{quote.token}/")
    expect(page.locator("#breakdown")).to_be_visible()
    assert page.locator("#breakdown").bounding_box()["height"] > 900

    request_button = page.get_by_role("button", name="Request this quote")
    request_button.scroll_into_view_if_needed()

    assert request_button.evaluate(
        """button => {
          const box = button.getBoundingClientRect();
          return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === button;
        }"""
    )


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_price_tables_are_not_cut_off_on_a_laptop_screen(browser, live_server, language):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale=language).new_page()
    page.goto(f"{live_server.url}/pricing/")
    page.locator("details.months").evaluate("details => { details.open = true; }")
    expect(page.locator("#breakdown .amount")).to_contain_text("€")

    cut_off = page.locator("#breakdown .scroll").evaluate_all(
        "boxes => boxes.filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.scrollWidth + ' > ' + box.clientWidth)"
    )

    assert cut_off == []


# The words of the given cells that the browser broke across two lines (a word's range has two
# boxes), other than at a soft hyphen: "Agenten&shy;stunden" may read "Agenten-" over "stunden".
# The hyphen drawn at a soft hyphen's line end is a box of the word after it as well: left out.
BROKEN_WORDS = """cells => cells.flatMap(cell => {
  const text = Array.from(cell.childNodes).find(node => node.nodeType === Node.TEXT_NODE && node.data.trim());
  if (!text) return [];
  const boxes = (start, end) => {
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, end);
    return Array.from(range.getClientRects()).filter(box => box.width > 0).map(box => box.left + ',' + box.top);
  };
  return Array.from(text.data.matchAll(/[^\\s\\u00ad]+/g)).filter(match => {
    const hyphen = text.data[match.index - 1] === '\\u00ad' ? boxes(match.index - 1, match.index) : [];
    return boxes(match.index, match.index + match[0].length).filter(box => !hyphen.includes(box)).length > 1;
  }).map(match => match[0]);
})"""


@pytest.mark.parametrize("language", ["de", "en"])
def test_no_amount_of_the_price_breaks_across_lines_on_a_phone(browser, live_server, language):
    """The phone showed the hours' total as "380" over "1" (app.css lets narrow tables break anywhere)."""
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale=language).new_page()
    page.goto(f"{live_server.url}/pricing/")
    page.locator("details.months").evaluate("details => { details.open = true; }")
    expect(page.locator("#breakdown .amount")).to_contain_text("€")

    broken = page.locator("#breakdown .table td.num, #breakdown .table tfoot th.num").evaluate_all(BROKEN_WORDS)

    assert broken == []


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("language", ["de", "en"])
def test_no_heading_of_the_price_tables_breaks_inside_a_word(browser, live_server, language, width):
    """At 1366 px the German month table read "Stund" over "en": its headings broke anywhere."""
    page = browser.new_context(viewport={"width": width, "height": 768}, locale=language).new_page()
    page.goto(f"{live_server.url}/pricing/")
    page.locator("details.months").evaluate("details => { details.open = true; }")
    expect(page.locator("#breakdown .amount")).to_contain_text("€")

    broken = page.locator("#breakdown .table thead th").evaluate_all(BROKEN_WORDS)

    assert broken == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_on_a_phone_the_month_stays_in_view_when_the_months_scroll_sideways(browser, live_server):
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="de").new_page()
    page.goto(f"{live_server.url}/pricing/")
    page.locator("details.months").evaluate("details => { details.open = true; }")
    months = page.locator("details.months .scroll")
    months.scroll_into_view_if_needed()

    months.evaluate("box => { box.scrollLeft = box.scrollWidth; }")

    assert months.evaluate("box => box.scrollLeft > 0")  # seven columns are wider than a phone
    assert months.evaluate(
        """box => {
          const row = box.querySelector('tbody tr'), left = box.getBoundingClientRect().left;
          const seen = document.elementFromPoint(left + 5, row.getBoundingClientRect().top + 5);
          return row.cells[0].contains(seen);
        }"""
    )
