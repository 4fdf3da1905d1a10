"""Replies and moderation actions going out through the channel's connector.

Delivery guarantee. Each OutboundAction row is one external side effect with a unique
idempotency key. `outbound_action_send` first *claims* the row under its row lock
(QUEUED, or FAILED and due, or SENDING and stuck -> SENDING, attempts + 1) and commits;
only the transaction that made that transition calls the platform, and it does so
outside any transaction so no lock is held across the network. A second run of the
same task (django-q2 may deliver twice), or a concurrent one, finds the row SENDING or
SENT and returns without calling the platform: a task that runs twice sends once.

The one remaining gap is a worker that dies after the platform accepted but before SENT
was recorded: the periodic retry re-sends that row once its SENDING deadline passes
(at-least-once). Exactly-once would need the platform to dedupe: our generic channel's
receivers must dedupe on the Idempotency-Key header we send with every request; Meta and
WordPress ignore it. We prefer a rare duplicate reply to a silently lost one.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.conf import Conf
from django_q.tasks import async_task

from communityops.models import Channel, User

from ..connectors import ConnectorError, connector_class, connector_for_channel, reply_length
from ..lock_objects import item_qs_select_for_update, outbound_action_qs_select_for_update
from ..lookups import AnyOf
from ..models import Item, ItemEvent, OutboundAction
from ..selectors import item_conversation_changes_since, item_conversation_reply_bounds, lease_is_live, reply_refusal
from .claims import item_for_update, items_claims_clear, lease_require_holder
from .errors import (
    ActionNotSupported,
    InboxActionError,
    ItemRemovedOnPlatform,
    LeaseNotHeld,
    ReplyConflict,
    ReplyTooLong,
    UnknownConversationVersion,
)

logger = logging.getLogger(__name__)

SEND_TASK = "inbox.tasks.outbound_action_send_task"


def outbox_max_attempts() -> int:
    return settings.INBOX_OUTBOX_MAX_ATTEMPTS


def outbox_backoff(*, attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, ... capped at one hour."""
    base = settings.INBOX_OUTBOX_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def outbox_sending_deadline() -> timedelta:
    """A SENDING row older than this is presumed dead (its worker was killed) and retried.

    Longer than django-q2's task timeout, so a live send is never taken over.
    """
    return timedelta(seconds=settings.INBOX_OUTBOX_SENDING_TIMEOUT_SECONDS)


def _send_enqueue(action: OutboundAction) -> None:
    """Queue the send task in the caller's transaction, which wrote the action.

    The ORM broker's queue row then commits with the action or not at all: no committed
    QUEUED action is left without its task (a process dying between COMMIT and an on_commit
    hook would do that, and the retry sweep only covers FAILED and SENDING rows), and the
    request saves the broker's connection check and a second commit. A cluster that runs
    tasks inline (sync, as the tests do) would call the platform inside this transaction,
    so there the task runs after commit instead.
    """
    action_id = action.pk
    if Conf.SYNC:
        transaction.on_commit(lambda: async_task(SEND_TASK, action_id))
    else:
        async_task(SEND_TASK, action_id)


def _require_supported(*, item: Item, kind: str) -> None:
    if not connector_for_channel(item.channel).supports(kind):
        raise ActionNotSupported(kind=kind, platform=item.channel.platform)


def _moderations_pending(*, items: list[Item], kind: str) -> dict[int, OutboundAction]:
    """By item id, the items' newest moderation action where it is of `kind` and not settled yet
    (OutboundAction.is_pending). Only the newest counts: a hide still queued behind which an unhide
    was queued is no reason not to hide again."""
    newest = (
        OutboundAction.objects.filter(
            AnyOf(F("item_id"), [item.pk for item in items]), kind__in=OutboundAction.MODERATION_KINDS
        )
        .order_by("item_id", "-pk")
        .distinct("item_id")
    )
    return {action.item_id: action for action in newest if action.kind == kind and action.is_pending}


