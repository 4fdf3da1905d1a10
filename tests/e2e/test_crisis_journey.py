"""Journey 3: a shift lead opens a crisis from three items, the escalation reaches the on-call lead,
the client approves the response through the magic link, and one publish answers all three items."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from communityops.models import Channel, ClientContact, User
from crises.models import AgencyRole, EscalationPolicy, EscalationStep, NotificationChannel, OnCallShift
from crises.services import crisis_create, crisis_items_link
from inbox.models import Item

pytestmark = pytest.mark.django_db(transaction=True)

RESPONSE = (
    "Liebe Community, wir haben die Charge 0424 geprüft und keine Glassplitter gefunden. "
    "Wer eine Flasche zurückgeben möchte, schreibt uns bitte eine Direktnachricht."
)


@pytest.fixture
def glass_rumour(client_factory, channel_factory, user_factory, ingest_comments, settings, live_server):
    """Three worried comments on a brewery's page, a shift lead on call, a one-step policy, one approver."""
    settings.SITE_URL = live_server.url  # links in emails must point at the running server
    client = client_factory(name="Brauhaus Isartal GmbH")
    channel = channel_factory(client=client, name="Facebook")
    items = ingest_comments(
        channel,
        [
            ("Lena", "Stimmt es, dass in der Charge 0424 Glassplitter waren?"),
            ("Tom", "Meine Freundin hat das auch gelesen. Was ist da los?"),
            ("Mia", "Ich trinke euer Bier nicht mehr, bis ihr das aufklärt!"),
        ],
    )
    lead = user_factory(role=User.Role.SHIFT_LEAD, first_name="Sam", email="sam@agentur.example")
    now = timezone.now()
    OnCallShift.objects.create(
        lead=lead, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8), label=OnCallShift.Label.NIGHT
    )
    policy = EscalationPolicy.objects.create(client=client, name="Krisenkette Brauhaus")
    EscalationStep.objects.create(
        policy=policy,
        position=1,
        agency_roles=[AgencyRole.ON_CALL_LEAD],
        channel=NotificationChannel.EMAIL,
        wait_minutes=10,
    )
    contact = ClientContact.objects.create(
        client=client,
        name="Sabine Huber",
        role="PR-Leitung",
        email="sabine.huber@brauhaus-isartal.example",
        may_approve=True,
    )
    return {"client": client, "items": items, "lead": lead, "contact": contact}


def mails_to(address: str) -> list:
    return [message for message in mail.outbox if address in message.to]


def link_in(message, pattern: str) -> str:
    found = re.search(pattern, message.body)
    assert found, f"no link matching {pattern} in: {message.body}"
    return found[0]


