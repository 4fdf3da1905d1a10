"""Publishing through the inbox outbox (inbox.services.outbox.outbound_replies_enqueue)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from communityops.models import Channel
from crises.event_summaries import event_summary
from crises.models import Crisis, CrisisEvent, CrisisItem, HoldingStatement
from crises.services import (
    CrisisError,
    NothingToSend,
    approval_decide,
    crisis_create,
    crisis_items_link,
    crisis_publish,
    holding_statement_publish,
    response_draft_create,
    response_draft_submit,
)
from inbox.models import Item, ItemEvent, OutboundAction
from inbox.services.ingestion import item_mark_removed_on_platform, thread_mark_removed_on_platform
from inbox.services.outbox import outbound_replies_enqueue


@pytest.fixture
def approved_crisis(client_factory, channel_factory, contact_factory, item_factory, shift_lead):
    client = client_factory()
    channel = channel_factory(client=client)
    approver = contact_factory(client)
    items = [item_factory(channel=channel, sentiment=Item.Sentiment.NEGATIVE) for _ in range(3)]
    now = timezone.now()
    crisis = crisis_create(acting_user=shift_lead, client=client, title="Publish", now=now)
    crisis_items_link(crisis=crisis, items=items, acting_user=shift_lead, now=now)
    draft = response_draft_create(crisis=crisis, acting_user=shift_lead, text="Das Statement.", now=now)
    response_draft_submit(draft=draft, acting_user=shift_lead, now=now)
    approval_decide(draft=draft, contact=approver, decision="approve", comment="", via="portal", now=now)
    return {"crisis": crisis, "items": items, "channel": channel, "lead": shift_lead}


def test_publish_sends_the_approved_text_to_every_linked_item(approved_crisis):
    crisis, items = approved_crisis["crisis"], approved_crisis["items"]

    answered = crisis_publish(crisis=crisis, acting_user=approved_crisis["lead"], now=timezone.now()).answered

    crisis.refresh_from_db()
    replies = OutboundAction.objects.filter(item__in=items, kind=OutboundAction.Kind.REPLY)
    assert sorted(answered) == sorted(item.pk for item in items)
    assert sorted(replies.values_list("item_id", flat=True)) == sorted(item.pk for item in items)
    assert set(replies.values_list("text", flat=True)) == {"Das Statement."}
    assert set(Item.objects.filter(pk__in=answered).values_list("status", flat=True)) == {Item.Status.ANSWERED}
    assert crisis.status == Crisis.Status.PUBLISHED
    assert CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEvent.Kind.PUBLISHED).count() == 1


def test_publishing_to_many_linked_items_writes_in_bulk(approved_crisis, item_factory, django_assert_max_num_queries):
    """A shitstorm's crisis may link thousands of items: one by one, 558 took 2.95 s in one request."""
    crisis, lead = approved_crisis["crisis"], approved_crisis["lead"]
    more = [item_factory(channel=approved_crisis["channel"]) for _ in range(30)]
    crisis_items_link(crisis=crisis, items=more, acting_user=lead, now=timezone.now())

    with django_assert_max_num_queries(20):
        answered = crisis_publish(crisis=crisis, acting_user=lead, now=timezone.now()).answered

    assert len(answered) == 33
    links = CrisisItem.objects.filter(crisis=crisis).select_related("answered_action", "answered_draft")
    assert {link.answered_action.item_id for link in links} == {link.item_id for link in links} == set(answered)
    assert {link.answered_draft.text for link in links} == {"Das Statement."}


