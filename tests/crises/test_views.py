import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation

import crises.selectors
from billing.statements import client_statement
from crises.detection import spike_detect_client
from crises.models import (
    Crisis,
    CrisisItem,
    DetectionSettings,
    HoldingStatement,
    Notification,
    NotificationChannel,
    SpikeAlert,
)
from crises.services import (
    approval_decide,
    crisis_create,
    crisis_escalation_start,
    crisis_items_link,
    crisis_transition,
    response_draft_create,
    response_draft_submit,
)
from inbox.models import Item, ItemEvent, OutboundAction

from .conftest import BERLIN


def test_board_shows_who_is_on_call_and_refreshes_as_a_partial(
    lead_client, on_call, client_factory, django_assert_max_num_queries
):
    for index in range(5):
        crisis_create(acting_user=on_call, client=client_factory(), title=f"Fire {index}", now=timezone.now())

    page = lead_client.get("/crises/")
    with django_assert_max_num_queries(12):
        partial = lead_client.get("/crises/", headers={"HX-Request": "true"})

    assert page.status_code == 200 and b'hx-trigger="every 5s"' in page.content
    assert str(on_call).encode() in page.content
    assert partial.status_code == 200 and b"<html" not in partial.content and b"Fire 4" in partial.content


def test_board_counts_each_crisis_s_linked_items(lead_client, on_call, item_factory, channel_factory):
    channel = channel_factory()
    crisis = crisis_create(acting_user=on_call, client=channel.client, title="Glass rumour", now=timezone.now())
    crisis_items_link(
        crisis=crisis, items=[item_factory(channel=channel) for _ in range(3)], acting_user=on_call, now=timezone.now()
    )

    partial = lead_client.get("/crises/", headers={"HX-Request": "true"}).content.decode()

    assert '<td class="num">3</td>' in partial


def test_the_crisis_page_lists_the_most_recently_linked_items_and_counts_all(
    lead_client, on_call, item_factory, channel_factory, monkeypatch
):
    monkeypatch.setattr(crises.selectors, "CRISIS_PAGE_LINKED_ITEMS", 3)
    channel = channel_factory()
    crisis = crisis_create(acting_user=on_call, client=channel.client, title="Glass rumour", now=timezone.now())
    items = [item_factory(channel=channel, text=f"Scherben im Glas Nummer {number}") for number in range(5)]
    for item in items:
        crisis_items_link(crisis=crisis, items=[item], acting_user=on_call, now=timezone.now())

    page = lead_client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()

    assert "Linked items (5)" in page and "The 3 most recently linked items." in page
    assert [item.text in page for item in items] == [False, False, True, True, True]


def test_crisis_from_items_links_them_and_marks_them_escalated(lead_client, on_call, item_factory, channel_factory):
    channel = channel_factory()
    items = [item_factory(channel=channel) for _ in range(3)]

    response = lead_client.post(
        "/crises/from-items/", {"item_ids": [item.pk for item in items], "title": "Glass rumour", "severity": "1"}
    )

    crisis = Crisis.objects.get(title="Glass rumour")
    assert response.status_code == 302 and response.url == f"/crises/{crisis.pk}/"
    assert crisis.severity == 1 and crisis.owner == on_call
    assert set(CrisisItem.objects.filter(crisis=crisis).values_list("item_id", flat=True)) == {i.pk for i in items}
    assert ItemEvent.objects.filter(item__in=items, kind=ItemEvent.Kind.ESCALATED).count() == 3


def test_escalating_items_a_crisis_links_already_says_so_and_opens_none(lead_client, item_factory, channel_factory):
    channel = channel_factory()
    body = {"item_ids": [item_factory(channel=channel).pk for _ in range(2)], "title": "Glass rumour"}

    first, again = [
        lead_client.post("/crises/from-items/", body, follow=True, headers={"Accept-Language": "en"}) for _ in range(2)
    ]

    crisis = Crisis.objects.get()
    said = f"These items are in crisis #{crisis.pk} already; no new crisis was opened."
    assert [first.redirect_chain[-1][0], again.redirect_chain[-1][0]] == [f"/crises/{crisis.pk}/"] * 2
    assert (said in first.content.decode(), said in again.content.decode()) == (False, True)