def test_a_crisis_from_three_items_is_approved_by_the_client_and_answers_all_three(
    browser, live_server, browser_login, glass_rumour, graph_api
):
    first, *others = glass_rumour["items"]
    lead_context = browser.new_context()
    browser_login(lead_context, glass_rumour["lead"])
    lead = lead_context.new_page()

    # Escalate the first comment from the inbox, then link the other two on the crisis page.
    lead.goto(f"{live_server.url}/inbox/items/{first.pk}/")
    lead.get_by_role("button", name=re.compile("Claim this item")).click()
    lead.once("dialog", lambda dialog: dialog.accept())  # "Open a crisis for this item?"
    lead.get_by_role("button", name="Escalate to crisis").click()
    expect(lead).to_have_url(re.compile(r"/crises/\d+/$"))
    crisis_url = lead.url
    lead.get_by_label("Link items").fill(", ".join(str(item.pk) for item in others))
    lead.get_by_role("button", name="Link", exact=True).click()
    expect(lead.get_by_role("heading", name="Linked items (3)")).to_be_visible()

    # The escalation alerts the on-call lead by email; the link in it acknowledges.
    lead.get_by_role("button", name="Start escalation").click()
    expect(lead.get_by_text("Escalation started.")).to_be_visible()
    [alert] = mails_to(glass_rumour["lead"].email)
    lead.goto(link_in(alert, r"https?://\S+/crises/ack/\S+/"))
    lead.get_by_role("button", name="Seen – I’m on it").click()
    expect(lead.get_by_text("No further people will be alerted")).to_be_visible()

    # Draft the response and ask the client.
    lead.goto(crisis_url)
    expect(lead.locator(".badge.ok", has_text="Acknowledged")).to_be_visible()
    lead.get_by_label("Response (all platforms)").fill(RESPONSE)
    lead.get_by_role("button", name="Save draft").click()
    lead.get_by_role("button", name="Submit for client approval").click()
    expect(lead.get_by_text("Sent to the client for approval.")).to_be_visible()
    [request] = mails_to(glass_rumour["contact"].email)
    magic_url = link_in(request, r"https?://\S+/crises/approve/\d+/\w+/")
    # While the client reads, the lead starts the next version.
    next_draft = lead.get_by_label("Response (all platforms)")
    next_draft.fill(RESPONSE + " Nachtrag in Arbeit")

    # The client contact, on their own device and without an account, reads and approves: in German,
    # the language of their emails, whatever their browser says.
    contact_context = browser.new_context(locale="en-US")
    contact = contact_context.new_page()
    contact.goto(magic_url)
    expect(contact.get_by_text("keine Glassplitter gefunden")).to_be_visible()
    contact.get_by_label("Freigeben").check()
    contact.get_by_role("button", name="Entscheidung senden").click()
    expect(contact.get_by_text("Sie haben die Antwort freigegeben.")).to_be_visible()

    # The lead's open page follows on its next refresh (every 10 s): the header says approved, the
    # version and its Publish button are there, and the next version being typed is untouched.
    expect(lead.locator("#crisis-meta .badge.status-approved")).to_have_text("Approved", timeout=15_000)
    expect(lead.locator(".draft .badge.ok")).to_have_text("Approved")
    expect(next_draft).to_be_focused()
    expect(next_draft).to_have_value(RESPONSE + " Nachtrag in Arbeit")

    # The lead publishes once; every linked comment gets the approved answer.
    lead.once("dialog", lambda dialog: dialog.accept())
    lead.get_by_role("button", name=re.compile("Publish approved v1")).click()
    expect(lead.get_by_text("Response sent to 3 items.")).to_be_visible()
    expect(lead.get_by_text(re.compile(r"Approved v1 went out to 3 items, last on "))).to_be_visible()
    expect(lead.get_by_role("button", name=re.compile("approved v1"))).to_have_count(0)  # nothing left to send
    linked_rows = lead.get_by_role("row").filter(has=lead.get_by_role("cell", name="Answered", exact=True))
    expect(linked_rows).to_have_count(3)

    statuses = set(
        Item.objects.filter(pk__in=[item.pk for item in glass_rumour["items"]]).values_list("status", flat=True)
    )
    assert statuses == {Item.Status.ANSWERED}
    assert len(graph_api.app.replies) == 3
    assert {reply["message"] for reply in graph_api.app.replies} == {RESPONSE}
    contact_context.close()
    lead_context.close()


def test_the_new_response_version_counts_each_text_against_the_platform_it_goes_to(
    browser, live_server, browser_login, client_factory, channel_factory, user_factory, ingest_comments
):
    client = client_factory(name="Brauhaus Isartal GmbH")
    facebook = channel_factory(client=client, name="Facebook")
    instagram = channel_factory(client=client, name="Instagram", platform=Channel.Platform.INSTAGRAM_ACCOUNT)
    items = ingest_comments(facebook, [("Lena", "Glassplitter?")]) + ingest_comments(instagram, [("Tom", "Echt?")])
    lead = user_factory(role=User.Role.SHIFT_LEAD, first_name="Sam")
    now = timezone.now()
    crisis = crisis_create(acting_user=lead, client=client, title="Glassplitter-Gerücht", now=now)
    crisis_items_link(crisis=crisis, items=items, acting_user=lead, now=now)
    context = browser.new_context()
    browser_login(context, lead)
    page = context.new_page()
    page.goto(f"{live_server.url}/crises/{crisis.pk}/")
    text, count = page.locator("#id_text"), page.locator("#id_text-count")

    text.fill("x" * 1000)
    expect(count).to_be_hidden()
    text.fill("x" * 2201)  # Instagram, the lowest limit of the linked items' platforms, takes 2,200
    expect(count).to_have_text(re.compile("^2201 (of|von) 2200 .*: 1 "))
    expect(count).to_have_class(re.compile(r"\bover\b"))

    page.get_by_text(re.compile("Different text per platform|Unterschiedlicher Text je Plattform")).click()
    page.locator("#id_platform_facebook_page").fill("y" * 7500)  # Facebook's own text: 8,000
    expect(page.locator("#id_platform_facebook_page-count")).to_have_text(re.compile("^7500 (of|von) 8000 "))
    context.close()
