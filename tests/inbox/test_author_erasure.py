"""A commenter's personal data at one client is erased on request (GDPR Art. 17); the rest stays."""

from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from communityops.models import ClientContact, User
from crises.models import Approval, CrisisEvent
from crises.services import (
    crisis_create_from_items,
    crisis_event_record,
    crisis_post_mortem_write,
    response_draft_create,
)
from inbox.models import (
    Author,
    AuthorErasure,
    AuthorProfile,
    IngestChange,
    Item,
    ItemEvent,
    ItemNote,
    ItemTextFingerprint,
    OutboundAction,
    SpamFeedback,
    SpamTokenStat,
    WebhookDelivery,
)
from inbox.normalized import NormalizedAuthor, NormalizedItem
from inbox.selectors import item_conversation_version
from inbox.services.author_profiles import author_profile_update
from inbox.services.claims import item_claim
from inbox.services.deliveries import meta_delivery_receive
from inbox.services.erasure import author_erase
from inbox.services.errors import AuthorAlreadyErased, InboxActionError, ItemErased
from inbox.services.ingestion import item_text_update, webhook_delivery_process
from inbox.services.moderation import item_moderate, item_tags_change, items_hide_near_duplicates
from inbox.services.notes import item_note_add
from inbox.services.outbox import item_reply, outbound_replies_enqueue
from inbox.services.triage import spam_feedback_record
from insights.periods import ReportFilter, ReportPeriod
from insights.selectors import author_figures

from .ingest_payloads import facebook_comment_change, meta_body


@pytest.fixture
def lead_for(user_factory, team_factory):
    """A shift lead whose team serves the given clients."""

    def make(*clients) -> User:
        lead = user_factory(role=User.Role.SHIFT_LEAD)
        team_factory(members=[lead], clients=clients)
        return lead

    return make


def _delivered(channel, *changes: dict) -> WebhookDelivery:
    delivery = meta_delivery_receive(channel=channel, body=meta_body(channel, changes=list(changes))).delivery
    webhook_delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def _edited(item: Item, text: str) -> None:
    item_text_update(
        item=item,
        normalized=NormalizedItem(
            external_id=item.external_id,
            kind=item.kind,
            text=text,
            author=NormalizedAuthor(external_id=item.author.external_id),
            platform_created_at=item.platform_created_at,
        ),
    )