def test_crisis_from_items_answers_htmx_with_a_redirect_header(lead_client, item_factory):
    item = item_factory()

    response = lead_client.post("/crises/from-items/", {"item_ids": str(item.pk)}, headers={"HX-Request": "true"})

    assert response.status_code == 204 and response.headers["HX-Redirect"].startswith("/crises/")


def test_crisis_from_items_of_two_clients_is_refused(lead_client, item_factory):
    first, second = item_factory(), item_factory()

    response = lead_client.post("/crises/from-items/", {"item_ids": [first.pk, second.pk]})

    assert response.status_code == 400 and not Crisis.objects.exists()


def test_agent_cannot_escalate_items_of_a_client_they_do_not_serve(client, agent_for, client_factory, item_factory):
    agent = agent_for(client_factory())
    client.force_login(agent)
    foreign_item = item_factory()

    response = client.post("/crises/from-items/", {"item_ids": [foreign_item.pk]})

    assert response.status_code == 404 and not Crisis.objects.exists()


def test_open_crisis_from_a_spike_alert_links_the_sample_items(
    lead_client, client_factory, channel_factory, item_factory
):
    client = client_factory()
    channel = channel_factory(client=client)
    DetectionSettings.objects.create(client=client, minimum_count=3, unanswered_threshold=100)
    for _ in range(4):
        item_factory(channel=channel, sentiment=Item.Sentiment.NEGATIVE)
    spike_detect_client(client=client, now=timezone.now())
    alert = SpikeAlert.objects.get(kind=SpikeAlert.Kind.NEGATIVE_VOLUME)

    evidence = lead_client.get(f"/crises/alerts/{alert.pk}/")
    opened = lead_client.post(f"/crises/alerts/{alert.pk}/open/")
    again = lead_client.post(f"/crises/alerts/{alert.pk}/open/")

    alert.refresh_from_db()
    assert evidence.status_code == 200
    assert opened.url == again.url == f"/crises/{alert.crisis_id}/"
    assert alert.status == SpikeAlert.Status.OPENED_CRISIS
    assert alert.crisis.crisis_items.count() == 4


@pytest.fixture
def spike_and_threshold_alerts(client_factory):
    """A volume spike over an hour and an unanswered-items alert, counted at one moment."""
    client = client_factory(name="Brauhaus Isartal GmbH")
    at = datetime(2026, 11, 24, 21, 49, tzinfo=BERLIN)
    volume = SpikeAlert.objects.create(
        client=client,
        kind=SpikeAlert.Kind.TOTAL_VOLUME,
        window_start=at - timedelta(hours=1),
        window_end=at,
        observed=32,
        baseline=1.0,
        z_score=31.0,
    )
    unanswered = SpikeAlert.objects.create(
        client=client, kind=SpikeAlert.Kind.UNANSWERED, window_start=at, window_end=at, observed=25, baseline=25.0
    )
    return volume, unanswered


@pytest.mark.parametrize(
    ("language", "spike", "threshold"),
    [
        ("de", "32 in einer Stunde, üblich sind etwa 1", "25 unbeantwortet (Schwelle: 25)"),
        ("en", "32 in one hour, usually about 1", "25 unanswered (threshold: 25)"),
    ],
)
def test_the_board_says_spike_alerts_in_plain_words(
    lead_client, spike_and_threshold_alerts, language, spike, threshold
):
    board = lead_client.get("/crises/", headers={"Accept-Language": language}).content.decode()

    assert spike in board and threshold in board
    assert "z =" not in board and "erwartet" not in board and "expected" not in board


def test_an_alert_counted_at_one_moment_shows_one_time_not_a_window(lead_client, spike_and_threshold_alerts):
    volume, unanswered = spike_and_threshold_alerts

    counted = lead_client.get(f"/crises/alerts/{unanswered.pk}/", headers={"Accept-Language": "de"}).content.decode()
    spike = lead_client.get(f"/crises/alerts/{volume.pk}/", headers={"Accept-Language": "de"}).content.decode()

    assert "Gezählt am" in counted and "21:49 – 21:49" not in counted
    assert "25 unbeantwortet (Schwelle: 25)" in counted
    assert "20:49 – 21:49" in spike
    assert "31,0 Standardabweichungen über dem Üblichen" in spike