def test_publishing_answers_each_item_as_its_platform_and_its_state_require(
    client_factory, channel_factory, contact_factory, item_factory, shift_lead, agent_for
):
    client = client_factory()
    facebook = channel_factory(client=client)
    instagram = channel_factory(client=client, platform=Channel.Platform.INSTAGRAM_ACCOUNT)
    agent, approver = agent_for(client), contact_factory(client)
    long_ago = timezone.now() - timedelta(hours=3)
    claimed, answered_before, fresh = (
        item_factory(channel=instagram),
        item_factory(channel=facebook),
        item_factory(channel=facebook),
    )
    already_replied = item_factory(channel=instagram)
    Item.objects.filter(pk=claimed.pk).update(
        status=Item.Status.CLAIMED,
        claimed_by=agent,
        claimed_at=timezone.now(),
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )
    Item.objects.filter(pk=answered_before.pk).update(status=Item.Status.ANSWERED, first_response_at=long_ago)
    earlier_reply = OutboundAction.objects.create(
        item=already_replied, kind=OutboundAction.Kind.REPLY, text="IG-Text.", status=OutboundAction.Status.SENT
    )
    now = timezone.now()
    crisis = crisis_create(acting_user=shift_lead, client=client, title="Publish", now=now)
    crisis_items_link(
        crisis=crisis, items=[fresh, already_replied, answered_before, claimed], acting_user=shift_lead, now=now
    )
    draft = response_draft_create(
        crisis=crisis,
        acting_user=shift_lead,
        text="FB-Text.",
        platform_texts={"instagram_account": "IG-Text."},
        now=now,
    )
    response_draft_submit(draft=draft, acting_user=shift_lead, now=now)
    approval_decide(draft=draft, contact=approver, decision="approve", comment="", via="portal", now=now)

    answered = crisis_publish(crisis=crisis, acting_user=shift_lead, now=now).answered

    assert sorted(answered) == sorted(item.pk for item in (fresh, already_replied, answered_before, claimed))
    actions = {link.item_id: link.answered_action for link in CrisisItem.objects.filter(crisis=crisis)}
    assert {item_id: action.text for item_id, action in actions.items()} == {
        fresh.pk: "FB-Text.",
        answered_before.pk: "FB-Text.",
        claimed.pk: "IG-Text.",
        already_replied.pk: "IG-Text.",
    }
    assert actions[already_replied.pk] == earlier_reply  # the identical reply is not sent twice
    items = {item.pk: item for item in Item.objects.filter(pk__in=[fresh.pk, answered_before.pk, claimed.pk])}
    assert {item.status for item in items.values()} == {Item.Status.ANSWERED}
    assert items[answered_before.pk].first_response_at == long_ago and items[fresh.pk].first_response_at == now
    assert items[claimed.pk].claimed_by is None
    queued = ItemEvent.objects.get(item=claimed, kind=ItemEvent.Kind.REPLY_QUEUED)
    assert queued.data["previous_holder_id"] == agent.pk and queued.data["action_id"] == actions[claimed.pk].pk


def test_publishing_without_a_lease_leaves_hidden_and_spam_items_alone(item_factory, shift_lead):
    hidden, spam, open_item = item_factory(), item_factory(), item_factory()
    Item.objects.filter(pk=hidden.pk).update(status=Item.Status.HIDDEN)
    Item.objects.filter(pk=spam.pk).update(status=Item.Status.SPAM)

    actions = outbound_replies_enqueue(
        replies=[(hidden, "Text"), (spam, "Text"), (open_item, "Text")], requested_by=shift_lead, now=timezone.now()
    )

    assert list(actions) == [open_item.pk]
    assert set(Item.objects.filter(pk__in=[hidden.pk, spam.pk]).values_list("status", flat=True)) == {
        Item.Status.HIDDEN,
        Item.Status.SPAM,
    }


def test_items_linked_later_get_the_same_approved_text(approved_crisis, item_factory):
    crisis, lead = approved_crisis["crisis"], approved_crisis["lead"]
    crisis_publish(crisis=crisis, acting_user=lead, now=timezone.now())
    late = item_factory(channel=approved_crisis["channel"])
    crisis_items_link(crisis=crisis, items=[late], acting_user=lead, now=timezone.now())

    answered = crisis_publish(crisis=crisis, acting_user=lead, now=timezone.now()).answered

    assert answered == [late.pk]
    assert OutboundAction.objects.filter(kind=OutboundAction.Kind.REPLY).count() == 4
    assert OutboundAction.objects.get(item=late).text == "Das Statement."


def test_nothing_is_published_without_approval(client_factory, item_factory, shift_lead):
    item = item_factory()
    crisis = crisis_create(acting_user=shift_lead, client=item.client, title="x", now=timezone.now())
    crisis_items_link(crisis=crisis, items=[item], acting_user=shift_lead, now=timezone.now())

    with pytest.raises(CrisisError):
        crisis_publish(crisis=crisis, acting_user=shift_lead, now=timezone.now())
    assert not OutboundAction.objects.exists()