def test_the_authors_data_at_the_client_is_erased_and_the_items_stay_closed(
    facebook_channel, agent_for, lead_for, meta_graph_stub
):
    client = facebook_channel.client
    agent, lead = agent_for(client, with_mfa=False), lead_for(client)
    _delivered(
        facebook_channel,
        facebook_comment_change(
            comment_id="c-1", author_id="vera", author_name="Vera Muster", message="Ich heiße Vera"
        ),
        facebook_comment_change(comment_id="c-2", author_id="vera", author_name="Vera Muster", message="Ruft mich an!"),
        facebook_comment_change(
            comment_id="c-3",
            author_id="otto",
            author_name="Otto",
            message="Wann öffnet ihr am Sonntag die Filiale am Marienplatz?",
        ),
    )
    first, second, ottos = (Item.objects.get(external_id=f"c-{number}") for number in (1, 2, 3))
    _edited(first, "Ich heiße Vera Muster, Tel. 0151 1234567")
    author_profile_update(acting_user=agent, item_id=first.pk, is_key_account=True, notes="Stammkundin")
    item_claim(acting_user=agent, item_id=first.pk)
    item_note_add(acting_user=agent, item_id=first.pk, text="Vera wohnt in Giesing.")
    item_claim(acting_user=agent, item_id=second.pk)
    reply = item_reply(
        acting_user=agent,
        item_id=second.pk,
        text="Hallo Vera Muster, wir rufen Sie an.",
        loaded_at_event_id=item_conversation_version(item=second),
    )
    spam_feedback_record(acting_user=agent, item=second, is_spam=False)  # counts the words of her text
    assert SpamTokenStat.objects.filter(client=client, token="ruft").exists()
    assert ItemTextFingerprint.objects.filter(item__in=[first, second]).exists()

    erasure = author_erase(acting_user=lead, item_id=second.pk, reference=" Ticket DSGVO-17 ")

    erased = list(Item.objects.filter(pk__in=[first.pk, second.pk]).select_related("author").order_by("pk"))
    assert [(item.text, item.permalink, item.topic_terms) for item in erased] == [("", "", [])] * 2
    assert [(item.author_tier, item.triage_reasons) for item in erased] == [("C", [])] * 2  # was A: key account
    assert {item.author.external_id for item in erased} == {""}  # the placeholder: "Erased author"
    assert all(item.erased_at == erasure.erased_at for item in erased)
    # The claimed item closes and is free; the answered one keeps its status.
    assert [(item.status, item.claimed_by_id) for item in erased] == [
        (Item.Status.CLOSED, None),
        (Item.Status.ANSWERED, None),
    ]
    closing = ItemEvent.objects.get(item=first, kind=ItemEvent.Kind.STATUS_CHANGED)
    assert (closing.actor, closing.data["reason"]) == (lead, "personal data erased on request")
    timeline = [event.data for event in ItemEvent.objects.filter(item__in=[first, second])]
    assert not [data for data in timeline if "previous_text" in data or "triage" in data]
    # The reply quoted her name: redacted, and not sent any more.
    reply.refresh_from_db()
    assert (reply.text, reply.status) == ("Hallo […], wir rufen Sie an.", OutboundAction.Status.FAILED)
    queued = ItemEvent.objects.get(item=second, kind=ItemEvent.Kind.REPLY_QUEUED)
    assert queued.data["text"] == "Hallo […], wir rufen Sie an."
    assert not ItemNote.objects.filter(item=first).exists()
    assert not ItemTextFingerprint.objects.filter(item__in=[first, second]).exists()
    assert not SpamFeedback.objects.exists()
    assert not SpamTokenStat.objects.filter(client=client).exists()  # her words were the only ones counted
    assert not AuthorProfile.objects.exists()
    assert not Author.objects.filter(external_id="vera").exists()
    # Nobody else's data is touched.
    ottos.refresh_from_db()
    assert (ottos.text, ottos.author.display_name, ottos.erased_at) == (
        "Wann öffnet ihr am Sonntag die Filiale am Marienplatz?",
        "Otto",
        None,
    )
    assert ItemTextFingerprint.objects.filter(item=ottos).exists()

    record = AuthorErasure.objects.get()
    assert (record.client, record.platform, record.reference, record.erased_by) == (
        client,
        facebook_channel.platform,
        "Ticket DSGVO-17",
        lead,
    )
    assert (record.items_erased, record.notes_deleted, record.author_deleted) == (2, 1, True)


def test_the_raw_webhook_data_that_carried_the_items_goes_and_outcomes_stay(facebook_channel, lead_for):
    lead = lead_for(facebook_channel.client)
    carried = _delivered(
        facebook_channel,
        facebook_comment_change(comment_id="c-1", author_id="vera", message="Meine Adresse: Isarweg 1"),
        facebook_comment_change(comment_id="c-2", author_id="otto", message="Wann öffnet ihr?"),
    )
    elsewhere = _delivered(facebook_channel, facebook_comment_change(comment_id="c-3", author_id="otto"))
    # A delivery still being processed keeps its body (the retention rule drops it later).
    in_progress = WebhookDelivery.objects.create(
        channel=facebook_channel, source=WebhookDelivery.Source.META, body=b'{"still": "processing"}'
    )
    IngestChange.objects.create(
        delivery=in_progress,
        position=0,
        payload={"value": "Isarweg 1"},
        status=IngestChange.Status.DUPLICATE,
        item=Item.objects.get(external_id="c-1"),
    )

    erasure = author_erase(
        acting_user=lead, item_id=Item.objects.get(external_id="c-1").pk, reference="Mail vom 24.11."
    )

    carried.refresh_from_db()
    elsewhere.refresh_from_db()
    in_progress.refresh_from_db()
    assert (bytes(carried.body), carried.body_dropped_at) == (b"", erasure.erased_at)
    assert bytes(elsewhere.body) != b"" and elsewhere.body_dropped_at is None
    assert bytes(in_progress.body) == b'{"still": "processing"}'
    assert IngestChange.objects.get(delivery=in_progress).payload is None  # the copy of the erased item goes
    assert (
        list(carried.changes.order_by("position").values_list("status", flat=True))
        == [IngestChange.Status.INGESTED] * 2
    )
    assert (erasure.raw_bodies_dropped, erasure.raw_bodies_kept) == (1, 1)


