import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from communityops.models import Channel
from inbox.models import Item, ItemEvent, OutboundAction
from inbox.selectors import item_conversation_version
from inbox.services.claims import item_claim
from inbox.services.errors import ItemRemovedOnPlatform, LeaseNotHeld, ReplyConflict
from inbox.services.ingestion import item_mark_removed_on_platform
from inbox.services.outbox import (
    item_reply,
    outbound_action_retry_now,
    outbound_action_send,
    outbound_actions_due,
    outbound_replies_enqueue,
)

from .ingest_payloads import facebook_comment_change, meta_body


@pytest.fixture
def claimed_item(channel_factory, open_item_factory, agent_for, meta_graph_stub):
    """An item on a Facebook page, claimed by an agent; returns (item, agent)."""
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE, access_token="page-token")
    item = open_item_factory(channel=channel, external_id="post1_comment1", thread_external_id="post1")
    agent = agent_for(channel.client)
    item_claim(acting_user=agent, item_id=item.pk)
    return item, agent


def test_a_reply_goes_out_once_and_answers_the_item(claimed_item, meta_graph_stub, django_capture_on_commit_callbacks):
    item, agent = claimed_item
    loaded = item_conversation_version(item=item)

    with django_capture_on_commit_callbacks(execute=True):
        action = item_reply(acting_user=agent, item_id=item.pk, text="Danke für Ihre Frage!", loaded_at_event_id=loaded)

    action.refresh_from_db()
    item.refresh_from_db()
    assert action.status == OutboundAction.Status.SENT
    assert action.external_id == "post1_comment1_1"
    assert (item.status, item.claimed_by, item.first_response_at is not None) == (Item.Status.ANSWERED, None, True)
    [request] = meta_graph_stub.requests
    assert request.path == "/v21.0/post1_comment1/comments"
    assert request.form == {"message": "Danke für Ihre Frage!", "access_token": "page-token"}
    assert request.header("Idempotency-Key") == str(action.idempotency_key)
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds[-2:] == [ItemEvent.Kind.REPLY_QUEUED, ItemEvent.Kind.SENT]


def test_a_reply_is_refused_when_something_new_arrived_in_the_conversation(
    claimed_item, open_item_factory, meta_graph_stub
):
    item, agent = claimed_item
    loaded = item_conversation_version(item=item)
    newcomer = open_item_factory(
        channel=item.channel,
        thread_external_id="post1",
        parent_external_id=item.external_id,
        text="Hallo?? Antwortet hier jemand?",
        external_id="post1_c2",
    )

    with pytest.raises(ReplyConflict) as conflict:
        item_reply(acting_user=agent, item_id=item.pk, text="Danke!", loaded_at_event_id=loaded)

    [change] = conflict.value.details["changes"]
    assert (change["item_id"], change["kind"], change["text"]) == (newcomer.pk, "received", newcomer.text)
    item.refresh_from_db()
    assert item.status == Item.Status.CLAIMED
    assert not OutboundAction.objects.exists()
    assert meta_graph_stub.requests == []


@pytest.mark.parametrize(
    "change, expected_kind, expected_text",
    [
        (
            {"verb": "edited", "message": "Nachtrag: die Lieferung kam kaputt an."},
            ItemEvent.Kind.EDITED,
            "Nachtrag: die Lieferung kam kaputt an.",
        ),
        ({"verb": "remove", "comment_id": "post1_comment1_answer"}, ItemEvent.Kind.REMOVED, ""),
    ],
)
def test_a_reply_is_refused_when_the_conversation_was_edited_or_removed_on_the_platform_meanwhile(
    claimed_item,
    open_item_factory,
    post_meta,
    meta_graph_stub,
    django_capture_on_commit_callbacks,
    change,
    expected_kind,
    expected_text,
):
    item, agent = claimed_item
    answer = open_item_factory(
        channel=item.channel,
        thread_external_id="post1",
        parent_external_id=item.external_id,
        external_id="post1_comment1_answer",
    )
    changed = answer if "comment_id" in change else item
    loaded = item_conversation_version(item=item)
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(
            item.channel,
            meta_body(item.channel, changes=[facebook_comment_change(**{"comment_id": item.external_id, **change})]),
        )

    with pytest.raises(ReplyConflict) as conflict:
        item_reply(acting_user=agent, item_id=item.pk, text="Danke für Ihr Lob!", loaded_at_event_id=loaded)

    [seen] = conflict.value.details["changes"]
    assert (seen["item_id"], seen["kind"], seen["text"]) == (changed.pk, expected_kind, expected_text)
    assert not OutboundAction.objects.exists()
    assert meta_graph_stub.requests == []


