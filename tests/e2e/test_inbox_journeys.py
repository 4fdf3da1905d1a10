"""Journeys 1 and 2: two agents on one queue, a lease that runs out, a shift lead taking over."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communityops.models import Channel, User
from inbox.models import AgentPresence, CannedResponse, Item, OutboundAction
from inbox.services.claims import item_claim

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def night_shift(client_factory, channel_factory, agent_for, ingest_comments):
    """One client with a Facebook page, three waiting comments, two agents of the same team."""
    client = client_factory(name="Brauhaus Isartal GmbH")
    channel = channel_factory(client=client)
    agent_a = agent_for(client, first_name="Anna")
    agent_b = agent_for(client, first_name="Ben")
    CannedResponse.objects.create(
        client=client, title="Danke", body="Hallo {author_name}, danke für dein Feedback! Viele Grüße von {client_name}"
    )
    items = ingest_comments(
        channel,
        [
            ("Lena", "Wann gibt es das Winterbier wieder?"),
            ("Tom", "Super Fest gestern!"),
            ("Mia", "Lieferung fehlt."),
        ],
    )
    return {"client": client, "channel": channel, "agent_a": agent_a, "agent_b": agent_b, "items": items}


def _claimed_next_by(browser, browser_login, live_server, agent):
    """A browser of `agent` on the inbox, holding the item "n" (claim next) gave them."""
    context = browser.new_context()
    browser_login(context, agent)
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")
    page.keyboard.press("n")
    expect(page.locator("#claim-status").get_by_text(re.compile("You hold this item|Sie bearbeiten"))).to_be_visible()
    return context, page


def test_two_agents_never_answer_the_same_item(browser, live_server, browser_login, night_shift, graph_api, screenshot):
    context_a, context_b = browser.new_context(), browser.new_context()
    browser_login(context_a, night_shift["agent_a"])
    browser_login(context_b, night_shift["agent_b"])
    page_a, page_b = context_a.new_page(), context_b.new_page()

    page_a.goto(f"{live_server.url}/inbox/")
    page_a.keyboard.press("n")
    expect(page_a.locator("#claim-status").get_by_text(re.compile("You hold this item|Sie bearbeiten"))).to_be_visible()
    claimed_id = int(re.search(r"/items/(\d+)/", page_a.url)[1])

    page_b.goto(f"{live_server.url}/inbox/items/{claimed_id}/")
    expect(page_b.locator("#claim-status")).to_contain_text("Anna")
    expect(page_b.locator("#reply-text")).to_have_count(0)

    page_a.get_by_role("button", name="Danke").click()
    expect(page_a.locator("#reply-text")).to_have_value(re.compile("Hallo .+, danke für dein Feedback"))
    screenshot(page_a, "inbox-composer")
    page_a.locator("#reply-text").press("Control+Enter")

    expect(page_a.locator("#claim-status")).to_contain_text(re.compile("Answered|Beantwortet"))
    expect(page_b.locator("#claim-status")).to_contain_text(re.compile("Answered|Beantwortet"), timeout=10_000)
    assert len(graph_api.app.replies) == 1
    assert graph_api.app.replies[0]["message"].startswith("Hallo ")

    page_b.goto(f"{live_server.url}/inbox/")
    page_b.keyboard.press("n")
    expect(page_b.locator("#claim-status").get_by_text(re.compile("You hold this item|Sie bearbeiten"))).to_be_visible()
    assert int(re.search(r"/items/(\d+)/", page_b.url)[1]) != claimed_id
    context_a.close()
    context_b.close()


def test_an_expired_lease_frees_the_item_and_a_shift_lead_can_take_over(
    browser, live_server, browser_login, night_shift, user_factory, settings
):
    settings.INBOX_LEASE_SECONDS = 2
    lead = user_factory(role=User.Role.SHIFT_LEAD, first_name="Sam")
    context_a, context_b, context_lead = browser.new_context(), browser.new_context(), browser.new_context()
    browser_login(context_a, night_shift["agent_a"])
    browser_login(context_b, night_shift["agent_b"])
    browser_login(context_lead, lead)
    page_a, page_b, page_lead = context_a.new_page(), context_b.new_page(), context_lead.new_page()

    page_a.goto(f"{live_server.url}/inbox/")
    page_a.keyboard.press("n")
    expect(page_a).to_have_url(re.compile(r"/items/\d+/"))
    item_id = int(re.search(r"/items/(\d+)/", page_a.url)[1])
    context_a.close()  # Anna's laptop goes to sleep: no more heartbeats

    page_b.goto(f"{live_server.url}/inbox/items/{item_id}/")
    claim_button = page_b.get_by_role("button", name=re.compile("Claim this item|Beitrag übernehmen"))
    expect(claim_button).to_be_visible(timeout=10_000)
    claim_button.click()
    expect(page_b.locator("#claim-status").get_by_text(re.compile("You hold this item|Sie bearbeiten"))).to_be_visible()

    settings.INBOX_LEASE_SECONDS = 300
    page_b.reload()
    page_lead.goto(f"{live_server.url}/inbox/items/{item_id}/")
    page_lead.get_by_label(re.compile("Reason for taking over|Grund")).fill("Ben ist in der Pause")
    page_lead.get_by_role("button", name=re.compile("Take over|Trotzdem übernehmen")).click()

    expect(
        page_lead.locator("#claim-status").get_by_text(re.compile("You hold this item|Sie bearbeiten"))
    ).to_be_visible()
    expect(page_b.locator("#claim-status")).to_contain_text("Sam", timeout=10_000)
    context_b.close()
    context_lead.close()


def test_a_shift_lead_releases_a_colleagues_claim_and_the_colleague_keeps_the_reply_as_a_draft(
    browser, live_server, browser_login, night_shift, user_factory
):
    lead = user_factory(role=User.Role.SHIFT_LEAD, first_name="Sam")
    context_a, page_a = _claimed_next_by(browser, browser_login, live_server, night_shift["agent_a"])
    item_id = int(re.search(r"/items/(\d+)/", page_a.url)[1])
    page_a.locator("#reply-text").fill("Hallo Lena, das Winterbier kommt im")
    context_lead = browser.new_context()
    browser_login(context_lead, lead)
    page_lead = context_lead.new_page()
    page_lead.goto(f"{live_server.url}/inbox/items/{item_id}/")
    asked = []
    page_lead.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))

    page_lead.get_by_role("button", name=re.compile("Release Anna|Übernahme durch Anna")).click()

    expect(page_lead.locator("#workspace")).to_contain_text(re.compile("Anna.*(released|aufgehoben)"))
    assert "Anna" in asked[0]
    expect(page_lead.locator("#claim-status")).to_contain_text(re.compile("Nobody holds|Niemand bearbeitet"))
    expect(page_a.locator("#composer")).to_have_attribute("data-claim-state", "free", timeout=10_000)
    expect(page_a.locator("[data-unsent-draft] textarea")).to_have_value("Hallo Lena, das Winterbier kommt im")
    expect(page_a.locator("#reply-text")).to_have_count(0)
    context_a.close()
    context_lead.close()


def test_a_long_queue_loads_more_by_keyboard_and_keeps_it_through_the_live_refresh(
    browser, live_server, browser_login, night_shift, ingest_comments
):
    ingest_comments(night_shift["channel"], [(f"Fan {number}", f"Frage Nummer {number}") for number in range(60)])
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")
    rows = page.locator("[data-queue-row]")
    expect(rows).to_have_count(25)

    rows.last.locator("[data-item-link]").click()
    expect(rows.last).to_have_class(re.compile("selected"))
    page.keyboard.press("j")  # past the last row: the next page comes
    expect(rows).to_have_count(50)
    page.locator(".load-more-row button").focus()
    page.keyboard.press("Enter")  # the focus goes on to the first row it brought, not back to <body>
    expect(rows.nth(50).locator("[data-item-link]")).to_be_focused()
    expect(page.locator(".load-more-row")).to_have_count(0)
    loaded = rows.count()
    assert loaded > 25
    with page.expect_response(lambda response: f"rows={loaded}" in response.url, timeout=10_000):
        pass  # the 5-second live refresh asks for every loaded row
    expect(rows).to_have_count(loaded)
    context.close()


def test_load_more_after_a_deploy_shows_the_queue_from_the_top_with_a_note(
    browser, live_server, browser_login, night_shift, ingest_comments
):
    # The page was loaded before a deploy changed the cursors: its "Load more" sends one the server
    # no longer reads (here the one of before the queue sorted by priority, "time|id").
    ingest_comments(night_shift["channel"], [(f"Fan {number}", f"Frage Nummer {number}") for number in range(30)])
    context = browser.new_context(locale="en-US")
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.route(
        re.compile(r".*/inbox/queue/.*cursor=.*"),
        lambda route: route.continue_(url=re.sub(r"cursor=[^&]*", "cursor=MjAyNnwx", route.request.url)),
    )
    page.goto(f"{live_server.url}/inbox/")
    rows = page.locator("[data-queue-row]")
    expect(rows).to_have_count(25)

    page.get_by_role("button", name="Load more").click()

    expect(page.locator(".queue-restarted")).to_contain_text("it starts again from the top")
    expect(rows).to_have_count(25)
    expect(page.locator(".queue-list")).to_have_count(1)  # the list replaced, not a list inside the list
    expect(page.get_by_role("button", name="Load more")).to_be_visible()
    context.close()


def test_a_shift_lead_erases_a_commenters_data_on_request(
    browser, live_server, browser_login, night_shift, user_factory, screenshot
):
    lead = user_factory(role=User.Role.SHIFT_LEAD, first_name="Sam")
    context = browser.new_context()
    browser_login(context, lead)
    page = context.new_page()
    lena = next(item for item in night_shift["items"] if item.text.startswith("Wann gibt es"))

    page.goto(f"{live_server.url}/inbox/items/{lena.pk}/")
    page.get_by_text(re.compile(r"Erase personal data \(GDPR Art. 17\)|Personenbezogene Daten löschen")).click()
    page.get_by_label(re.compile("Where the request is documented|Wo die Anfrage dokumentiert ist")).fill("Ticket 4711")
    page.get_by_label(re.compile("I understand that this cannot be undone|Mir ist klar")).check()
    page.get_by_role("button", name=re.compile("Erase the author's data|Daten der Person löschen")).click()

    expect(
        page.get_by_text(
            re.compile(r"\(Text erased at the author's request\.\)|\(Text auf Wunsch der Person gelöscht\.\)")
        )
    ).to_be_visible()
    expect(page.locator(".author-card h2")).to_contain_text(re.compile("Erased author|Gelöschte Person"))
    expect(page.get_by_text("Wann gibt es das Winterbier wieder?")).to_have_count(0)
    expect(page.get_by_label(re.compile("Add an internal note|Interne Notiz"))).to_have_count(0)  # a tombstone
    screenshot(page, "inbox-erased")
    context.close()


def test_an_open_composer_keeps_the_lease_alive(browser, live_server, browser_login, night_shift, settings):
    # The heartbeat sat inside the claim status, which is replaced every 4 s: its timer restarted
    # each time and never fired, so the lease ran out under an agent who was still typing.
    settings.INBOX_LEASE_SECONDS = 3  # a heartbeat every second
    context, page = _claimed_next_by(browser, browser_login, live_server, night_shift["agent_a"])
    item_id = int(re.search(r"/items/(\d+)/", page.url)[1])

    # Outside what the 4 s poll replaces (with the lease's real 100 s interval it would never fire).
    expect(page.locator("[data-heartbeat]")).to_have_count(1)
    expect(page.locator("#claim-status [data-heartbeat]")).to_have_count(0)
    page.wait_for_timeout(7_000)  # more than two leases

    expect(page.locator("#reply-text")).to_be_visible()
    item = Item.objects.get(pk=item_id)
    assert item.claimed_by == night_shift["agent_a"] and item.lease_expires_at > timezone.now()
    context.close()


def test_claim_next_takes_the_client_chosen_in_the_filter(
    browser, live_server, browser_login, night_shift, client_factory, channel_factory, team_factory, ingest_comments
):
    # The shortcut n used the filters the page was loaded with, not those chosen since.
    other = client_factory(name="Rheinmode KG")
    team_factory(members=[night_shift["agent_a"]], clients=[other])
    [kevin] = ingest_comments(channel_factory(client=other), [("Kevin", "Wo bleibt meine Retoure?")], minutes_ago=1)
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")

    page.get_by_label(re.compile("^(Client|Kunde)")).select_option(label="Rheinmode KG")
    expect(page.locator("#queue-list")).not_to_contain_text("Winterbier")
    page.locator("body").press("n")

    expect(page).to_have_url(re.compile(rf"/items/{kevin.pk}/\?client={other.pk}$"))
    expect(page.get_by_label(re.compile("^(Client|Kunde)"))).to_have_value(str(other.pk))
    context.close()


def test_the_live_refresh_keeps_the_keyboard_focus_on_its_row(browser, live_server, browser_login, night_shift):
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")
    second = page.locator("[data-queue-row] [data-item-link]").nth(1)
    second.focus()
    focused_id = second.get_attribute("id")

    with page.expect_response(lambda response: "/inbox/queue/" in response.url, timeout=10_000):
        pass  # the 5-second live refresh replaces the rows
    page.wait_for_timeout(200)  # the swap settles

    assert page.evaluate("document.activeElement.id") == focused_id
    context.close()


def test_closing_an_item_with_a_written_reply_asks_first(browser, live_server, browser_login, night_shift):
    context, page = _claimed_next_by(browser, browser_login, live_server, night_shift["agent_a"])
    item_id = int(re.search(r"/items/(\d+)/", page.url)[1])
    page.locator("#reply-text").fill("Danke, wir kümmern uns.")
    page.locator("#reply-text").press("Escape")
    page.locator("body").focus()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))

    page.keyboard.press("x")
    page.wait_for_timeout(500)

    assert len(asked) == 1
    assert Item.objects.get(pk=item_id).status == Item.Status.CLAIMED
    context.close()


def test_a_reply_that_never_reached_the_server_says_so_and_keeps_the_text(
    browser, live_server, browser_login, night_shift, graph_api
):
    context, page = _claimed_next_by(browser, browser_login, live_server, night_shift["agent_a"])
    page.route("**/reply/", lambda route: route.abort("connectionrefused"))  # the server restarts
    page.locator("#reply-text").fill("Danke, wir kümmern uns.")

    page.locator("#reply-text").press("Control+Enter")

    expect(
        page.get_by_role("alert").filter(
            has_text=re.compile("nothing was saved or sent|nichts gespeichert oder gesendet")
        )
    ).to_be_visible()
    expect(page.locator("#reply-text")).to_have_value("Danke, wir kümmern uns.")
    assert not OutboundAction.objects.exists()
    page.unroute("**/reply/")

    page.locator("#reply-text").press("Control+Enter")  # the server is back: sent, and the notice goes

    expect(page.locator("#request-failed")).to_be_hidden()
    expect(page.locator("#composer")).to_have_attribute("data-claim-state", "closed")
    assert OutboundAction.objects.count() == 1
    context.close()


def test_a_half_written_note_survives_a_colleague_claiming_the_item(browser, live_server, browser_login, night_shift):
    item = night_shift["items"][0]
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/items/{item.pk}/")
    page.locator("#note-text").fill("Kunde hat schon angerufen, Rückruf")

    item_claim(acting_user=night_shift["agent_b"], item_id=item.pk)

    expect(page.locator("#claim-status")).to_contain_text("Ben", timeout=10_000)  # the workspace reloaded
    expect(page.locator("#composer")).to_have_attribute("data-claim-state", "other", timeout=5_000)
    expect(page.locator("#note-text")).to_have_value("Kunde hat schon angerufen, Rückruf")
    context.close()


def test_back_shows_the_filters_the_list_was_filtered_with(browser, live_server, browser_login, night_shift):
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")
    priority = page.locator("#queue-filters select[name=priority]")
    with page.expect_response(lambda response: "priority=3" in response.url):
        priority.select_option("3")
    page.locator("[data-queue-row] [data-item-link]").first.click()
    expect(page).to_have_url(re.compile(r"/items/\d+/"))

    page.go_back()

    expect(page).to_have_url(re.compile(r"/inbox/\?priority=3$"))
    expect(priority).to_have_value("3")
    context.close()


def test_the_filters_are_in_the_address_so_a_reload_keeps_them_and_the_live_refresh_too(
    browser, live_server, browser_login, night_shift
):
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")
    page.get_by_label(re.compile("^(Client|Kunde)")).select_option(label="Brauhaus Isartal GmbH")
    page.locator("body").press("/")
    page.keyboard.type("Winterbier")
    expect(page).to_have_url(re.compile(rf"/inbox/\?client={night_shift['client'].pk}&q=Winterbier$"))
    expect(page.locator("[data-queue-row]")).to_have_count(1)

    page.reload()

    expect(page.get_by_label(re.compile("^(Client|Kunde)"))).to_have_value(str(night_shift["client"].pk))
    expect(page.locator("#queue-search")).to_have_value("Winterbier")
    expect(page.locator("[data-queue-row]")).to_have_count(1)
    with page.expect_response(lambda response: "/inbox/queue/" in response.url, timeout=10_000):
        pass  # the 5-second live refresh keeps the filters and leaves the address as it is
    page.wait_for_timeout(200)
    expect(page.locator("[data-queue-row]")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=Winterbier$"))
    page.locator("body").press("j")  # the keyboard still opens the row
    expect(page).to_have_url(re.compile(rf"/inbox/items/{night_shift['items'][0].pk}/\?client=\d+&q=Winterbier$"))
    context.close()


def test_an_item_opened_from_a_filtered_queue_carries_only_the_filters_set(
    browser, live_server, browser_login, night_shift
):
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")
    with page.expect_response(lambda response: "priority=3" in response.url):
        page.locator("#queue-filters select[name=priority]").select_option("3")

    page.locator("[data-queue-row] [data-item-link]").first.click()

    expect(page).to_have_url(re.compile(r"/inbox/items/\d+/\?priority=3$"))
    page.reload()
    expect(page.locator("#queue-filters select[name=priority]")).to_have_value("3")
    expect(page.locator("[data-queue-row] [data-item-link]").first).to_have_attribute(
        "href", re.compile(r"^/inbox/items/\d+/\?priority=3$")
    )
    expect(page.locator("[data-queue-row].selected")).to_have_count(1)
    context.close()


def test_an_items_header_says_due_in_but_overdue_alone(browser, live_server, browser_login, night_shift):
    late, soon = night_shift["items"][0], night_shift["items"][1]
    Item.objects.filter(pk=late.pk).update(sla_due_at=timezone.now() - timezone.timedelta(minutes=109))
    Item.objects.filter(pk=soon.pk).update(sla_due_at=timezone.now() + timezone.timedelta(minutes=42))
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()

    page.goto(f"{live_server.url}/inbox/items/{late.pk}/")
    header = page.locator(".conversation-head")
    expect(header).to_contain_text(re.compile(r"1 h 4\d min overdue"))
    expect(header).not_to_contain_text(re.compile(r"due\s+1 h"), use_inner_text=True)

    page.goto(f"{live_server.url}/inbox/items/{soon.pk}/")
    expect(page.locator(".conversation-head")).to_contain_text(re.compile(r"due\s+in 4\d min"))
    context.close()


def test_with_a_client_chosen_the_channel_menu_offers_its_channels_only(
    browser, live_server, browser_login, night_shift, client_factory, channel_factory, team_factory
):
    other = client_factory(name="Rheinmode KG")
    team_factory(members=[night_shift["agent_a"]], clients=[other])
    shop = channel_factory(client=other, name="Rheinmode Shop")
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")
    clients, channels = (
        page.locator("#queue-filters select[name=client]"),
        page.locator("#queue-filters select[name=channel]"),
    )
    offered = "#queue-filters select[name=channel] option:not([hidden])"

    clients.select_option(label="Rheinmode KG")
    expect(page.locator(offered)).to_have_text(["all", "Rheinmode KG · Rheinmode Shop"])
    channels.select_option(str(shop.pk))
    expect(page).to_have_url(re.compile(rf"channel={shop.pk}"))

    # Another client lets the channel go: the list would otherwise be empty whatever that client has.
    clients.select_option(label="Brauhaus Isartal GmbH")
    expect(channels).to_have_value("")
    expect(page.locator(offered)).to_have_text(["all", f"Brauhaus Isartal GmbH · {night_shift['channel'].name}"])
    expect(page.locator("#queue-list")).to_contain_text("Winterbier")
    context.close()


def test_an_ended_shift_stays_ended_until_the_agent_starts_one_by_keyboard(
    browser, live_server, browser_login, night_shift
):
    context = browser.new_context()
    browser_login(context, night_shift["agent_a"])
    page = context.new_page()
    page.goto(f"{live_server.url}/inbox/")
    page.on("dialog", lambda dialog: dialog.accept())

    # The queue the agent lands on sends its presence heartbeat at once: she must stay offline.
    with page.expect_response(lambda response: "presence/heartbeat" in response.url):
        page.get_by_role("button", name=re.compile("End shift|Schicht beenden")).click()
    assert AgentPresence.objects.get(user=night_shift["agent_a"]).is_online is False

    start = page.get_by_role("button", name=re.compile("Start shift|Schicht beginnen"))
    start.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("button", name=re.compile("End shift|Schicht beenden"))).to_be_visible()
    assert AgentPresence.objects.get(user=night_shift["agent_a"]).is_online is True


def test_typing_on_after_the_reply_box_went_away_fires_no_shortcut(browser, live_server, browser_login, night_shift):
    context, page = _claimed_next_by(browser, browser_login, live_server, night_shift["agent_a"])
    item_id = int(re.search(r"/items/(\d+)/", page.url)[1])
    page.locator("#reply-text").click()
    page.keyboard.type("Wir pr")
    page.evaluate("document.getElementById('reply-text').remove()")  # a live reload took the box mid-word

    page.keyboard.type("hüfen das, versprochen")  # "h" would hide the comment, "u" release the item

    page.wait_for_timeout(500)
    item = Item.objects.get(pk=item_id)
    assert (item.status, item.claimed_by) == (Item.Status.CLAIMED, night_shift["agent_a"])
    assert not OutboundAction.objects.exists()
    page.wait_for_timeout(1_500)  # a pause ends the typing: the keys are shortcuts again

    page.keyboard.press("u")

    expect(page.locator("#composer")).to_have_attribute("data-claim-state", "free")
    context.close()


def test_the_reply_box_counts_against_the_platforms_limit_once_close_and_a_canned_response_counts_too(
    browser, live_server, browser_login, client_factory, channel_factory, agent_for, ingest_comments
):
    client = client_factory(name="Brauhaus Isartal GmbH")
    channel = channel_factory(client=client, platform=Channel.Platform.INSTAGRAM_ACCOUNT)  # 2,200 characters
    agent = agent_for(client, first_name="Anna")
    CannedResponse.objects.create(client=client, title="Geduld", body="Danke für Ihre Geduld!")  # 22 characters
    ingest_comments(channel, [("Lena", "Wann gibt es das Winterbier wieder?")])
    context, page = _claimed_next_by(browser, browser_login, live_server, agent)
    count = page.locator("#reply-text-count")

    page.locator("#reply-text").fill("x" * 1000)
    expect(count).to_be_hidden()
    page.locator("#reply-text").fill("x" * 2180)
    expect(count).to_have_text(re.compile("^2180 (of|von) 2200 "))
    page.get_by_role("button", name="Geduld").click()

    expect(count).to_have_text(re.compile("^2202 (of|von) 2200 .*: 2 "))
    expect(count).to_have_class(re.compile(r"\bover\b"))
    page.locator("#reply-text").press("Control+Enter")  # sent anyway: the server refuses it, keeping the text

    expect(page.get_by_text(re.compile("2202 (characters|Zeichen), 2 "))).to_be_visible()
    expect(page.locator("#reply-text")).to_have_value("x" * 2180 + "Danke für Ihre Geduld!")
    expect(count).to_have_text(re.compile("^2202 (of|von) 2200 "))
    assert not OutboundAction.objects.exists()
    context.close()