def test_a_redelivered_or_edited_comment_does_not_bring_the_data_back(facebook_channel, lead_for):
    lead = lead_for(facebook_channel.client)
    original = facebook_comment_change(comment_id="c-1", author_id="vera", author_name="Vera Muster", message="Hallo")
    _delivered(facebook_channel, original)
    author_erase(acting_user=lead, item_id=Item.objects.get().pk, reference="Ticket 1")

    # Meta retries for up to 36 hours; the author may also edit the comment on the platform.
    again = _delivered(
        facebook_channel,
        original,
        facebook_comment_change(
            comment_id="c-1", author_id="vera", author_name="Vera Muster", message="Hallo!", verb="edited"
        ),
    )

    item = Item.objects.get()
    assert (item.text, item.author.external_id) == ("", "")
    assert list(again.changes.values_list("status", flat=True)) == [IngestChange.Status.DUPLICATE] * 2
    assert not Author.objects.filter(external_id="vera").exists()
    assert (bytes(again.body), again.body_dropped_at is not None) == (b"", True)  # the retry's copy goes too


def test_a_delivery_with_a_failed_change_loses_its_body_and_the_failed_change_can_still_run(facebook_channel, lead_for):
    lead = lead_for(facebook_channel.client)
    broken = facebook_comment_change(comment_id="c-2", author_id="otto")
    del broken["value"]["from"]
    partial = _delivered(facebook_channel, facebook_comment_change(comment_id="c-1", author_id="vera"), broken)
    assert partial.status == WebhookDelivery.Status.PARTIAL

    author_erase(acting_user=lead, item_id=Item.objects.get(external_id="c-1").pk, reference="Ticket 10")

    partial.refresh_from_db()
    assert bytes(partial.body) == b""
    failed = partial.changes.get(status=IngestChange.Status.FAILED)
    assert "c-2" in str(failed.payload)  # its own copy stays for the retry


def test_nothing_but_deleting_it_on_the_platform_can_be_done_with_an_erased_item(
    facebook_channel, agent_for, lead_for, meta_graph_stub
):
    client = facebook_channel.client
    agent, lead = agent_for(client, with_mfa=False), lead_for(client)
    campaign = "Boykott! Diese Firma lügt und betrügt ihre Kunden seit Jahren."
    _delivered(
        facebook_channel,
        facebook_comment_change(comment_id="c-1", author_id="vera", message=campaign),
        facebook_comment_change(comment_id="c-2", author_id="uwe", message=campaign),
        facebook_comment_change(comment_id="c-3", author_id="otto", message=campaign),
    )
    veras, uwes, ottos = (Item.objects.get(external_id=f"c-{number}") for number in (1, 2, 3))
    item_moderate(acting_user=agent, item_id=veras.pk, action="hide")
    author_erase(acting_user=lead, item_id=veras.pk, reference="Ticket 11")
    author_erase(acting_user=lead, item_id=uwes.pk, reference="Ticket 12")

    refusals = [
        lambda: item_claim(acting_user=agent, item_id=veras.pk),
        lambda: item_note_add(acting_user=agent, item_id=veras.pk, text="Vera ist wieder da"),
        lambda: item_moderate(acting_user=agent, item_id=veras.pk, action="unhide"),
        lambda: item_tags_change(acting_user=agent, item_id=veras.pk, add=["vera"]),
        lambda: items_hide_near_duplicates(acting_user=agent, item_id=uwes.pk),
    ]
    for refused in refusals:
        with pytest.raises(ItemErased):
            refused()
    # A crisis response published to its linked items passes the erased ones by.
    answered = outbound_replies_enqueue(
        replies=[(uwes, "Wir prüfen das."), (ottos, "Wir prüfen das.")], requested_by=lead, now=timezone.now()
    )
    assert list(answered) == [ottos.pk]
    # Hiding Otto's copy of the campaign leaves the erased copies alone.
    hidden = items_hide_near_duplicates(acting_user=agent, item_id=ottos.pk)
    assert [action.item_id for action in hidden] == [ottos.pk]
    # The comment itself may still go from the platform.
    deleted = item_moderate(acting_user=agent, item_id=veras.pk, action="delete")
    assert deleted.kind == OutboundAction.Kind.DELETE
    assert Item.objects.get(pk=veras.pk).text == ""