def outbound_actions_enqueue(
    *, items: list[Item], kind: str, requested_by: User | None, data: dict | None = None
) -> list[OutboundAction]:
    """Queue a moderation action per item for sending and return them in the items' order; the
    caller holds the items' row locks and transaction.

    Idempotent while the platform has not answered: an item whose newest moderation action is the
    same kind and still pending (a double click on "Hide", a retried API call, a campaign hide over
    a copy already being hidden) gets that action back, with its reason, and nothing is written for
    it. Under the item's row lock a concurrent repeat waits and then finds the action. Once the
    action was sent or failed for good, the same request queues a new one.

    For the others: one INSERT for the actions, one for their ACTION_QUEUED events, and a send task
    per action queued in the same transaction (a campaign's thousand copies hidden at once)."""
    for item in {item.channel_id: item for item in items}.values():
        _require_supported(item=item, kind=kind)
    pending = _moderations_pending(items=items, kind=kind)
    new = [item for item in items if item.pk not in pending]
    actions = OutboundAction.objects.bulk_create(
        OutboundAction(item=item, kind=kind, requested_by=requested_by) for item in new
    )
    ItemEvent.objects.bulk_create(
        ItemEvent(
            item=item,
            actor=requested_by,
            kind=ItemEvent.Kind.ACTION_QUEUED,
            data={**(data or {}), "action_id": action.pk, "action": kind},
        )
        for item, action in zip(new, actions, strict=True)
    )
    for action in actions:
        _send_enqueue(action)
    queued = {action.item_id: action for action in actions}
    return [pending.get(item.pk) or queued[item.pk] for item in items]


def _replies_queue(
    *, replies: list[tuple[Item, str, dict]], requested_by: User | None, now: datetime
) -> list[OutboundAction]:
    """Create a reply action per (item, text, event data), mark the items answered and drop any
    claims; the caller holds the items' row locks. One INSERT for the actions, an UPDATE for the
    items answered for the first time and one for the others, one INSERT for their REPLY_QUEUED
    events, and a send task per action, all in the caller's transaction."""
    items = [item for item, _text, _data in replies]
    for item in {item.channel_id: item for item in items}.values():
        _require_supported(item=item, kind=OutboundAction.Kind.REPLY)
    actions = OutboundAction.objects.bulk_create(
        OutboundAction(item=item, kind=OutboundAction.Kind.REPLY, text=text, requested_by=requested_by)
        for item, text, _data in replies
    )
    answered_before = [item for item in items if item.first_response_at is not None]
    first_answers = [item for item in items if item.first_response_at is None]
    items_claims_clear(items=answered_before, status=Item.Status.ANSWERED)
    items_claims_clear(items=first_answers, status=Item.Status.ANSWERED, also={"first_response_at": now})
    ItemEvent.objects.bulk_create(
        ItemEvent(
            item=item,
            actor=requested_by,
            kind=ItemEvent.Kind.REPLY_QUEUED,
            data={**data, "action_id": action.pk, "text": text[:500]},
        )
        for (item, text, data), action in zip(replies, actions, strict=True)
    )
    for action in actions:
        _send_enqueue(action)
    return actions


