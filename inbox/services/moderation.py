"""Moderation: hide, unhide, delete, spam, approve, trash; near-duplicate bulk hide; tags.

Each action is one transaction on the item's row: the local status changes at once
(the queue stops showing a hidden item immediately), an OutboundAction carries the
platform side to the outbox, and events record both. No lease is needed to moderate;
a colleague composing a reply to the item gets a ReplyConflict (STATUS_CHANGED).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext as _

from communityops.models import User

from ..connectors import connector_for_channel
from ..connectors.wordpress import PENDING_MODERATION_TAG
from ..lock_objects import item_qs_select_for_update
from ..models import Item, ItemEvent, OutboundAction
from ..selectors import item_get_for_user, item_queryset_for_user
from .claims import item_for_update, items_claims_clear
from .errors import InboxActionError, ItemErased, ItemNotOpen, ItemRemovedOnPlatform
from .outbox import outbound_actions_enqueue
from .triage import spam_feedback_record

Kind = OutboundAction.Kind
NEAR_DUPLICATE_WINDOW = timedelta(hours=24)
# What a near-duplicate hide takes: open or answered copies (not closed, spam or already hidden ones).
_HIDEABLE_STATUSES = (*Item.OPEN_STATUSES, Item.Status.ANSWERED)

# The local status each action leaves the item in; None = status unchanged.
_STATUS_AFTER = {
    Kind.HIDE: Item.Status.HIDDEN,
    Kind.DELETE: Item.Status.CLOSED,
    Kind.TRASH: Item.Status.CLOSED,
    Kind.SPAM: Item.Status.SPAM,
    Kind.APPROVE: None,
}


def _status_after_unhide(item: Item) -> str:
    """Shown again (unhidden, or not spam after all): back to the queue, or answered if it was."""
    return Item.Status.ANSWERED if item.first_response_at else Item.Status.NEW


def _status_after(*, item: Item, kind: str) -> str | None:
    if kind == Kind.UNHIDE:
        return _status_after_unhide(item)
    return _STATUS_AFTER[kind]


# A moderation that finally failed on the platform (the outbox gave up) leaves the comment as it
# was there; the item must say so, so an agent sees it again:
# - hide, spam, delete, trash: the comment is still public. An item the action left hidden, spam or
#   closed goes back where an unhide puts it (new, or answered once answered), as long as nobody
#   has moved it since. A spam verdict the triage learnt stays: the agent judged, the platform refused.
# - approve: the comment is still held on the blog, so the pending-moderation tag comes back.
# - unhide: the item is already back in the queue (or answered); the failure in its timeline says
#   the comment is still hidden, and unhiding again is one click.
_UNDONE_WHEN_FAILED = (Kind.HIDE, Kind.SPAM, Kind.DELETE, Kind.TRASH)


def item_moderation_failed(*, item: Item, action: OutboundAction) -> None:
    """Undo locally what a moderation that will never reach the platform did (see above).

    Called by the outbox with the item's row locked, in the transaction that records the failure.
    """
    if action.kind == Kind.APPROVE:
        _tags_change(item=item, actor=None, add=[PENDING_MODERATION_TAG])
    elif action.kind in _UNDONE_WHEN_FAILED and item.status == _STATUS_AFTER[action.kind]:
        items_status_change(
            items=[item],
            to=_status_after(item=item, kind=Kind.UNHIDE),
            actor=None,
            data={"reason": "moderation failed on the platform", "action": action.kind, "action_id": action.pk},
            now=timezone.now(),
        )


def items_status_change(*, items: list[Item], to: str, actor: User | None, data: dict, now: datetime) -> None:
    """Move items to one status (dropping any claim) with one UPDATE and their STATUS_CHANGED events
    with one INSERT."""
    previous = [item.status for item in items]
    items_claims_clear(items=items, status=to, also={"closed_at": now} if to == Item.Status.CLOSED else None)
    ItemEvent.objects.bulk_create(
        ItemEvent(item=item, actor=actor, kind=ItemEvent.Kind.STATUS_CHANGED, data={**data, "from": was, "to": to})
        for item, was in zip(items, previous, strict=True)
    )


def _tags_change(*, item: Item, actor: User | None, add=(), remove=(), at_most: int | None = None) -> None:
    """Write the item's new tags and their TAGGED event. With `at_most`, a change that adds a tag is
    refused when the item would have more tags than that; removing is always possible."""
    before = list(item.tags)
    after = [tag for tag in before if tag not in remove] + [tag for tag in add if tag not in before]
    if after == before:
        return
    if at_most is not None and len(after) > at_most and set(after) - set(before):
        raise InboxActionError(
            message=_("An item can have at most %(max)d tags, and this would make %(count)d. Remove some first.")
            % {"max": at_most, "count": len(after)}
        )
    item.tags = after
    item.save(update_fields=["tags"])
    ItemEvent.objects.create(
        item=item,
        actor=actor,
        kind=ItemEvent.Kind.TAGGED,
        data={"added": [t for t in after if t not in before], "removed": [t for t in before if t not in after]},
    )


def _moderate_locked(
    *, acting_user: User, items: list[Item], kind: str, reason: str, now: datetime, data=None
) -> list[OutboundAction]:
    """One moderation action on each of the items, whose rows the caller has locked: the actions
    and events written in bulk (see outbound_actions_enqueue, which returns an identical action
    still pending instead of queueing it twice), the local statuses moved. What follows is
    idempotent too: a repeat finds the status moved, the tag gone, the spam decision taught."""
    if kind not in OutboundAction.MODERATION_KINDS:
        raise InboxActionError(message=_("Unknown moderation action “%(action)s”.") % {"action": kind})
    data = {**(data or {}), "reason": reason}
    actions = outbound_actions_enqueue(items=items, kind=kind, requested_by=acting_user, data=data)
    moving: dict[str, list[Item]] = {}
    for item in items:
        status = _status_after(item=item, kind=kind)
        if status is not None and status != item.status:
            moving.setdefault(status, []).append(item)
    for status, moved in moving.items():
        items_status_change(items=moved, to=status, actor=acting_user, data={**data, "action": kind}, now=now)
    for item in items:
        if kind == Kind.APPROVE:
            _tags_change(item=item, actor=acting_user, remove=[PENDING_MODERATION_TAG])
        if kind == Kind.SPAM:
            spam_feedback_record(acting_user=acting_user, item=item, is_spam=True)  # teaches the client's spam model
    return actions


@transaction.atomic
def item_moderate(
    *, acting_user: User, item_id: int, action: str, reason: str = "", now: datetime | None = None
) -> OutboundAction:
    """Hide / unhide / delete / approve / spam / trash one item the user may see.

    Raises ActionNotSupported when the channel cannot do it (e.g. approve on Facebook),
    before anything is written. Cite the guideline in `reason`: it is kept in the timeline. An item
    whose author's data was erased can still be deleted on the platform, nothing else (ItemErased).
    A repeat while the same action is still pending (a double click) returns that action instead of
    queueing a second one (outbound_actions_enqueue). A comment removed on the platform has nothing
    left there to moderate (ItemRemovedOnPlatform); closing it (item_close) still works.
    """
    item = item_for_update(acting_user=acting_user, item_id=item_id, erased_allowed=action == Kind.DELETE)
    if item.removed_on_platform:
        raise ItemRemovedOnPlatform()
    [moderated] = _moderate_locked(
        acting_user=acting_user, items=[item], kind=action, reason=reason, now=now or timezone.now()
    )
    return moderated


@transaction.atomic
def item_close(*, acting_user: User, item_id: int, reason: str = "", now: datetime | None = None) -> Item:
    """Close an open item that needs no answer (praise, a thank-you); nothing is sent to the platform."""
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    if item.status not in Item.OPEN_STATUSES:
        raise ItemNotOpen(status=item.status)
    items_status_change(
        items=[item],
        to=Item.Status.CLOSED,
        actor=acting_user,
        data={"reason": reason or "no answer needed"},
        now=now or timezone.now(),
    )
    return item


@transaction.atomic
def item_mark_not_spam(*, acting_user: User, item_id: int, now: datetime | None = None) -> Item:
    """Undo a wrong spam verdict: the item goes back into the queue (or stays answered), the
    comment is shown on the platform again where the channel can (marking spam hid it there) and it
    is still there, and triage learns from it."""
    now = now or timezone.now()
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    if item.status != Item.Status.SPAM:
        raise InboxActionError(message=_("The item is not marked as spam."))
    if not item.removed_on_platform and connector_for_channel(item.channel).supports(Kind.UNHIDE):
        _moderate_locked(acting_user=acting_user, items=[item], kind=Kind.UNHIDE, reason="not spam", now=now)
    else:
        items_status_change(
            items=[item], to=_status_after_unhide(item), actor=acting_user, data={"reason": "not spam"}, now=now
        )
    spam_feedback_record(acting_user=acting_user, item=item, is_spam=False)
    return item


def _text_normalized():
    """The text in lower case with runs of whitespace collapsed, the non-breaking spaces among them
    (PostgreSQL's \\s does not match those): the comparison near-duplicate hiding uses. Computed in
    SQL for the item and its copies alike."""
    return Lower(
        Trim(
            Func(
                F("text"),
                Value(r"[\s\u00a0\u2007\u202f]+"),
                Value(" "),
                Value("g"),
                function="regexp_replace",
                output_field=TextField(),
            )
        )
    )


@transaction.atomic
def items_hide_near_duplicates(
    *, acting_user: User, item_id: int, reason: str = "", now: datetime | None = None
) -> list[OutboundAction]:
    """Hide the item and every open or answered item of the same client with the same normalized
    text received within 24 hours of it (a coordinated campaign). Channels that cannot hide are
    skipped, and so are copies removed on the platform.

    The copies (the item among them) are locked in one statement, in id order: locking the item
    first and then the others let two agents hiding the same campaign from different copies
    deadlock. A copy a colleague deleted or marked as spam while this waited for its lock keeps
    that status (the status the lock returns is checked again).
    """
    now = now or timezone.now()
    origin = item_get_for_user(user=acting_user, item_id=item_id)
    if origin.erased_at is not None:
        raise ItemErased()
    candidate_ids = (
        item_queryset_for_user(user=acting_user)
        .filter(
            erased_at__isnull=True,
            client_id=origin.client_id,
            status__in=_HIDEABLE_STATUSES,
            received_at__gte=origin.received_at - NEAR_DUPLICATE_WINDOW,
            received_at__lte=origin.received_at + NEAR_DUPLICATE_WINDOW,
        )
        .annotate(normalized=_text_normalized())
        .filter(normalized=Item.objects.filter(pk=origin.pk).values(normalized=_text_normalized())[:1])
        .values("pk")
    )
    hideable = [
        item
        for item in item_qs_select_for_update().filter(pk__in=candidate_ids).select_related("channel")
        if item.status in _HIDEABLE_STATUSES
        and not item.removed_on_platform
        and connector_for_channel(item.channel).supports(Kind.HIDE)
    ]
    if not hideable:
        return []
    return _moderate_locked(
        acting_user=acting_user,
        items=hideable,
        kind=Kind.HIDE,
        reason=reason,
        now=now,
        data={"near_duplicate_of": origin.pk},
    )


def _tags_clean(tags) -> list[str]:
    """Trimmed, lower-cased, each once; a tag longer than a tag may be is refused, not cut."""
    cleaned = [tag.strip().lower() for tag in tags if tag.strip()]
    too_long = [tag for tag in cleaned if len(tag) > Item.TAG_MAX_LENGTH]
    if too_long:
        raise InboxActionError(
            message=_("A tag has at most %(max)d characters: “%(tag)s…” is longer.")
            % {"max": Item.TAG_MAX_LENGTH, "tag": too_long[0][: Item.TAG_MAX_LENGTH]}
        )
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def item_tags_change(*, acting_user: User, item_id: int, add: list[str] = (), remove: list[str] = ()) -> Item:
    """Add and remove tags (lower-cased, trimmed) with one TAGGED event. A change that adds tags is
    refused whole when the item would then have more than Item.TAGS_MAX; removing works (an item may
    have more from before the limit, or from the system's own tags, see Item.TAGS_MAX), except for
    Item.TAG_REMOVED_ON_PLATFORM: that records a fact of the platform, which only ingestion learns, so
    a change that adds or removes it is refused whole."""
    add, remove = _tags_clean(add), _tags_clean(remove)
    if Item.TAG_REMOVED_ON_PLATFORM in (*add, *remove):
        raise InboxActionError(
            message=_(
                "The tag “%(tag)s” is set when the comment is removed on the platform: "
                "it cannot be added or taken off by hand."
            )
            % {"tag": Item.TAG_REMOVED_ON_PLATFORM}
        )
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    _tags_change(item=item, actor=acting_user, add=add, remove=remove, at_most=Item.TAGS_MAX)
    return item