def test_a_crisis_opened_from_items_is_not_named_after_a_comment(channel_factory, lead_for, ingest):
    channel = channel_factory(name="Brauhaus Facebook")
    item = ingest(channel, author_id="vera", text="Vera Muster aus Giesing: euer Bier hat mich krank gemacht")

    with translation.override("en"):
        crisis, _created = crisis_create_from_items(
            acting_user=lead_for(channel.client), items=[item], now=timezone.now()
        )

    assert crisis.title.startswith("Crisis on Brauhaus Facebook, ")
    assert "Vera" not in crisis.title and "Vera" not in str([event.data for event in crisis.events.all()])


def test_the_crises_linking_the_authors_items_no_longer_name_them(channel_factory, lead_for, ingest):
    channel = channel_factory()
    lead = lead_for(channel.client)
    item, other = ingest(channel, author_id="vera"), ingest(channel, author_id="otto")
    now = timezone.now()
    crisis, _created = crisis_create_from_items(
        acting_user=lead, items=[item], title="Beschwerde von Dr. Vera Einkauf", now=now
    )
    crisis_post_mortem_write(crisis=crisis, acting_user=lead, text="DR. VERA EINKAUF schrieb zuerst.", now=now)
    draft = response_draft_create(crisis=crisis, acting_user=lead, text="Liebe Dr. Vera Einkauf, danke.", now=now)
    contact = ClientContact.objects.create(client=channel.client, name="Pia", email="pia@example.com")
    Approval.objects.create(
        draft=draft,
        contact=contact,
        decision=Approval.Decision.REJECT,
        via=Approval.Via.PORTAL,
        comment="Dr. Vera Einkauf nicht namentlich nennen",
    )
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.APPROVAL_DECIDED,
        at=now,
        actor_label="Pia",
        data={"version": draft.version, "comment": "Dr. Vera Einkauf nicht namentlich nennen"},
    )
    unrelated, _created = crisis_create_from_items(acting_user=lead, items=[other], title="Dr. Vera Einkauf", now=now)

    author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 7")

    crisis.refresh_from_db()
    draft.refresh_from_db()
    assert (crisis.title, crisis.post_mortem) == ("Beschwerde von […]", "[…] schrieb zuerst.")
    assert draft.text == "Liebe […], danke."
    assert Approval.objects.get(draft=draft).comment == "[…] nicht namentlich nennen"
    assert "Vera" not in str([event.data for event in crisis.events.all()])
    assert crisis.crisis_items.filter(item=item).exists()  # the link and the crisis stay
    unrelated.refresh_from_db()
    assert unrelated.title == "Dr. Vera Einkauf"  # it links none of the author's items


def test_the_published_response_on_other_peoples_items_no_longer_names_the_author(channel_factory, lead_for, ingest):
    channel = channel_factory()
    lead = lead_for(channel.client)
    vera, otto = ingest(channel, author_id="vera"), ingest(channel, author_id="otto")
    crisis, _created = crisis_create_from_items(
        acting_user=lead, items=[vera, otto], title="Glasbruch", now=timezone.now()
    )
    published = OutboundAction.objects.create(
        item=otto,
        kind=OutboundAction.Kind.REPLY,
        text="Wie Dr. Vera Einkauf schon schrieb: wir prüfen das.",
        status=OutboundAction.Status.SENT,
    )

    author_erase(acting_user=lead, item_id=vera.pk, reference="Ticket 8")

    published.refresh_from_db()
    assert published.text == "Wie […] schon schrieb: wir prüfen das."
    assert crisis.crisis_items.count() == 2