def test_a_pre_approved_holding_statement_goes_out_at_once(item_factory, shift_lead):
    item = item_factory()
    crisis = crisis_create(acting_user=shift_lead, client=item.client, title="x", now=timezone.now())
    crisis_items_link(crisis=crisis, items=[item], acting_user=shift_lead, now=timezone.now())
    statement = HoldingStatement.objects.create(
        client=item.client, title="Wir prüfen", text="Wir prüfen das.", is_pre_approved=True
    )

    outcome = holding_statement_publish(crisis=crisis, statement=statement, acting_user=shift_lead, now=timezone.now())

    assert outcome.answered == [item.pk]
    assert OutboundAction.objects.get(item=item).text == "Wir prüfen das."


def test_a_linked_item_on_a_channel_that_cannot_reply_is_left_out_and_named(
    approved_crisis, channel_factory, item_factory, client
):
    # Reviews arrive by the generic webhook, which cannot answer: publishing answered the others
    # and then failed as a whole (HTTP 500) because of it.
    crisis, lead = approved_crisis["crisis"], approved_crisis["lead"]
    reviews = channel_factory(client=crisis.client, platform=Channel.Platform.GENERIC)
    review = item_factory(channel=reviews)
    crisis_items_link(crisis=crisis, items=[review], acting_user=lead, now=timezone.now())
    client.force_login(lead)

    page = client.post(reverse("crises:publish", args=[crisis.pk]), headers={"Accept-Language": "en"}, follow=True)

    assert page.status_code == 200
    body = page.content.decode()
    assert "Response sent to 3 items." in body
    assert f"Not sent: 1 item on a channel that cannot reply ({reviews.name}), to be answered on the platform." in body
    assert Item.objects.get(pk=review.pk).status == Item.Status.NEW
    assert not OutboundAction.objects.filter(item=review).exists()


def _approved_without_items(client_factory, contact_factory, shift_lead) -> Crisis:
    client = client_factory()
    approver = contact_factory(client)
    now = timezone.now()
    crisis = crisis_create(acting_user=shift_lead, client=client, title="Nobody linked", now=now)
    draft = response_draft_create(crisis=crisis, acting_user=shift_lead, text="Das Statement.", now=now)
    response_draft_submit(draft=draft, acting_user=shift_lead, now=now)
    approval_decide(draft=draft, contact=approver, decision="approve", comment="", via="portal", now=now)
    return crisis


def test_publishing_to_a_crisis_without_linked_items_sends_nothing_and_says_so(
    client_factory, contact_factory, shift_lead
):
    crisis = _approved_without_items(client_factory, contact_factory, shift_lead)

    with translation.override("en"), pytest.raises(NothingToSend, match="no items are linked"):
        crisis_publish(crisis=crisis, acting_user=shift_lead, now=timezone.now())

    crisis.refresh_from_db()
    assert crisis.status == Crisis.Status.APPROVED  # not "published" when nothing went out
    assert not CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEvent.Kind.PUBLISHED).exists()


def test_publishing_again_with_nothing_new_says_nothing_was_sent(approved_crisis):
    crisis, lead = approved_crisis["crisis"], approved_crisis["lead"]
    crisis_publish(crisis=crisis, acting_user=lead, now=timezone.now())

    with translation.override("en"), pytest.raises(NothingToSend, match="already received this response"):
        crisis_publish(crisis=crisis, acting_user=lead, now=timezone.now())


def test_the_page_warns_instead_of_reporting_0_items_sent(client_factory, contact_factory, shift_lead, client):
    crisis = _approved_without_items(client_factory, contact_factory, shift_lead)
    statement = HoldingStatement.objects.create(
        client=crisis.client, title="Wir prüfen", text="Wir prüfen das.", is_pre_approved=True
    )
    client.force_login(shift_lead)

    published = client.post(reverse("crises:publish", args=[crisis.pk]), headers={"Accept-Language": "de"}, follow=True)
    holding = client.post(
        reverse("crises:holding_publish", args=[crisis.pk]),
        {"statement": statement.pk},
        headers={"Accept-Language": "de"},
        follow=True,
    )

    for page in (published, holding):
        (message,) = page.context["messages"]
        assert message.level_tag == "warning"
        assert "Es wurde nichts gesendet" in message.message
        assert "0 Beiträge" not in page.content.decode()