@transaction.atomic
def item_reply(
    *, acting_user: User, item_id: int, text: str, loaded_at_event_id: int, now: datetime | None = None
) -> OutboundAction:
    """Answer an item: send-time compare-and-set on the lease and the conversation.

    Accepted only if `acting_user` holds a live lease and no conversation-changing event
    (a new message, another reply, a moderation) is newer than `loaded_at_event_id`, the
    conversation version the composer showed (selectors.item_conversation_version). Otherwise
    LeaseNotHeld or ReplyConflict(changes=[...]), or UnknownConversationVersion for an id newer than
    any event of the conversation, and nothing is written. A comment removed on the platform is never
    answered, whatever the composer showed: ItemRemovedOnPlatform. A text longer than the channel's
    platform takes is refused before it is queued: ReplyTooLong. On accept:
    one REPLY action, a REPLY_QUEUED event, status ANSWERED, first_response_at, the
    lease released, and the send task queued in the same transaction.
    """
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise InboxActionError(message=_("A reply needs text."))
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    if item.removed_on_platform:  # for good: reloading the conversation would not help
        raise ItemRemovedOnPlatform()
    reply_length_check(text=text, platform=item.channel.platform)
    # The conversation is compared next: if a colleague answered or moderated meanwhile (which
    # also dropped this lease), "here is what changed" helps more than "lease lost".
    version, newest_event = item_conversation_reply_bounds(item=item)
    if loaded_at_event_id > newest_event:
        raise UnknownConversationVersion(conversation_version=version)
    if version > loaded_at_event_id:
        changes = item_conversation_changes_since(item=item, event_id=loaded_at_event_id)
        raise ReplyConflict(
            changes=[
                {
                    "event_id": event.pk,
                    "item_id": event.item_id,
                    "kind": event.kind,
                    "actor": str(event.actor) if event.actor else None,
                    "text": event.item.text[:300]
                    if event.kind in (ItemEvent.Kind.RECEIVED, ItemEvent.Kind.EDITED)
                    else event.data.get("text", ""),
                    "at": event.created_at.isoformat(),
                }
                for event in changes
            ],
            conversation_version=changes[-1].pk if changes else loaded_at_event_id,
        )
    lease_require_holder(item=item, user=acting_user)
    if not lease_is_live(item=item, now=now):
        raise LeaseNotHeld(holder_id=item.claimed_by_id, lease_expired=True)
    [action] = _replies_queue(replies=[(item, text, {})], requested_by=acting_user, now=now)
    return action


def reply_length_check(*, text: str, platform: str) -> None:
    """ReplyTooLong if `text` is longer than the platform takes (its connector's reply_max_length,
    counted by connectors.reply_length)."""
    limit = connector_class(platform).reply_max_length()
    length = reply_length(text)
    if length > limit:
        raise ReplyTooLong(length=length, limit=limit, platform=Channel.Platform(platform).label)


@transaction.atomic
def outbound_replies_enqueue(
    *, replies: list[tuple[Item, str]], requested_by: User | None, now: datetime, reason: str = ""
) -> dict[int, OutboundAction]:
    """Publish replies without a lease (the crises app's approved response to its linked items),
    each answered item's action by item id.

    Idempotent per (item, text): an identical reply queued, sending or sent is returned instead of
    answering twice. Otherwise one new action each, with its own idempotency key; the items become
    ANSWERED and any agent's claim on them is dropped (their composer then gets LeaseNotHeld
    instead of answering twice). An item hidden, marked as spam or removed on the platform by the
    time its lock is taken, whose author's data was erased, on a channel that cannot reply, or whose
    text is longer than its platform takes, is not answered (and not in the result;
    inbox.selectors.reply_refusal says why). The items are locked in one statement, in id order, and
    written in bulk (see _replies_queue): a crisis may answer thousands at once.
    """
    if not replies:
        return {}
    texts = {item.pk: text.strip() for item, text in replies}
    if not all(texts.values()):
        raise InboxActionError(message=_("A reply needs text."))
    locked = list(item_qs_select_for_update().select_related("channel").filter(AnyOf(F("pk"), list(texts))))
    answered: dict[int, OutboundAction] = {}
    sent_or_going = (
        OutboundAction.objects.filter(
            AnyOf(F("item_id"), list(texts)),
            AnyOf(F("text"), sorted(set(texts.values()))),
            kind=OutboundAction.Kind.REPLY,
        )
        .exclude(status=OutboundAction.Status.FAILED, next_attempt_at__isnull=True)
        .order_by("pk")
    )
    for action in sent_or_going:
        if action.text == texts[action.item_id]:
            answered.setdefault(action.item_id, action)
    new = []
    for item in locked:
        if item.pk in answered or reply_refusal(
            status=item.status,
            erased=item.erased_at is not None,
            removed=item.removed_on_platform,
            channel=item.channel,
            text=texts[item.pk],
        ):
            continue
        data = {"reason": reason, "without_lease": True}
        if item.claimed_by_id is not None:
            data["previous_holder_id"] = item.claimed_by_id
        new.append((item, texts[item.pk], data))
    actions = _replies_queue(replies=new, requested_by=requested_by, now=now)
    answered.update((item.pk, action) for (item, _text, _data), action in zip(new, actions, strict=True))
    return answered