def test_a_name_is_replaced_as_a_word_never_inside_another_word(channel_factory, lead_for, ingest):
    channel = channel_factory()
    lead = lead_for(channel.client)
    item = ingest(channel, author_id="max")
    Author.objects.filter(pk=item.author_id).update(display_name="Max")
    crisis, _created = crisis_create_from_items(
        acting_user=lead, items=[item], title="Max' Beschwerde: Lieferzeit maximal, Maxs Paket", now=timezone.now()
    )

    author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 9")

    crisis.refresh_from_db()
    assert crisis.title == "[…]' Beschwerde: Lieferzeit maximal, […] Paket"


def test_another_clients_data_about_the_author_stays(channel_factory, client_factory, lead_for, agent_for, ingest):
    ours, theirs = channel_factory(client=client_factory()), channel_factory(client=client_factory())
    lead = lead_for(ours.client)
    item, elsewhere = ingest(ours, author_id="vera"), ingest(theirs, author_id="vera")
    author_profile_update(
        acting_user=agent_for(theirs.client, with_mfa=False), item_id=elsewhere.pk, is_key_account=True
    )

    erasure = author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 2")

    elsewhere.refresh_from_db()
    assert (elsewhere.text, elsewhere.author.display_name, elsewhere.erased_at) == (
        "Können wir kurz telefonieren?",
        "Dr. Vera Einkauf",
        None,
    )
    assert AuthorProfile.objects.filter(client=theirs.client, author=elsewhere.author, is_key_account=True).exists()
    assert erasure.author_deleted is False


def test_only_shift_leads_and_admins_erase_and_only_what_they_may_see(
    channel_factory, agent_for, lead_for, user_factory, ingest, api_as, client
):
    channel = channel_factory()
    item = ingest(channel, author_id="vera")
    agent = agent_for(channel.client)

    with pytest.raises(PermissionDenied):
        author_erase(acting_user=agent, item_id=item.pk, reference="Ticket 3")
    body = {"reference": "Ticket 3", "confirm": True}
    url = reverse("api_inbox_item_author_erasure", args=[item.pk])
    assert api_as(agent).post(url, body, format="json").status_code == 403
    client.force_login(agent)
    assert client.post(reverse("inbox:author_erasure", args=[item.pk]), {**body, "confirm": "on"}).status_code == 403

    assert not AuthorErasure.objects.exists()
    assert Item.objects.get(pk=item.pk).erased_at is None


def test_a_reference_and_a_confirmation_are_required(channel_factory, lead_for, ingest, api_as, client):
    channel = channel_factory()
    item = ingest(channel, author_id="vera")
    lead = lead_for(channel.client)
    url = reverse("api_inbox_item_author_erasure", args=[item.pk])

    with translation.override("en"), pytest.raises(InboxActionError, match="documented"):
        author_erase(acting_user=lead, item_id=item.pk, reference="   ")
    unconfirmed = api_as(lead).post(url, {"reference": "Ticket 4", "confirm": False}, format="json")
    assert unconfirmed.status_code == 400
    assert "nicht rückgängig gemacht" in str(unconfirmed.json()["confirm"])
    too_long = api_as(lead).post(url, {"reference": "x" * 201, "confirm": True}, format="json")
    assert too_long.status_code == 400 and "reference" in too_long.json()
    client.force_login(lead)
    page = client.post(
        reverse("inbox:author_erasure", args=[item.pk]),
        {"reference": "Ticket 4"},
        headers={"Accept-Language": "en"},
        follow=True,
    )
    assert "Confirm the erasure: it cannot be undone." in page.content.decode()

    assert not AuthorErasure.objects.exists()
    assert Item.objects.get(pk=item.pk).text == "Können wir kurz telefonieren?"