def test_crisis_page_walks_through_escalate_draft_submit(lead_client, on_call, client_factory, contact_factory):
    crisis = crisis_create(acting_user=on_call, client=client_factory(), title="Walk", now=timezone.now())
    contact_factory(crisis.client)

    lead_client.post(f"/crises/{crisis.pk}/escalate/")
    lead_client.post(
        f"/crises/{crisis.pk}/drafts/", {"text": "Wir prüfen das.", "platform_instagram_account": "Wir prüfen das 🙏"}
    )
    draft = crisis.drafts.get()
    lead_client.post(f"/crises/{crisis.pk}/drafts/{draft.pk}/submit/")
    page = lead_client.get(f"/crises/{crisis.pk}/")

    crisis.refresh_from_db()
    assert crisis.status == Crisis.Status.AWAITING_APPROVAL and crisis.escalation_started_at is not None
    assert draft.platform_texts == {"instagram_account": "Wir prüfen das 🙏"}
    assert page.status_code == 200 and "Wir prüfen das.".encode() in page.content
    # The timeline says what happened in words, not as the events' raw data.
    english = lead_client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert "“Walk”, severity" in english
    assert "Open → Escalating" in english
    contact = crisis.client.contacts.get()
    assert f"version 1 to {contact.name}" in english
    assert "from: " not in english and "approvers: [" not in english


@pytest.mark.parametrize(
    ("language", "started", "waiting"),
    [("de", "Eskalation gestartet am ", "Noch nicht bestätigt"), ("en", "Escalation started ", "Not acknowledged yet")],
)
def test_the_escalation_line_is_a_sentence(lead_client, on_call, client_factory, language, started, waiting):
    crisis = crisis_create(acting_user=on_call, client=client_factory(), title="x", now=timezone.now())
    crisis_escalation_start(crisis=crisis, acting_user=on_call, now=timezone.now())

    page = lead_client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": language}).content.decode()

    assert started in page and f'<span class="badge danger">{waiting}</span>' in page
    assert ". noch nicht" not in page and "Gestartet am" not in page


def test_the_status_change_has_no_status_preselected(lead_client, on_call, client_factory):
    crisis = crisis_create(acting_user=on_call, client=client_factory(), title="x", now=timezone.now())

    page = lead_client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    unchosen = lead_client.post(f"/crises/{crisis.pk}/transition/", {"to_status": ""})

    crisis.refresh_from_db()
    assert '<option value="" selected>Choose…</option>' in page
    assert unchosen.status_code == 302 and crisis.status == Crisis.Status.OPEN


def test_an_illegal_transition_is_refused_with_a_message(lead_client, on_call, client_factory):
    crisis = crisis_create(acting_user=on_call, client=client_factory(), title="x", now=timezone.now())
    lead_client.post(f"/crises/{crisis.pk}/transition/", {"to_status": "resolved", "post_mortem": "Fine."})

    response = lead_client.post(f"/crises/{crisis.pk}/transition/", {"to_status": "monitoring"}, follow=True)

    crisis.refresh_from_db()
    assert crisis.status == Crisis.Status.RESOLVED and crisis.post_mortem == "Fine."
    assert "kann nicht von" in response.content.decode()


def test_api_create_link_and_transition(lead_client, client_factory, item_factory):
    item = item_factory()

    created = lead_client.post(
        "/api/crises/",
        {"client_id": item.client_id, "title": "API", "severity": 2, "item_ids": [item.pk]},
        content_type="application/json",
    )
    crisis_id = created.json()["id"]
    refused = lead_client.post(
        f"/api/crises/{crisis_id}/transition/", {"to_status": "monitoring"}, content_type="application/json"
    )
    escalated = lead_client.post(
        f"/api/crises/{crisis_id}/transition/", {"to_status": "escalating"}, content_type="application/json"
    )

    assert created.status_code == 201 and [row["item_id"] for row in created.json()["items"]] == [item.pk]
    assert refused.status_code == 400
    assert escalated.status_code == 200 and escalated.json()["status"] == "escalating"