@pytest.mark.parametrize("composer_loaded", ["before the removal", "after the removal"])
def test_a_reply_to_a_comment_removed_on_the_platform_is_refused_for_good(
    claimed_item, post_meta, meta_graph_stub, django_capture_on_commit_callbacks, composer_loaded
):
    item, agent = claimed_item
    loaded_before = item_conversation_version(item=item)
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(
            item.channel,
            meta_body(item.channel, changes=[facebook_comment_change(comment_id=item.external_id, verb="remove")]),
        )
    loaded = loaded_before if composer_loaded == "before the removal" else item_conversation_version(item=item)

    with pytest.raises(ItemRemovedOnPlatform) as refused:
        item_reply(acting_user=agent, item_id=item.pk, text="Danke für Ihr Lob!", loaded_at_event_id=loaded)

    assert refused.value.code == "item_removed_on_platform"
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Item.Status.CLAIMED, agent)
    assert not OutboundAction.objects.exists()
    assert meta_graph_stub.requests == []


def test_a_reply_after_reloading_the_conversation_is_accepted(
    claimed_item, open_item_factory, django_capture_on_commit_callbacks
):
    item, agent = claimed_item
    open_item_factory(
        channel=item.channel, thread_external_id="post1", parent_external_id=item.external_id, external_id="post1_c3"
    )

    with django_capture_on_commit_callbacks(execute=True):
        action = item_reply(
            acting_user=agent, item_id=item.pk, text="Danke!", loaded_at_event_id=item_conversation_version(item=item)
        )

    assert action.pk is not None


def test_a_reply_needs_a_live_lease(claimed_item):
    item, agent = claimed_item

    with pytest.raises(LeaseNotHeld):
        item_reply(
            acting_user=agent,
            item_id=item.pk,
            text="Zu spät",
            loaded_at_event_id=item_conversation_version(item=item),
            now=timezone.now() + timedelta(minutes=6),
        )


def test_a_failed_send_is_visible_and_retried_with_backoff(
    claimed_item, meta_graph_stub, settings, django_capture_on_commit_callbacks
):
    settings.INBOX_OUTBOX_BACKOFF_SECONDS = 30
    item, agent = claimed_item
    meta_graph_stub.fail_next(1, status=503, body={"error": {"message": "Service temporarily unavailable", "code": 2}})

    with django_capture_on_commit_callbacks(execute=True):
        action = item_reply(
            acting_user=agent, item_id=item.pk, text="Gern!", loaded_at_event_id=item_conversation_version(item=item)
        )

    action.refresh_from_db()
    assert action.status == OutboundAction.Status.FAILED
    assert action.attempts == 1
    assert "Service temporarily unavailable" in action.last_error
    assert action.failure == OutboundAction.Failure.UNREACHABLE
    failure = item.events.get(kind=ItemEvent.Kind.SEND_FAILED)
    assert failure.data["will_retry"] is True
    retry_at = action.next_attempt_at
    assert outbound_actions_due(now=retry_at - timedelta(seconds=1)) == []
    assert outbound_actions_due(now=retry_at) == [action.pk]

    outbound_action_send(action_id=action.pk, now=retry_at)

    action.refresh_from_db()
    assert (action.status, action.attempts, action.last_error) == (OutboundAction.Status.SENT, 2, "")
    assert len(meta_graph_stub.requests) == 2
    assert len(meta_graph_stub.app.replies) == 1


def test_a_permanent_failure_stops_retrying_and_reopens_the_item(
    claimed_item, meta_graph_stub, django_capture_on_commit_callbacks
):
    item, agent = claimed_item
    meta_graph_stub.fail_next(1, status=400, body={"error": {"message": "(#100) Invalid comment id", "code": 100}})

    with django_capture_on_commit_callbacks(execute=True):
        action = item_reply(
            acting_user=agent, item_id=item.pk, text="Gern!", loaded_at_event_id=item_conversation_version(item=item)
        )

    action.refresh_from_db()
    item.refresh_from_db()
    assert (action.status, action.next_attempt_at) == (OutboundAction.Status.FAILED, None)
    assert "(#100) Invalid comment id" in action.last_error
    assert item.status == Item.Status.NEW
    assert outbound_actions_due(now=timezone.now() + timedelta(days=1)) == []