def test_the_page_counts_one_item_in_the_singular(approved_crisis, client):
    crisis, lead = approved_crisis["crisis"], approved_crisis["lead"]
    CrisisItem.objects.filter(crisis=crisis).exclude(item=approved_crisis["items"][0]).delete()
    client.force_login(lead)

    page = client.post(reverse("crises:publish", args=[crisis.pk]), headers={"Accept-Language": "de"}, follow=True)

    assert "Antwort an 1 Beitrag gesendet." in page.content.decode()


@pytest.fixture
def crisis_with_reviews(approved_crisis, channel_factory, item_factory):
    """The approved crisis's three comments, two reviews on a channel that cannot reply, one hidden comment."""
    crisis, lead = approved_crisis["crisis"], approved_crisis["lead"]
    reviews = channel_factory(client=crisis.client, platform=Channel.Platform.GENERIC, name="Bewertungen")
    hidden = item_factory(channel=approved_crisis["channel"])
    Item.objects.filter(pk=hidden.pk).update(status=Item.Status.HIDDEN)
    review_items = [item_factory(channel=reviews) for _ in range(2)]
    crisis_items_link(crisis=crisis, items=[*review_items, hidden], acting_user=lead, now=timezone.now())
    return {**approved_crisis, "reviews": review_items, "hidden": hidden}


@pytest.mark.parametrize(
    ("language", "sent", "not_sent"),
    [
        (
            "en",
            "Response sent to 3 items.",
            "Not sent: 2 items on a channel that cannot reply (Bewertungen), to be answered on the platform;"
            " 1 item hidden.",
        ),
        (
            "de",
            "Antwort an 3 Beiträge gesendet.",
            "Nicht gesendet: 2 Beiträge auf einem Kanal ohne Antwortfunktion (Bewertungen), direkt auf der Plattform"
            " zu beantworten; 1 Beitrag ausgeblendet.",
        ),
    ],
)
def test_the_publish_message_says_why_items_were_not_sent_with_counts(
    crisis_with_reviews, client, language, sent, not_sent
):
    crisis = crisis_with_reviews["crisis"]
    client.force_login(crisis_with_reviews["lead"])

    page = client.post(reverse("crises:publish", args=[crisis.pk]), headers={"Accept-Language": language}, follow=True)

    said = [message.message for message in page.context["messages"]]
    assert said == [sent, not_sent]  # the reasons that apply, not every one there could be
    assert set(
        Item.objects.filter(pk__in=[i.pk for i in crisis_with_reviews["reviews"]]).values_list("status", flat=True)
    ) == {Item.Status.NEW}


def test_after_a_publish_the_page_says_so_and_offers_only_what_a_publish_would_still_send(
    crisis_with_reviews, client, item_factory
):
    crisis, lead = crisis_with_reviews["crisis"], crisis_with_reviews["lead"]
    client.force_login(lead)
    before = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    published_at = timezone.now()
    crisis_publish(crisis=crisis, acting_user=lead, now=published_at)

    after = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    crisis_items_link(
        crisis=crisis,
        items=[item_factory(channel=crisis_with_reviews["channel"])],
        acting_user=lead,
        now=timezone.now(),
    )
    linked_later = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()

    when = timezone.localtime(published_at)
    assert "Publish approved v1 to 3 items</button>" in before
    assert "Will not be sent: 2 items on a channel that cannot reply (Bewertungen)" in before
    assert f"Approved v1 went out to 3 items, last on {when:%b} {when.day}, {when:%H:%M}." in after
    assert "Publish approved v1" not in after and "Send approved v1" not in after
    assert "Not sent: 2 items on a channel that cannot reply (Bewertungen)" in after
    assert "Send approved v1 to 1 more item</button>" in linked_later


def test_a_publish_that_reaches_nobody_says_the_actual_reason(approved_crisis, channel_factory, item_factory):
    crisis, lead = approved_crisis["crisis"], approved_crisis["lead"]
    CrisisItem.objects.filter(crisis=crisis).delete()
    reviews = channel_factory(client=crisis.client, platform=Channel.Platform.GENERIC, name="Bewertungen")
    crisis_items_link(crisis=crisis, items=[item_factory(channel=reviews)], acting_user=lead, now=timezone.now())

    with (
        translation.override("en"),
        pytest.raises(NothingToSend) as refused,
    ):
        crisis_publish(crisis=crisis, acting_user=lead, now=timezone.now())

    assert str(refused.value) == (
        "Nothing was sent: 1 item on a channel that cannot reply (Bewertungen), to be answered on the platform."
    )