def test_api_create_with_an_unknown_or_foreign_item_saves_no_crisis(lead_client, item_factory):
    own, foreign = item_factory(), item_factory()

    responses = [
        lead_client.post(
            "/api/crises/",
            {"client_id": own.client_id, "title": "API", "item_ids": [own.pk, other]},
            content_type="application/json",
        )
        for other in (foreign.pk, foreign.pk + 1000)
    ]

    assert [response.status_code for response in responses] == [400, 400]
    assert responses[0].json() == {"item_ids": ["Unbekannte Beiträge oder Beiträge eines anderen Kunden."]}
    assert not Crisis.objects.exists() and not CrisisItem.objects.exists()


def test_api_create_from_an_erased_item_is_refused(lead_client, item_factory):
    erased = item_factory(erased_at=timezone.now())

    response = lead_client.post(
        "/api/crises/",
        {"client_id": erased.client_id, "title": "API", "item_ids": [erased.pk]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "items_erased",
        "detail": "Wählen Sie mindestens einen Beitrag, dessen Autordaten nicht gelöscht wurden.",
        "details": {},
    }
    assert not Crisis.objects.exists()


def test_api_create_for_items_an_open_crisis_links_answers_that_crisis(lead_client, item_factory, channel_factory):
    channel = channel_factory()
    items = [item_factory(channel=channel) for _ in range(2)]
    body = {"client_id": channel.client_id, "title": "API", "item_ids": [item.pk for item in items]}

    first = lead_client.post("/api/crises/", body, content_type="application/json")
    again = lead_client.post("/api/crises/", body, content_type="application/json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] == Crisis.objects.get().pk
    assert CrisisItem.objects.count() == 2


def test_api_create_answers_by_whether_it_opened_the_crisis_not_by_its_creation_time(
    lead_client, item_factory, channel_factory, monkeypatch
):
    # A clock that does not move between two requests (a coarse clock, two requests in one tick) made
    # the crisis found for the items look just opened, when the answer compared its created_at with now.
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)
    channel = channel_factory()
    from_items = {"client_id": channel.client_id, "title": "API", "item_ids": [item_factory(channel=channel).pk]}
    plain = {"client_id": channel.client_id, "title": "Ohne Beiträge"}

    first, again = [lead_client.post("/api/crises/", from_items, content_type="application/json") for _ in range(2)]
    without_items = lead_client.post("/api/crises/", plain, content_type="application/json")

    assert (first.status_code, again.status_code, without_items.status_code) == (201, 200, 201)
    assert again.json()["id"] == first.json()["id"] != without_items.json()["id"]


def test_a_holding_statement_not_ready_to_send_is_refused_with_a_message(
    lead_client, on_call, item_factory, channel_factory
):
    channel = channel_factory()
    crisis = crisis_create(acting_user=on_call, client=channel.client, title="x", now=timezone.now())
    crisis_items_link(crisis=crisis, items=[item_factory(channel=channel)], acting_user=on_call, now=timezone.now())
    deactivated = HoldingStatement.objects.create(
        client=channel.client, title="Alt", text="Wir prüfen das.", is_pre_approved=True, is_active=False
    )
    foreign = HoldingStatement.objects.create(
        client=channel_factory().client, title="Fremd", text="Wir prüfen das.", is_pre_approved=True
    )

    responses = [
        lead_client.post(f"/crises/{crisis.pk}/holding/", {"statement": statement.pk}, follow=True)
        for statement in (deactivated, foreign)
    ]

    assert [response.status_code for response in responses] == [200, 200]
    assert all(
        "Sofort versendet werden kann nur eine aktive, vorab freigegebene vorläufige Stellungnahme dieses Kunden."
        in response.content.decode()
        for response in responses
    )
    assert not OutboundAction.objects.exists()


def test_openapi_schema_documents_the_crisis_operations(lead_client):
    schema = lead_client.get("/api/schema/", headers={"Accept": "application/json"}).content.decode()

    for operation in (
        "crises_list",
        "crises_create",
        "crises_retrieve",
        "crises_items_link",
        "crises_transition",
        "crises_drafts_create",
        "crises_drafts_submit",
        "crises_drafts_decide",
        "crises_publish",
    ):
        assert operation in schema


def test_linking_another_clients_item_says_which_were_not_linked(
    lead_client, on_call, client_factory, item_factory, channel_factory
):
    crisis = crisis_create(
        acting_user=on_call, client=client_factory(name="Rheinmode KG"), title="x", now=timezone.now()
    )
    own = item_factory(channel=channel_factory(client=crisis.client))
    foreign = item_factory(channel=channel_factory())

    page = lead_client.post(
        f"/crises/{crisis.pk}/link/",
        {"item_ids": f"{own.pk}, {foreign.pk}"},
        headers={"Accept-Language": "en"},
        follow=True,
    ).content.decode()

    assert "1 item linked." in page
    assert f"Not linked, not items of Rheinmode KG you can see: {foreign.pk}." in page
    assert list(CrisisItem.objects.filter(crisis=crisis).values_list("item_id", flat=True)) == [own.pk]


def test_an_item_is_added_to_an_open_crisis_of_its_client_from_the_inbox(
    lead_client, on_call, item_factory, channel_factory, client_factory
):
    channel = channel_factory()
    item = item_factory(channel=channel)
    open_crisis = crisis_create(acting_user=on_call, client=channel.client, title="Glassplitter", now=timezone.now())
    other_client = crisis_create(acting_user=on_call, client=client_factory(), title="Elsewhere", now=timezone.now())

    picker = lead_client.get(f"/crises/items/{item.pk}/crises/").content.decode()
    added = lead_client.post(f"/crises/items/{item.pk}/link/", {"crisis": open_crisis.pk})
    after = lead_client.get(f"/crises/items/{item.pk}/crises/").content.decode()
    foreign = lead_client.post(f"/crises/items/{item.pk}/link/", {"crisis": other_client.pk})

    assert "Glassplitter" in picker and "Elsewhere" not in picker
    assert added.status_code == 302 and added["Location"] == f"/inbox/items/{item.pk}/"
    assert list(CrisisItem.objects.values_list("crisis_id", "item_id")) == [(open_crisis.pk, item.pk)]
    assert "Glassplitter" not in after  # linked already: nothing left to offer
    assert foreign.status_code == 404


def _alert(crisis, recipient_key: str, status: str) -> None:
    Notification.objects.create(
        crisis=crisis,
        recipient_key=recipient_key,
        recipient_label=recipient_key,
        address="someone@example.com",
        channel=NotificationChannel.EMAIL,
        status=status,
    )


def test_the_monthly_statement_counts_the_clients_crises(on_call, item_factory, channel_factory):
    """The row "of them escalated to your contacts" counts the crises whose escalation reached a contact of the client,
    not every escalation started: the first steps (or a client without a policy) alert only the agency."""
    channel = channel_factory()
    march = datetime(2026, 3, 10, 12, tzinfo=BERLIN)
    crisis = crisis_create(acting_user=on_call, client=channel.client, title="Rückruf", now=march)
    agency_only = crisis_create(acting_user=on_call, client=channel.client, title="Nachts", now=march)
    Crisis.objects.filter(pk__in=[crisis.pk, agency_only.pk]).update(created_at=march, escalation_started_at=march)
    _alert(crisis, "user:1", Notification.Status.SENT)
    _alert(crisis, "contact:1", Notification.Status.SENT)
    _alert(crisis, "contact:2", Notification.Status.SENT)
    _alert(agency_only, "user:1", Notification.Status.SENT)
    _alert(agency_only, "contact:1", Notification.Status.SKIPPED)  # acknowledged before its step came
    crisis_items_link(
        crisis=crisis,
        items=[item_factory(channel=channel), item_factory(channel=channel)],
        acting_user=on_call,
        now=march,
    )
    crisis_create(acting_user=on_call, client=channel.client, title="Later", now=timezone.now())  # another month

    with translation.override("en"):
        rows = client_statement(client=channel.client, year=2026, month=3).extra_rows

    assert [(row.label, row.value) for row in rows] == [
        ("Crises opened", "2"),
        ("of them escalated to your contacts", "1"),
        ("Items linked to a crisis", "2"),
    ]


def test_adding_an_item_twice_or_an_erased_one_says_so(lead_client, on_call, item_factory, channel_factory):
    channel = channel_factory()
    item, erased = item_factory(channel=channel), item_factory(channel=channel, erased_at=timezone.now())
    crisis = crisis_create(acting_user=on_call, client=channel.client, title="Glassplitter", now=timezone.now())
    lead_client.post(f"/crises/items/{item.pk}/link/", {"crisis": crisis.pk})

    again = lead_client.post(f"/crises/items/{item.pk}/link/", {"crisis": crisis.pk}, follow=True)
    tombstone = lead_client.post(f"/crises/items/{erased.pk}/link/", {"crisis": crisis.pk}, follow=True)
    odd_number = lead_client.post(f"/crises/items/{item.pk}/link/", {"crisis": "²"})

    assert "bereits in Krise" in again.content.decode()
    assert "nicht zu einer Krise hinzugefügt" in tombstone.content.decode()
    assert list(CrisisItem.objects.values_list("item_id", flat=True)) == [item.pk]
    assert odd_number.status_code == 404


def test_an_erased_item_opens_no_crisis(lead_client, item_factory):
    erased = item_factory(erased_at=timezone.now())

    lead_client.post("/crises/from-items/", {"item_ids": [erased.pk]})
    lead_client.post("/crises/from-items/", {"item_ids": [erased.pk]})

    assert not Crisis.objects.exists()


def test_the_pages_poll_brings_a_clients_decision_to_the_header_and_the_actions_but_not_to_the_forms(
    lead_client, on_call, client_factory, contact_factory, item_factory, django_capture_on_commit_callbacks
):
    """The lead has the crisis open while the client approves in the portal: the page's next poll
    (every 10 s) swaps in the new status, the approved version and its Publish button by id, and
    leaves the forms alone (a draft being typed keeps its text and focus)."""
    crisis = crisis_create(acting_user=on_call, client=client_factory(), title="Recall", now=timezone.now())
    crisis_items_link(
        crisis=crisis, items=[item_factory(client=crisis.client)], acting_user=on_call, now=timezone.now()
    )
    contact = contact_factory(crisis.client)
    draft = response_draft_create(crisis=crisis, acting_user=on_call, text="Wir prüfen das.", now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        response_draft_submit(draft=draft, acting_user=on_call, now=timezone.now())
    page = lead_client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()

    approval_decide(draft=draft, contact=contact, decision="approve", comment="", via="portal", now=timezone.now())
    poll = lead_client.get(
        f"/crises/{crisis.pk}/", headers={"HX-Request": "true", "Accept-Language": "en"}
    ).content.decode()

    live = re.findall(r'id="([\w-]+)" hx-swap-oob="true"', poll)
    assert '<span class="badge status-awaiting_approval">Awaiting client approval</span>' in page
    assert "Publish approved" not in page
    assert live == ["crisis-meta", "crisis-escalation", "crisis-publish", "crisis-drafts"]
    assert '<span class="badge status-approved">Approved</span>' in poll  # the header
    assert '<h3>v1 <span class="badge">Approved</span>' in poll  # the version
    assert "Publish approved v1 to 1 item</button>" in poll
    assert "Approval decision" in poll  # the timeline, swapped as before
    assert 'name="text"' not in poll and 'name="to_status"' not in poll and 'name="item_ids"' not in poll
    assert "The crisis is now" not in poll  # nothing to reload for


def test_the_pages_poll_says_when_a_colleague_resolved_the_crisis_under_the_forms_it_shows(
    lead_client, on_call, client_factory
):
    crisis = crisis_create(acting_user=on_call, client=client_factory(), title="Recall", now=timezone.now())

    crisis_transition(crisis=crisis, to_status=Crisis.Status.RESOLVED, acting_user=on_call, now=timezone.now())
    poll = lead_client.get(
        f"/crises/{crisis.pk}/", headers={"HX-Request": "true", "Accept-Language": "en"}
    ).content.decode()

    assert "The crisis is now: Resolved." in poll and "Reload the page for its actions" in poll