def test_the_api_erases_and_the_item_then_says_so(channel_factory, lead_for, ingest, api_as):
    channel = channel_factory()
    item = ingest(channel, author_id="vera")
    lead = lead_for(channel.client)

    response = api_as(lead).post(
        reverse("api_inbox_item_author_erasure", args=[item.pk]),
        {"reference": "Ticket 5", "confirm": True},
        format="json",
    )

    assert response.status_code == 201
    assert {key: response.json()[key] for key in ("reference", "items_erased", "author_deleted")} == {
        "reference": "Ticket 5",
        "items_erased": 1,
        "author_deleted": True,
    }
    detail = api_as(lead).get(reverse("api_inbox_item", args=[item.pk]), headers={"Accept-Language": "en"}).json()
    assert (detail["item"]["text"], detail["item"]["author_name"]) == ("", "Erased author")
    assert detail["item"]["erased_at"] is not None
    again = api_as(lead).post(
        reverse("api_inbox_item_author_erasure", args=[item.pk]), {"reference": "Ticket 5", "confirm": True}
    )
    assert (again.status_code, again.json()["code"]) == (400, "author_already_erased")
    with pytest.raises(AuthorAlreadyErased):
        author_profile_update(acting_user=lead, item_id=item.pk, is_key_account=True)


def test_the_item_page_offers_the_erasure_to_leads_and_shows_the_result(
    channel_factory, lead_for, agent_for, ingest, client
):
    channel = channel_factory()
    item = ingest(channel, author_id="vera")
    ingest(channel, author_id="vera", text="Noch eine Frage")
    lead, agent = lead_for(channel.client), agent_for(channel.client)
    url = reverse("inbox:item", args=[item.pk])
    english = {"Accept-Language": "en"}

    client.force_login(agent)
    assert "Erase personal data" not in client.get(url, headers=english).content.decode()
    client.force_login(lead)
    assert "Erase personal data (GDPR Art. 17)" in client.get(url, headers=english).content.decode()

    page = client.post(
        reverse("inbox:author_erasure", args=[item.pk]),
        {"reference": "Ticket 6", "confirm": "on"},
        headers=english,
        follow=True,
    ).content.decode()

    assert f"The author&#x27;s personal data at {channel.client.name} was erased (2 items)." in page
    assert "(Text erased at the author&#x27;s request.)" in page
    assert "Erased author" in page
    assert "Dr. Vera Einkauf" not in page and "Können wir kurz telefonieren?" not in page
    assert "Erase personal data" not in page
    with translation.override("de"):
        german = client.get(url).content.decode()
    assert "Gelöschte Person" in german


def test_erased_items_stand_for_no_author_in_the_client_report(channel_factory, lead_for, ingest):
    channel = channel_factory()
    lead = lead_for(channel.client)
    erased = ingest(channel, author_id="vera")
    kept = ingest(channel, author_id="otto", text="Super Service")
    author_erase(acting_user=lead, item_id=erased.pk, reference="Ticket 7")
    today = timezone.localdate()
    period = ReportPeriod.last_days(days=7, today=today, time_zone=ZoneInfo(channel.client.time_zone))

    figures = author_figures(client=channel.client, report_filter=ReportFilter(period=period))

    assert [row["author_id"] for row in figures.activity] == [kept.author_id]


def test_the_per_platform_texts_of_a_crisis_response_no_longer_name_the_author(channel_factory, lead_for, ingest):
    channel = channel_factory()
    lead = lead_for(channel.client)
    item = ingest(channel, author_id="vera")
    now = timezone.now()
    crisis, _created = crisis_create_from_items(acting_user=lead, items=[item], title="Beschwerde", now=now)
    draft = response_draft_create(
        crisis=crisis,
        acting_user=lead,
        text="Liebe Community, danke.",
        platform_texts={channel.platform: "Liebe Dr. Vera Einkauf, danke."},
        now=now,
    )

    author_erase(acting_user=lead, item_id=item.pk, reference="Ticket 8")

    draft.refresh_from_db()
    assert draft.platform_texts == {channel.platform: "Liebe […], danke."}