def _action_claim_for_sending(*, action_id: int, now: datetime) -> OutboundAction | None:
    """The compare-and-set that makes at most one worker send: returns the action only to the winner.

    One conditional UPDATE (QUEUED, or FAILED/SENDING and due with attempts left -> SENDING,
    attempts + 1), committed on its own. A concurrent run waits for the winner's row lock,
    and PostgreSQL then re-checks the WHERE against the row the winner wrote: it no longer
    matches, so the loser updates nothing and sends nothing.
    """
    Status = OutboundAction.Status
    retry_due = Q(
        status__in=(Status.FAILED, Status.SENDING), next_attempt_at__lte=now, attempts__lt=outbox_max_attempts()
    )
    claimed = OutboundAction.objects.filter(Q(status=Status.QUEUED) | retry_due, pk=action_id).update(
        status=Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + outbox_sending_deadline()
    )
    if not claimed:
        _action_give_up_if_stuck(action_id=action_id, now=now)
        return None
    return OutboundAction.objects.select_related("item__channel").get(pk=action_id)


def _action_give_up_if_stuck(*, action_id: int, now: datetime) -> None:
    """The last attempt's worker died mid-send: record the failure instead of retrying forever.

    _action_record_failure re-checks under the row lock that this attempt still owns the row.
    """
    stuck_attempt = (
        OutboundAction.objects.filter(
            pk=action_id,
            status=OutboundAction.Status.SENDING,
            next_attempt_at__lte=now,
            attempts__gte=outbox_max_attempts(),
        )
        .values_list("attempts", flat=True)
        .first()
    )
    if stuck_attempt is None:
        return
    _action_record_failure(
        action_id=action_id,
        attempt=stuck_attempt,
        error=ConnectorError("The worker stopped while sending; the outcome is unknown.", retryable=False),
        now=timezone.now(),
        failure=OutboundAction.Failure.OUTCOME_UNKNOWN,
    )


def outbound_action_send(*, action_id: int, now: datetime | None = None) -> OutboundAction | None:
    """The send task's body; safe to run any number of times, concurrently too (see module doc).

    Returns the action after this run, or None when this run had nothing to do.
    """
    now = now or timezone.now()
    action = _action_claim_for_sending(action_id=action_id, now=now)
    if action is None:
        return None
    try:
        external_id = connector_for_channel(action.item.channel).send(action=action)
    except ConnectorError as error:
        return _action_record_failure(action_id=action_id, attempt=action.attempts, error=error, now=now)
    return _action_record_success(action=action, external_id=external_id, now=now)


@transaction.atomic
def _action_record_success(*, action: OutboundAction, external_id: str, now: datetime) -> OutboundAction:
    """Mark the action SENT with its SENT event, unless a concurrent attempt already did."""
    sent = {
        "status": OutboundAction.Status.SENT,
        "external_id": external_id,
        "sent_at": now,
        "next_attempt_at": None,
        "last_error": "",
    }
    if not OutboundAction.objects.filter(pk=action.pk).exclude(status=OutboundAction.Status.SENT).update(**sent):
        action.refresh_from_db()
        return action
    for field, value in sent.items():
        setattr(action, field, value)
    ItemEvent.objects.create(
        item_id=action.item_id,
        kind=ItemEvent.Kind.SENT,
        data={"action_id": action.pk, "action": action.kind, "external_id": external_id, "attempt": action.attempts},
    )
    return action


def _failure_kind(error: ConnectorError) -> str:
    """An HTTP error is the platform's answer (a refusal, or too busy to give one); without one, a
    retryable error never reached it and a permanent one is the connector's own refusal."""
    Failure = OutboundAction.Failure
    if error.status is not None and not error.retryable:
        return Failure.REJECTED
    return Failure.UNREACHABLE if error.retryable else Failure.NOT_POSSIBLE