def test_running_the_send_task_twice_sends_once(claimed_item, meta_graph_stub, django_capture_on_commit_callbacks):
    item, agent = claimed_item
    with django_capture_on_commit_callbacks(execute=True):
        action = item_reply(
            acting_user=agent, item_id=item.pk, text="Einmal!", loaded_at_event_id=item_conversation_version(item=item)
        )

    second_run = outbound_action_send(action_id=action.pk)

    assert second_run is None
    assert len(meta_graph_stub.requests) == 1
    assert item.events.filter(kind=ItemEvent.Kind.SENT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_of_the_send_task_send_once(channel_factory, open_item_factory, user_factory, meta_graph_stub):
    channel = channel_factory(platform=Channel.Platform.INSTAGRAM_ACCOUNT)
    item = open_item_factory(channel=channel)
    action = OutboundAction.objects.create(item=item, kind=OutboundAction.Kind.REPLY, text="Nur einmal")
    start = threading.Barrier(12)
    outcomes = []

    def run():
        try:
            start.wait()
            outcomes.append(outbound_action_send(action_id=action.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    action.refresh_from_db()
    assert action.status == OutboundAction.Status.SENT
    assert len(meta_graph_stub.requests) == 1
    assert len([outcome for outcome in outcomes if outcome is not None]) == 1


def test_a_send_stuck_past_its_deadline_is_retried(claimed_item, meta_graph_stub, settings):
    settings.INBOX_OUTBOX_SENDING_TIMEOUT_SECONDS = 120
    item, _agent = claimed_item
    action = OutboundAction.objects.create(
        item=item,
        kind=OutboundAction.Kind.HIDE,
        status=OutboundAction.Status.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(seconds=120),
    )

    assert outbound_action_send(action_id=action.pk) is None  # its worker may still be sending
    later = timezone.now() + timedelta(seconds=121)
    assert outbound_actions_due(now=later) == [action.pk]
    outbound_action_send(action_id=action.pk, now=later)

    action.refresh_from_db()
    assert (action.status, action.attempts) == (OutboundAction.Status.SENT, 2)
    assert meta_graph_stub.app.hidden == {item.external_id: True}


def test_a_send_stuck_on_its_last_attempt_gives_up_and_reopens_the_item(claimed_item, meta_graph_stub, settings):
    # Given a reply whose last allowed attempt died mid-send (SENDING past its deadline)
    settings.INBOX_OUTBOX_MAX_ATTEMPTS = 3
    item, agent = claimed_item
    Item.objects.filter(pk=item.pk).update(status=Item.Status.ANSWERED, claimed_by=None, lease_expires_at=None)
    action = OutboundAction.objects.create(
        item=item,
        kind=OutboundAction.Kind.REPLY,
        text="Antwort",
        requested_by=agent,
        status=OutboundAction.Status.SENDING,
        attempts=3,
        next_attempt_at=timezone.now() - timedelta(seconds=1),
    )

    # When the retry runs it
    outcome = outbound_action_send(action_id=action.pk)

    # Then nothing is sent again: the failure is recorded and the item is open again
    action.refresh_from_db()
    item.refresh_from_db()
    assert outcome is None
    assert meta_graph_stub.requests == []
    assert (action.status, action.attempts, action.next_attempt_at) == (OutboundAction.Status.FAILED, 3, None)
    assert "outcome is unknown" in action.last_error
    assert action.failure == OutboundAction.Failure.OUTCOME_UNKNOWN
    assert item.events.get(kind=ItemEvent.Kind.SEND_FAILED).data["will_retry"] is False
    assert item.status == Item.Status.NEW


def test_a_send_takes_a_fixed_number_of_queries(claimed_item, meta_graph_stub, django_assert_num_queries):
    item, agent = claimed_item
    action = OutboundAction.objects.create(item=item, kind=OutboundAction.Kind.REPLY, text="Gern!", requested_by=agent)

    # claim (one conditional UPDATE), read it with item and channel, then savepoint, SENT, SENT event, release
    with django_assert_num_queries(6):
        sent = outbound_action_send(action_id=action.pk)

    action.refresh_from_db()
    assert sent.status == action.status == OutboundAction.Status.SENT
    assert item.events.get(kind=ItemEvent.Kind.SENT).data == {
        "action_id": action.pk,
        "action": "reply",
        "external_id": action.external_id,
        "attempt": 1,
    }


def test_the_send_task_is_queued_in_the_replys_transaction(claimed_item, monkeypatch):
    # Given a cluster that takes its tasks from the ORM broker, not inline
    monkeypatch.setattr(Conf, "SYNC", False)
    item, agent = claimed_item

    # When one reply is rolled back and another one commits
    with pytest.raises(RuntimeError), transaction.atomic():
        item_reply(
            acting_user=agent,
            item_id=item.pk,
            text="Verworfen",
            loaded_at_event_id=item_conversation_version(item=item),
        )
        assert OrmQ.objects.count() == 1
        raise RuntimeError("the caller's transaction fails after the reply")
    action = item_reply(
        acting_user=agent, item_id=item.pk, text="Gilt", loaded_at_event_id=item_conversation_version(item=item)
    )

    # Then exactly the committed action has its send task queued
    [queued] = OrmQ.objects.all()
    assert (queued.func(), queued.task["args"]) == ("inbox.tasks.outbound_action_send_task", (action.pk,))
    assert list(OutboundAction.objects.values_list("text", flat=True)) == ["Gilt"]


def test_publishing_without_a_lease_is_idempotent_per_text_and_drops_claims(
    claimed_item, user_factory, meta_graph_stub, django_capture_on_commit_callbacks
):
    item, agent = claimed_item
    lead = user_factory(role="shift_lead")

    statement = [(item, "Unsere Stellungnahme: ...")]
    with django_capture_on_commit_callbacks(execute=True):
        [first] = outbound_replies_enqueue(
            replies=statement, requested_by=lead, now=timezone.now(), reason="crisis 7"
        ).values()
    [again] = outbound_replies_enqueue(
        replies=statement, requested_by=lead, now=timezone.now(), reason="crisis 7"
    ).values()

    item.refresh_from_db()
    assert again.pk == first.pk
    assert (item.status, item.claimed_by) == (Item.Status.ANSWERED, None)
    assert len(meta_graph_stub.app.replies) == 1
    event = item.events.get(kind=ItemEvent.Kind.REPLY_QUEUED)
    assert event.data["previous_holder_id"] == agent.pk and event.data["reason"] == "crisis 7"
    with pytest.raises(LeaseNotHeld):
        item_reply(
            acting_user=agent,
            item_id=item.pk,
            text="Auch noch",
            loaded_at_event_id=item_conversation_version(item=item),
        )


def test_publishing_without_a_lease_leaves_a_comment_removed_on_the_platform_unanswered(
    claimed_item, user_factory, meta_graph_stub, django_capture_on_commit_callbacks
):
    item, _agent = claimed_item
    item_mark_removed_on_platform(channel=item.channel, external_id=item.external_id, reason="removed on Facebook")

    with django_capture_on_commit_callbacks(execute=True):
        answered = outbound_replies_enqueue(
            replies=[(item, "Unsere Stellungnahme: ...")],
            requested_by=user_factory(role="shift_lead"),
            now=timezone.now(),
        )

    assert answered == {}
    assert not OutboundAction.objects.exists()
    assert meta_graph_stub.requests == []


def test_a_person_can_retry_a_permanently_failed_action(
    claimed_item, meta_graph_stub, user_factory, django_capture_on_commit_callbacks
):
    item, _agent = claimed_item
    action = OutboundAction.objects.create(
        item=item, kind=OutboundAction.Kind.HIDE, status=OutboundAction.Status.FAILED, attempts=6, last_error="HTTP 500"
    )

    with django_capture_on_commit_callbacks(execute=True):
        moved = outbound_action_retry_now(action_id=action.pk, acting_user=user_factory(role="admin"))

    action.refresh_from_db()
    assert moved is True
    assert (action.status, action.attempts) == (OutboundAction.Status.SENT, 1)