def test_the_timeline_and_the_api_say_what_a_publish_did_not_send(crisis_with_reviews, client):
    crisis = crisis_with_reviews["crisis"]
    client.force_login(crisis_with_reviews["lead"])

    answer = client.post(f"/api/crises/{crisis.pk}/publish/").json()

    event = CrisisEvent.objects.get(crisis=crisis, kind=CrisisEvent.Kind.PUBLISHED)
    assert sorted(answer["answered_item_ids"]) == sorted(item.pk for item in crisis_with_reviews["items"])
    assert answer["not_sent"] == {"channel_cannot_reply": 2, "hidden": 1}
    assert answer["channels_cannot_reply"] == ["Bewertungen"]
    with translation.override("en"):
        assert event_summary(event) == (
            "version 1 to 3 items; not sent: 2 items on a channel that cannot reply (Bewertungen), to be answered"
            " on the platform; 1 item hidden"
        )


def test_a_publish_leaves_out_the_replies_of_a_comment_removed_on_facebook(approved_crisis, item_factory):
    crisis, lead, channel = approved_crisis["crisis"], approved_crisis["lead"], approved_crisis["channel"]
    comment = approved_crisis["items"][0]
    Item.objects.filter(pk=comment.pk).update(thread_external_id="post-1")
    reply = item_factory(
        channel=channel, kind=Item.Kind.REPLY, thread_external_id="post-1", parent_external_id=comment.external_id
    )
    crisis_items_link(crisis=crisis, items=[reply], acting_user=lead, now=timezone.now())
    item_mark_removed_on_platform(channel=channel, external_id=comment.external_id, reason="removed on Facebook")

    answered = crisis_publish(crisis=crisis, acting_user=lead, now=timezone.now()).answered

    assert sorted(answered) == sorted(item.pk for item in approved_crisis["items"][1:])
    assert not OutboundAction.objects.filter(item__in=[comment, reply]).exists()


def test_a_publish_leaves_out_the_comments_of_a_post_removed_on_facebook(approved_crisis):
    crisis, lead, channel, items = (approved_crisis[key] for key in ("crisis", "lead", "channel", "items"))
    Item.objects.filter(pk__in=[items[0].pk, items[1].pk]).update(thread_external_id="post-1")
    Item.objects.filter(pk=items[2].pk).update(thread_external_id="post-2")
    thread_mark_removed_on_platform(channel=channel, thread_external_id="post-1")

    answered = crisis_publish(crisis=crisis, acting_user=lead, now=timezone.now()).answered

    assert answered == [items[2].pk]
    assert not OutboundAction.objects.filter(item__in=items[:2]).exists()


@pytest.mark.parametrize(
    ("language", "will_not_be_sent", "not_sent"),
    [
        ("en", "Will not be sent: 1 item removed on the platform.", "Not sent: 1 item removed on the platform."),
        (
            "de",
            "Wird nicht gesendet: 1 Beitrag auf der Plattform entfernt.",
            "Nicht gesendet: 1 Beitrag auf der Plattform entfernt.",
        ),
    ],
)
def test_a_publish_leaves_out_a_comment_removed_on_the_platform_and_says_so(
    approved_crisis, client, language, will_not_be_sent, not_sent
):
    crisis, lead, removed = approved_crisis["crisis"], approved_crisis["lead"], approved_crisis["items"][0]
    item_mark_removed_on_platform(
        channel=removed.channel, external_id=removed.external_id, reason="removed on Facebook"
    )
    client.force_login(lead)

    before = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": language}).content.decode()
    page = client.post(reverse("crises:publish", args=[crisis.pk]), headers={"Accept-Language": language}, follow=True)

    assert will_not_be_sent in before
    assert [message.message for message in page.context["messages"]][1:] == [not_sent]
    assert not OutboundAction.objects.filter(item=removed).exists()
    assert OutboundAction.objects.filter(item__in=approved_crisis["items"][1:]).count() == 2