@transaction.atomic
def _action_record_failure(
    *, action_id: int, attempt: int, error: ConnectorError, now: datetime, failure: str | None = None
) -> OutboundAction:
    """Record this attempt's failure, unless a later attempt owns the row; a failure for good also
    restores the item (_item_restore_after_lost_action).

    Locks the action's item, then the action: the order of the services that hold an item while they
    write its actions (a reply, the erasure rewriting the replies that name the author). The other
    way round, a failure recorded during an erasure of the author deadlocked with it."""
    item = item_qs_select_for_update().get(outbound_actions__pk=action_id)
    action = outbound_action_qs_select_for_update().get(pk=action_id)
    if action.status != OutboundAction.Status.SENDING or action.attempts != attempt:
        return action  # a later attempt owns the row now; its outcome counts
    will_retry = error.retryable and action.attempts < outbox_max_attempts()
    action.status = OutboundAction.Status.FAILED
    action.last_error = error.message[:2000]
    action.failure = failure or _failure_kind(error)
    action.next_attempt_at = now + outbox_backoff(attempts=action.attempts) if will_retry else None
    action.save(update_fields=["status", "last_error", "failure", "next_attempt_at"])
    ItemEvent.objects.create(
        item_id=action.item_id,
        kind=ItemEvent.Kind.SEND_FAILED,
        data={
            "action_id": action.pk,
            "action": action.kind,
            "error": action.last_error,
            "attempt": action.attempts,
            "will_retry": will_retry,
            "next_attempt_at": action.next_attempt_at.isoformat() if action.next_attempt_at else None,
        },
    )
    if not will_retry:
        _item_restore_after_lost_action(item=item, action=action)
    logger.warning("Outbound action %s failed (attempt %s): %s", action.pk, action.attempts, action.last_error)
    return action


def _item_restore_after_lost_action(*, item: Item, action: OutboundAction) -> None:
    """An action that will never go out must not leave the item (locked by the caller) looking done:
    a lost reply reopens the answered item, a lost moderation is undone locally
    (moderation.item_moderation_failed says how, per kind). An erased item stays closed."""
    from .moderation import item_moderation_failed  # moderation queues its actions through this module

    if item.erased_at is not None:
        return
    if action.kind == OutboundAction.Kind.REPLY:
        _item_reopen_after_lost_reply(item=item, action=action)
    else:
        item_moderation_failed(item=item, action=action)


def _item_reopen_after_lost_reply(*, item: Item, action: OutboundAction) -> None:
    if item.status != Item.Status.ANSWERED:
        return
    item.status = Item.Status.NEW
    item.save(update_fields=["status"])
    ItemEvent.objects.create(
        item=item,
        kind=ItemEvent.Kind.STATUS_CHANGED,
        data={
            "from": Item.Status.ANSWERED,
            "to": Item.Status.NEW,
            "reason": "reply could not be sent",
            "action_id": action.pk,
        },
    )


def outbound_actions_due(*, now: datetime | None = None) -> list[int]:
    """Ids of failed actions whose backoff has passed and SENDING rows past their deadline."""
    now = now or timezone.now()
    return list(
        OutboundAction.objects.filter(
            Q(status=OutboundAction.Status.FAILED, attempts__lt=outbox_max_attempts())
            | Q(status=OutboundAction.Status.SENDING),
            next_attempt_at__lte=now,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:500]
    )


def outbound_actions_retry_due(*, now: datetime | None = None) -> int:
    """The periodic retry: one send task per due action (each claims its row itself)."""
    due = outbound_actions_due(now=now)
    for action_id in due:
        async_task(SEND_TASK, action_id)
    return len(due)


@transaction.atomic
def outbound_action_retry_now(*, action_id: int, acting_user: User) -> bool:
    """A person decides to try a failed action again now, with a fresh set of attempts.

    Only FAILED rows move (sent or in-flight ones are left alone); returns whether it did. A shift
    lead's or an admin's decision (they serve every client).
    """
    if not acting_user.is_shift_lead_or_admin:
        raise PermissionDenied
    action = outbound_action_qs_select_for_update().filter(pk=action_id).first()
    if action is None or action.status != OutboundAction.Status.FAILED:
        return False
    action.attempts = 0
    action.next_attempt_at = timezone.now()
    action.save(update_fields=["attempts", "next_attempt_at"])
    ItemEvent.objects.create(
        item_id=action.item_id,
        actor=acting_user,
        kind=ItemEvent.Kind.ACTION_QUEUED,
        data={"action_id": action.pk, "action": action.kind, "manual_retry": True},
    )
    _send_enqueue(action)
    return True
