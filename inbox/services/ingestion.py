"""Turning stored deliveries into items: split, normalised, triaged and ingested.

The path every source takes (Meta and generic webhooks, file import; the WordPress poller calls
item_ingest directly):

1. services.deliveries stores the raw body as a WebhookDelivery and enqueues processing on commit.
2. `webhook_delivery_process` (a django-q2 task, may run twice, also at once) ingests a Meta
   delivery's changes from its body in batches, each stored as change rows with its outcome in the
   batch's transaction (under a lock on the delivery, so exactly once), and then any pending change
   rows (the other sources'; a failed change put back for a retry); items are unique per (channel,
   external id), so a redelivered change is a duplicate.
3. A change that fails keeps its error; `ingest_changes_reprocess_failed` runs it again.
4. `ingest_pending_sweep` (services.deliveries) enqueues the task again for deliveries still
   pending after a while (a worker died).
5. `raw_webhook_data_drop` (services.raw_data_retention, hourly) empties the bodies of processed
   deliveries older than INBOX_RAW_WEBHOOK_RETENTION_DAYS and their changes' payload copies; items,
   outcomes and event receipts stay.

Authors are created and refreshed by services.authors; many rows go in one COPY through
services.bulk_insert.
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Func, Q, Value
from django.utils import timezone

from communityops.models import Channel

from ..connectors import connector_class
from ..lock_objects import (
    ingest_change_qs_skip_locked,
    item_qs_select_for_update,
    webhook_delivery_qs_select_for_update,
)
from ..lookups import AnyOf
from ..models import Author, IngestChange, Item, ItemEvent, ItemTextFingerprint, RemovedThread, WebhookDelivery
from ..normalized import NormalizationError, NormalizedItem
from .authors import author_upsert, authors_found_ahead, authors_upsert_batch
from .bulk_insert import rows_insert
from .deliveries import delivery_finish, delivery_unsplittable
from .ingest_formats import ParsedChange, change_parse, meta_changes_split
from .triage import (
    TRIAGE_FIELDS,
    TriageResult,
    fingerprint_row,
    item_fingerprint_store,
    item_triage_set,
    triage_assess,
    triage_assess_batch,
)

logger = logging.getLogger(__name__)


def _item_triaged(*, normalized: NormalizedItem, triage: TriageResult, removed: bool) -> dict:
    """A new item's fields from a normalised arrival and its triage, by name (one place for both
    ingest paths: item_ingest builds the model from them, the batch inserts them as they are);
    `removed`: it went with its post or comment, removed on the platform before (_arrivals_removed)."""
    removed_tag = [Item.TAG_REMOVED_ON_PLATFORM] if removed else []
    return {
        "external_id": normalized.external_id,
        "kind": normalized.kind,
        "thread_external_id": normalized.thread_external_id,
        "parent_external_id": normalized.parent_external_id,
        "permalink": normalized.permalink,
        "author_tier": triage.author_tier,
        "text": normalized.text,
        "language": triage.language,
        "platform_created_at": normalized.platform_created_at,
        "priority": triage.priority,
        "sentiment": triage.sentiment,
        "sentiment_score": triage.sentiment_score,
        "spam_score": triage.spam_score,
        "fake_score": triage.fake_score,
        "triage_reasons": triage.reasons,
        "sla_due_at": triage.sla_due_at,
        "tags": list(dict.fromkeys([*normalized.tags, *triage.tags, *removed_tag])),
    }


# The REMOVED events of items that went with what they are under: a reply with the comment it replies
# to (item_mark_removed_on_platform), every item of a post with the post (thread_mark_removed_on_platform).
_REMOVED_WITH_ITS_COMMENT = {"added": [Item.TAG_REMOVED_ON_PLATFORM], "reason": "the comment it replies to was removed"}
_REMOVED_WITH_ITS_POST = {"added": [Item.TAG_REMOVED_ON_PLATFORM], "reason": "the post was removed"}


def _arrivals_removed(*, channel: Channel, arrivals: list[NormalizedItem]) -> dict[str, dict]:
    """The arrivals already gone with their post or comment, by external id, each with its REMOVED
    event's data: under a post removed on the platform (RemovedThread), or replying to a comment
    removed there. Such an item's delivery can come after the removal (Meta retries a delivery for
    up to 36 hours). Only on a platform whose removals take what is under them
    (Connector.removal_takes_replies; the others tell of each deletion). At most one query."""
    threads = {normalized.thread_external_id for normalized in arrivals if normalized.thread_external_id}
    if not threads or not connector_class(channel.platform).removal_takes_replies:
        return {}
    parents = {normalized.parent_external_id for normalized in arrivals if normalized.parent_external_id}
    removed_posts = (
        RemovedThread.objects.filter(AnyOf(F("thread_external_id"), list(threads)), channel=channel)
        .annotate(post=Value(True))
        .values_list("post", "thread_external_id")
    )
    removed_comments = (
        Item.objects.filter(
            AnyOf(F("external_id"), list(parents)), channel=channel, tags__contains=[Item.TAG_REMOVED_ON_PLATFORM]
        )
        .annotate(post=Value(False))
        .values_list("post", "external_id")
    )
    removed = set(removed_posts.union(removed_comments, all=True))
    found = {}
    for normalized in arrivals:
        if (True, normalized.thread_external_id) in removed:
            found[normalized.external_id] = _REMOVED_WITH_ITS_POST
        elif (False, normalized.parent_external_id) in removed:
            found[normalized.external_id] = _REMOVED_WITH_ITS_COMMENT
    return found


@transaction.atomic
def item_ingest(
    *, channel: Channel, normalized: NormalizedItem, received_at: datetime | None = None
) -> tuple[Item, bool]:
    """Store one incoming item, triaged, unless the channel already has it.

    Returns (item, created). Safe under concurrent redelivery: the unique constraint
    on (channel, external_id) decides, and the loser returns the winner's row.
    `received_at` is for back-fills and the demo (when the item "arrived"); default now.
    """
    existing = Item.objects.filter(channel=channel, external_id=normalized.external_id).first()
    if existing is not None:
        return existing, False
    client = channel.client
    author = author_upsert(channel=channel, normalized=normalized)
    backfilled_at = received_at
    received_at = received_at or timezone.now()
    triage = triage_assess(client=client, author=author, normalized=normalized, received_at=received_at)
    removed = _arrivals_removed(channel=channel, arrivals=[normalized]).get(normalized.external_id)
    try:
        with transaction.atomic():
            item = Item(
                client=client,
                channel=channel,
                author=author,
                **_item_triaged(normalized=normalized, triage=triage, removed=removed is not None),
            )
            item.save(force_insert=True)
    except IntegrityError:
        return Item.objects.get(channel=channel, external_id=normalized.external_id), False
    if backfilled_at is not None:
        # received_at is auto_now_add; a back-filled arrival time is written afterwards.
        Item.objects.filter(pk=item.pk).update(received_at=backfilled_at)
        item.received_at = backfilled_at
    item_fingerprint_store(item=item, minhash=triage.minhash, bands=triage.bands)
    ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.RECEIVED, data={"triage": triage.reasons})
    if removed is not None:
        ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.REMOVED, data=removed)
    return item, True


@transaction.atomic
def item_text_update(*, item: Item, normalized: NormalizedItem) -> bool:
    """The author edited the text on the platform: keep the new text, triage it again (the SLA
    due time stays), and record the previous text in an EDITED event (a reply written to the old
    text is then refused: selectors.CONVERSATION_CHANGE_EVENT_KINDS). Returns False when unchanged,
    and for an item whose author's data was erased (the erasure stands; services.erasure)."""
    item = item_qs_select_for_update().select_related("client", "author").get(pk=item.pk)
    if item.erased_at is not None or item.text == normalized.text:
        return False
    triage = triage_assess(client=item.client, author=item.author, normalized=normalized, received_at=timezone.now())
    previous_text = item.text
    item.text = normalized.text
    item_triage_set(item=item, triage=triage)
    item.save(update_fields=["text", *TRIAGE_FIELDS])
    item_fingerprint_store(item=item, minhash=triage.minhash, bands=triage.bands)
    ItemEvent.objects.create(
        item=item,
        kind=ItemEvent.Kind.EDITED,
        data={"previous_text": previous_text, "triage": triage.reasons},
    )
    return True


@transaction.atomic
def item_mark_removed_on_platform(
    *, channel: Channel, external_id: str, reason: str, thread_external_id: str = ""
) -> Item | None:
    """The author or platform removed the item. It stays in the inbox (agents may have worked on it)
    with a tag saying so, which people cannot take off, and a REMOVED event; status is a person's
    decision. From then on no reply or moderation goes out to it (it could not reach the comment:
    ItemRemovedOnPlatform), while it can still be closed, noted and tagged.

    On a platform where a comment's replies go with it (Connector.removal_takes_replies) its replies
    in the inbox are marked removed too, in three queries however many there are; also when the
    comment is not in the inbox, found under `thread_external_id` (its post). A reply stored after
    the removal is marked as it arrives (_arrivals_removed). Locks the item, then its replies."""
    item = item_qs_select_for_update().filter(channel=channel, external_id=external_id).first()
    if item is not None and not item.removed_on_platform:
        item.tags = [*item.tags, Item.TAG_REMOVED_ON_PLATFORM]
        item.save(update_fields=["tags"])
        ItemEvent.objects.create(
            item=item, kind=ItemEvent.Kind.REMOVED, data={"added": [Item.TAG_REMOVED_ON_PLATFORM], "reason": reason}
        )
    thread_external_id = item.thread_external_id if item is not None else thread_external_id
    if thread_external_id and connector_class(channel.platform).removal_takes_replies:
        _items_mark_removed(
            channel=channel,
            under=Q(thread_external_id=thread_external_id, parent_external_id=external_id),
            data=_REMOVED_WITH_ITS_COMMENT,
        )
    return item


@transaction.atomic
def thread_mark_removed_on_platform(*, channel: Channel, thread_external_id: str) -> None:
    """The post `thread_external_id` was removed on the platform, and everything under it with it.
    Every item of the channel under it is marked removed as item_mark_removed_on_platform marks one,
    in four queries however many there are, and the post is remembered (RemovedThread): an item of it
    stored afterwards is marked as it arrives (_arrivals_removed). Redelivered, it adds nothing.
    Locks the post's items in id order."""
    RemovedThread.objects.bulk_create(
        [RemovedThread(channel=channel, thread_external_id=thread_external_id)], ignore_conflicts=True
    )
    _items_mark_removed(channel=channel, under=Q(thread_external_id=thread_external_id), data=_REMOVED_WITH_ITS_POST)


def _items_mark_removed(*, channel: Channel, under: Q, data: dict) -> None:
    """Tag the channel's items `under` a removed post or comment that are not tagged yet, each with a
    REMOVED event carrying `data`, in three queries (item_conversation index); locks them in id order."""
    item_ids = list(
        item_qs_select_for_update()
        .filter(under, channel=channel)
        .exclude(tags__contains=[Item.TAG_REMOVED_ON_PLATFORM])
        .values_list("pk", flat=True)
    )
    if not item_ids:
        return
    Item.objects.filter(AnyOf(F("pk"), item_ids)).update(
        tags=Func(
            F("tags"),
            Value(Item.TAG_REMOVED_ON_PLATFORM),
            function="array_append",
            output_field=Item._meta.get_field("tags"),
        )
    )
    rows_insert(
        ItemEvent,
        [{"item_id": pk, "kind": ItemEvent.Kind.REMOVED, "data": data} for pk in item_ids],
    )


# --- processing ----------------------------------------------------------------------------------


@dataclass
class _UnstoredChange:
    """A Meta change ingested before its row exists: what _changes_apply fills in and
    _changes_insert stores (an IngestChange instance per change would only carry these values)."""

    delivery_id: int
    position: int
    payload: dict
    status: str = IngestChange.Status.PENDING
    item_id: int | None = None
    error: str = ""

    def __str__(self) -> str:
        return f"change {self.position} of delivery {self.delivery_id}"


# A stored change row (locked, pending) or a Meta change not stored yet: _changes_apply handles both.
type _Change = IngestChange | _UnstoredChange


def _change_apply(
    *, channel: Channel, source: str, payload: dict, received_at: datetime
) -> tuple[str, Item | None, str]:
    parsed = change_parse(source=source, channel=channel, payload=payload, received_at=received_at)
    return _parsed_change_apply(channel=channel, parsed=parsed)


def _parsed_change_apply(*, channel: Channel, parsed: ParsedChange) -> tuple[str, Item | None, str]:
    if parsed.action == ParsedChange.Action.IGNORE:
        return IngestChange.Status.IGNORED, None, parsed.reason
    if parsed.action == ParsedChange.Action.REMOVE:
        item = item_mark_removed_on_platform(
            channel=channel,
            external_id=parsed.external_id,
            reason=parsed.reason,
            thread_external_id=parsed.thread_external_id,
        )
        return IngestChange.Status.IGNORED, item, parsed.reason
    if parsed.action == ParsedChange.Action.REMOVE_THREAD:
        thread_mark_removed_on_platform(channel=channel, thread_external_id=parsed.thread_external_id)
        return IngestChange.Status.IGNORED, None, parsed.reason
    item, created = item_ingest(channel=channel, normalized=parsed.normalized)
    if created:
        return IngestChange.Status.INGESTED, item, ""
    if parsed.action == ParsedChange.Action.EDIT and item_text_update(item=item, normalized=parsed.normalized):
        return IngestChange.Status.INGESTED, item, "text updated (edited on the platform)"
    return IngestChange.Status.DUPLICATE, item, ""


def _failure_reason(error: Exception) -> str:
    """What a failed change keeps as its error: why its input was refused, or the bug's name and message."""
    if isinstance(error, NormalizationError):
        return str(error)
    return f"internal error: {type(error).__name__}: {error}"


def _guarded(change: _Change, apply: Callable[[], tuple[str, Item | None, str]]) -> tuple[str, Item | None, str]:
    """Run one change's work in a savepoint; a failure becomes a FAILED status with the reason."""
    try:
        with transaction.atomic():
            return apply()
    except Exception as error:  # a bug must not block the other changes; it is kept for a retry
        if not isinstance(error, NormalizationError):
            logger.exception("ingest %s failed", change)
        return IngestChange.Status.FAILED, None, _failure_reason(error)


def ingest_change_process(*, change_id: int, channel: Channel, source: str, received_at: datetime) -> str | None:
    """Process one pending change in its own transaction. Returns its new status, or None when
    another worker holds it or it is no longer pending (a task that runs twice skips it)."""
    with transaction.atomic():
        change = ingest_change_qs_skip_locked().filter(pk=change_id, status=IngestChange.Status.PENDING).first()
        if change is None:
            return None
        change.status, change.item, change.error = _guarded(
            change,
            lambda: _change_apply(channel=channel, source=source, payload=change.payload, received_at=received_at),
        )
        change.save(update_fields=["status", "item", "error"])
        return change.status


# --- batched processing --------------------------------------------------------------------------

# Changes ingested and stored (or locked and marked) per transaction: a whole Meta POST (up to 1,000
# changes), so the per-batch work (the near-duplicate candidates query, the commit, the authors
# lookup) is spread over as many items as one delivery brings (500 -> 1,000: +25 % items/s in the
# benchmark); a worker then holds the delivery's lock for about half a second on the 2-core machine.
BATCH_SIZE = 1000


def _items_insert(rows: list[dict]) -> dict[str, int]:
    """INSERT ... ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING: external id -> new pk.

    An item the channel already has (a concurrent redelivery won) is simply not in the result.
    """
    returned = rows_insert(
        Item, rows, then="ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id, external_id"
    )
    return {external_id: pk for pk, external_id in returned}


@dataclass(frozen=True)
class _ReadAhead:
    """What a batch's new items need from the database, read before the batch's transaction
    (_batch_read_ahead): the channel's stored items among them, by external id, and the authors of
    the others (existing or just created), by external id."""

    stored_items: dict[str, int]
    authors: dict[str, Author]


def _stored_item_ids(*, channel: Channel, external_ids: list[str]) -> dict[str, int]:
    """The channel's items with these external ids: external id -> pk."""
    return dict(
        Item.objects.filter(AnyOf(F("external_id"), external_ids), channel=channel).values_list("external_id", "pk")
    )


def _upserts_ingest(
    *, channel: Channel, upserts: list[tuple[_Change, NormalizedItem]], ahead: _ReadAhead | None
) -> None:
    """item_ingest for a run of consecutive new-item changes, with a fixed number of queries.

    Same outcome per change as item_ingest in order: INGESTED with a new triaged item, its RECEIVED
    event and fingerprint; DUPLICATE with the existing item when the channel already has it (also
    when it appears twice in the run, or a concurrent delivery stored it first). What `ahead` holds
    is taken as read: an item stored since is a conflict of the insert (a concurrent delivery's,
    found then), a row deleted since fails the commit's foreign-key check (the batch runs again).
    """
    external_ids = [normalized.external_id for _change, normalized in upserts]
    existing = (
        _stored_item_ids(channel=channel, external_ids=external_ids) if ahead is None else dict(ahead.stored_items)
    )
    fresh: dict[str, tuple[_Change, NormalizedItem]] = {}
    created: dict[str, int] = {}
    for change, normalized in upserts:
        if normalized.external_id not in existing and normalized.external_id not in fresh:
            fresh[normalized.external_id] = (change, normalized)
    if fresh:
        client = channel.client
        authors = authors_upsert_batch(
            channel=channel,
            authors=[normalized.author for _change, normalized in fresh.values()],
            found=None if ahead is None else ahead.authors,
        )
        entries = [(authors[normalized.author.external_id], normalized) for _change, normalized in fresh.values()]
        received_at = timezone.now()  # the batch's items arrive together: their SLA clocks start now
        triages = triage_assess_batch(client=client, entries=entries, received_at=received_at)
        removed = _arrivals_removed(channel=channel, arrivals=[normalized for _author, normalized in entries])
        rows = [
            {
                "client_id": client.pk,
                "channel_id": channel.pk,
                "author_id": author.pk,
                "received_at": received_at,
                **_item_triaged(normalized=normalized, triage=triage, removed=normalized.external_id in removed),
            }
            for (author, normalized), triage in zip(entries, triages, strict=True)
        ]
        created = _items_insert(rows)
        stored = [
            (row, triage, created[row["external_id"]])
            for row, triage in zip(rows, triages, strict=True)
            if row["external_id"] in created
        ]
        rows_insert(
            ItemEvent,
            [
                {
                    "item_id": pk,
                    "kind": ItemEvent.Kind.RECEIVED,
                    "data": {"triage": triage.reasons},
                    "created_at": received_at,
                }
                for _row, triage, pk in stored
            ]
            + [
                {
                    "item_id": pk,
                    "kind": ItemEvent.Kind.REMOVED,
                    "data": removed[row["external_id"]],
                    "created_at": received_at,
                }
                for row, _triage, pk in stored
                if row["external_id"] in removed
            ],
        )
        rows_insert(
            ItemTextFingerprint,
            [
                fingerprint_row(
                    item_id=pk,
                    client_id=client.pk,
                    author_id=row["author_id"],
                    received_at=received_at,
                    minhash=triage.minhash,
                    bands=triage.bands,
                )
                for row, triage, pk in stored
                if triage.minhash is not None
            ],
        )
        lost = [external_id for external_id in fresh if external_id not in created]
        if lost:  # stored meanwhile by a concurrent delivery: theirs is the item
            existing.update(_stored_item_ids(channel=channel, external_ids=lost))
        existing.update(created)
    for change, normalized in upserts:
        first = fresh.get(normalized.external_id)
        ingested = first is not None and first[0] is change and normalized.external_id in created
        change.status = IngestChange.Status.INGESTED if ingested else IngestChange.Status.DUPLICATE
        change.item_id, change.error = existing[normalized.external_id], ""


# A change's payload parsed, or the error that stopped it (refused input, or a bug in a parser).
type _Parsed = ParsedChange | Exception


def _changes_parse(*, delivery: WebhookDelivery, payloads: list[dict]) -> list[_Parsed]:
    """Parse payloads of the delivery (no database work). A payload that fails keeps its error and
    becomes a FAILED change; it never costs the other changes of the batch theirs."""
    parsed: list[_Parsed] = []
    for payload in payloads:
        try:
            parsed.append(
                change_parse(
                    source=delivery.source, channel=delivery.channel, payload=payload, received_at=delivery.received_at
                )
            )
        except Exception as error:
            if not isinstance(error, NormalizationError):
                logger.exception("parsing a change of delivery %s failed", delivery.pk)
            parsed.append(error)
    return parsed


def _stored_items_lock(*, channel: Channel, parsed: list[_Parsed]) -> None:
    """Lock the stored items a batch's edits and removals touch (a removed post's: all of its items),
    all in one statement in id order, before any change is applied: the order of every other lock on
    many items (a campaign's hide, a crisis publish). Locked one at a time in the payload's order, an
    edit could hold one copy of a campaign while waiting for another that an agent's hide held while
    waiting for the first."""
    changes = [result for result in parsed if isinstance(result, ParsedChange)]
    external_ids = [
        result.external_id if result.action == ParsedChange.Action.REMOVE else result.normalized.external_id
        for result in changes
        if result.action in (ParsedChange.Action.EDIT, ParsedChange.Action.REMOVE)
    ]
    threads = [result.thread_external_id for result in changes if result.action == ParsedChange.Action.REMOVE_THREAD]
    if external_ids or threads:
        touched = Q(AnyOf(F("external_id"), external_ids)) | Q(AnyOf(F("thread_external_id"), threads))
        list(item_qs_select_for_update().filter(touched, channel=channel).values("pk"))


def _changes_apply(
    *, delivery: WebhookDelivery, changes: list[_Change], parsed: list[_Parsed], ahead: _ReadAhead | None
) -> None:
    """Apply parsed changes (locked rows, or a Meta batch not stored yet) in position order: runs of
    new items in bulk, edits and removals one by one in between (they may refer to an item an
    earlier change of the run creates); the stored items they touch are locked first. `ahead`: what
    _batch_read_ahead read for these changes, if it did."""
    channel = delivery.channel
    _stored_items_lock(channel=channel, parsed=parsed)
    upserts: list[tuple[_Change, NormalizedItem]] = []

    def flush() -> None:
        if upserts:
            _upserts_ingest(channel=channel, upserts=upserts, ahead=ahead)
            upserts.clear()

    for change, result in zip(changes, parsed, strict=True):
        if isinstance(result, Exception):
            change.status, change.item_id, change.error = IngestChange.Status.FAILED, None, _failure_reason(result)
            continue
        if result.action == ParsedChange.Action.UPSERT:
            upserts.append((change, result.normalized))
            continue
        flush()
        change.status, item, change.error = _guarded(
            change, lambda result=result: _parsed_change_apply(channel=channel, parsed=result)
        )
        change.item_id = None if item is None else item.pk
    flush()


def _batch_read_ahead(*, channel: Channel, parsed: list[_Parsed]) -> _ReadAhead:
    """Before the batch's transaction begins: which of its new items the channel already has, and
    the authors of the others, the missing ones created (one INSERT in a short transaction of its
    own). The batch takes both as read.

    Inside the batch's transaction (about half a second for 1,000 changes) a new author's row
    stays uncommitted, and a concurrent delivery naming the same new author waits at its own
    insert until that commit: in a shitstorm, where fresh accounts comment under several posts at
    once, the queue workers took turns instead of working side by side. An author whose change
    then turns out a duplicate is created all the same (a row without items, as a concurrent
    delivery's rollback would leave one). Changes of items the channel already has are left out:
    a redelivered comment whose author's data was erased must not bring their row back.
    """
    upserts = [
        result.normalized
        for result in parsed
        if isinstance(result, ParsedChange) and result.action == ParsedChange.Action.UPSERT
    ]
    if not upserts:
        return _ReadAhead(stored_items={}, authors={})
    stored = _stored_item_ids(channel=channel, external_ids=[normalized.external_id for normalized in upserts])
    authors = [normalized.author for normalized in upserts if normalized.external_id not in stored]
    return _ReadAhead(
        stored_items=stored, authors=authors_found_ahead(channel=channel, authors=authors) if authors else {}
    )


def _changes_mark(changes: list[IngestChange]) -> None:
    """One UPDATE ... FROM unnest(...) for the batch's new statuses (bulk_update's CASE per row
    costs more to build in Python than the database spends on it)."""
    table = IngestChange._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} SET status = marked.status, item_id = marked.item_id, error = marked.error
            FROM unnest(%s::bigint[], %s::varchar[], %s::bigint[], %s::text[]) AS marked(id, status, item_id, error)
            WHERE {table}.id = marked.id
            """,  # noqa: S608 - the table name is ours, values are parameters
            [
                [change.pk for change in changes],
                [change.status for change in changes],
                [change.item_id for change in changes],
                [change.error for change in changes],
            ],
        )


def _changes_batch_process(*, delivery: WebhookDelivery) -> list[str | None] | None:
    """Lock up to BATCH_SIZE pending changes (SKIP LOCKED), ingest them, mark them; one transaction.

    Returns their new statuses, or None when no pending change is left to lock. If the batch fails
    as a whole (a bug, a deadlock), it is rolled back and each of its changes is processed on its
    own, so one bad change keeps its error and never costs the others theirs.
    """
    locked_ids: list[int] = []
    try:
        with transaction.atomic():
            pending = ingest_change_qs_skip_locked().filter(delivery=delivery, status=IngestChange.Status.PENDING)
            changes = list(pending[:BATCH_SIZE])
            if not changes:
                return None
            locked_ids = [change.pk for change in changes]
            parsed = _changes_parse(delivery=delivery, payloads=[change.payload for change in changes])
            _changes_apply(delivery=delivery, changes=changes, parsed=parsed, ahead=None)
            _changes_mark(changes)
            return [change.status for change in changes]
    except Exception:
        if not locked_ids:
            raise
        logger.exception("ingest batch of delivery %s failed; processing its changes one by one", delivery.pk)
    return [
        ingest_change_process(
            change_id=change_id, channel=delivery.channel, source=delivery.source, received_at=delivery.received_at
        )
        for change_id in locked_ids
    ]


# The statuses of a change that may run again, which needs its payload: a later pass takes the
# pending ones, ingest_changes_reprocess_failed the failed ones.
_STATUSES_RUN_AGAIN = (IngestChange.Status.PENDING, IngestChange.Status.FAILED)


def _changes_insert(changes: list[_UnstoredChange]) -> None:
    """One COPY for a batch of a delivery's new changes with their status (the outcome, or pending
    for a later pass). A settled change is stored without its payload (the delivery's body holds
    it): copying every payload cost some 10 ms of Python and PostgreSQL per 1,000 changes."""
    rows_insert(
        IngestChange,
        [
            {
                "delivery_id": change.delivery_id,
                "position": change.position,
                "payload": change.payload if change.status in _STATUSES_RUN_AGAIN else None,
                "status": change.status,
                "item_id": change.item_id,
                "error": change.error,
            }
            for change in changes
        ],
    )


def _delivery_lock_if_pending(delivery: WebhookDelivery) -> bool:
    """Lock the delivery's row (a Meta delivery's batches take turns under it); whether it is still pending."""
    return (
        webhook_delivery_qs_select_for_update().filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).exists()
    )


def _meta_batches_process(*, delivery: WebhookDelivery) -> Iterator[list[str | None]]:
    """Ingest a Meta delivery's changes straight from its body, BATCH_SIZE at a time, and store each
    batch's change rows with their outcome in the transaction that ingests them (writing them
    pending, then locking, reading back and updating them was some 15 % of a delivery's work).
    Yields each batch's statuses.

    The body never changes once stored: it is read and split once per run. Each batch's changes
    are parsed and read ahead first (_batch_read_ahead: stored items, authors, the new ones created;
    a batch another run got to first is parsed and read again under the lock); then the batch locks
    the delivery row, counts the changes stored so far and takes the payloads after them: a second
    run of the task waits for the first one's batch and goes on with the next, and a run after a
    crash begins where the last committed batch ended, so nothing is ingested twice or lost. If a
    batch fails as a whole (a bug, a deadlock), it is rolled back to its savepoint and its changes
    are stored pending and processed one by one, so one bad change keeps its error and never costs
    the others theirs. A body that cannot be split (the request checked the shape, so this is
    rare) is kept with one failed change carrying the reason. Other sources store their changes
    pending in the request: nothing to do here.
    """
    if delivery.source != WebhookDelivery.Source.META:
        return
    pending = WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING)
    body = pending.values_list("body", flat=True).first()
    if body is None:  # processed meanwhile (or never pending)
        return
    try:
        payloads = meta_changes_split(bytes(body))
    except NormalizationError as error:
        with transaction.atomic():
            if _delivery_lock_if_pending(delivery):
                delivery_unsplittable(delivery, error)
        return
    # Where this run expects the next batch to begin (a run resuming after a crash goes on after
    # what is stored); the count under the lock decides.
    position = IngestChange.objects.filter(delivery=delivery).count()
    retried = False
    while position < len(payloads):
        parsed = _changes_parse(delivery=delivery, payloads=payloads[position : position + BATCH_SIZE])
        ahead = _batch_read_ahead(channel=delivery.channel, parsed=parsed)
        try:
            stored = _meta_batch_store(
                delivery=delivery, payloads=payloads, position=position, parsed=parsed, ahead=ahead
            )
        except IntegrityError:
            # Foreign keys are checked at commit: an author row read ahead was deleted meanwhile (an
            # erasure, services.erasure). Nothing of the batch was stored; it runs again, once, reads
            # ahead again and creates the author anew.
            if retried:
                raise
            logger.warning("ingest batch of delivery %s lost an author row at commit; running it again", delivery.pk)
            retried = True
            continue
        retried = False
        if stored is None:
            return
        changes, one_by_one = stored
        if one_by_one:
            yield [
                ingest_change_process(
                    change_id=change_id,
                    channel=delivery.channel,
                    source=delivery.source,
                    received_at=delivery.received_at,
                )
                for change_id in one_by_one
            ]
        else:
            yield [change.status for change in changes]
        position = changes[-1].position + 1


@transaction.atomic
def _meta_batch_store(
    *, delivery: WebhookDelivery, payloads: list[dict], position: int, parsed: list[_Parsed], ahead: _ReadAhead | None
) -> tuple[list[_UnstoredChange], list[int]] | None:
    """One batch of a Meta delivery in one transaction under the delivery's lock, from `position`
    (or from where another run got to; `parsed` and `ahead` are then read again, here): its changes
    with their outcome, and the ids of those stored pending to be processed one by one because the
    batch failed as a whole. None when the delivery is no longer pending or nothing is left."""
    if not _delivery_lock_if_pending(delivery):
        return None
    stored = IngestChange.objects.filter(delivery=delivery).count()
    if stored != position:  # another run got further (or this one resumes after a crash)
        position = stored
        parsed = _changes_parse(delivery=delivery, payloads=payloads[position : position + BATCH_SIZE])
        ahead = None
    changes = [
        _UnstoredChange(delivery_id=delivery.pk, position=position + offset, payload=payload)
        for offset, payload in enumerate(payloads[position : position + BATCH_SIZE])
    ]
    if not changes:
        return None
    try:
        with transaction.atomic():
            _changes_apply(delivery=delivery, changes=changes, parsed=parsed, ahead=ahead)
            _changes_insert(changes)
    except Exception:
        logger.exception("ingest batch of delivery %s failed; processing its changes one by one", delivery.pk)
        _changes_insert(
            [
                _UnstoredChange(delivery_id=delivery.pk, position=change.position, payload=change.payload)
                for change in changes
            ]
        )
        stored_pending = IngestChange.objects.filter(
            delivery=delivery, position__range=(changes[0].position, changes[-1].position)
        )
        return changes, list(stored_pending.order_by("position").values_list("pk", flat=True))
    return changes, []


def webhook_delivery_process(
    *, delivery_id: int, on_change: Callable[[str | None], None] | None = None
) -> dict[str, int]:
    """Ingest a Meta delivery's changes from its body, then every pending change row of the delivery;
    idempotent (a second run finds every change stored and none pending).

    Meta batches take turns under a lock on the delivery; pending rows are locked with SKIP LOCKED,
    so two runs of the task share the work instead of doing it twice. Returns counts per resulting
    status. `on_change` is called after each change (progress bars).
    """
    delivery = WebhookDelivery.objects.select_related("channel__client").defer("body").filter(pk=delivery_id).first()
    if delivery is None:
        return {}
    counts: dict[str, int] = {}
    pending_batches = iter(lambda: _changes_batch_process(delivery=delivery), None)  # until it returns None
    for statuses in chain(_meta_batches_process(delivery=delivery), pending_batches):
        for status in statuses:
            if status is not None:
                counts[status] = counts.get(status, 0) + 1
            if on_change is not None:
                on_change(status)
    delivery_finish(delivery)
    return counts


def ingest_changes_reprocess_failed(
    *,
    channel_id: int | None = None,
    delivery_id: int | None = None,
    on_change: Callable[[str | None], None] | None = None,
) -> dict[str, int]:
    """Put failed changes back to pending and process them again (after a fix in code, data or config)."""
    failed = IngestChange.objects.filter(status=IngestChange.Status.FAILED)
    if channel_id is not None:
        failed = failed.filter(delivery__channel_id=channel_id)
    if delivery_id is not None:
        failed = failed.filter(delivery_id=delivery_id)
    delivery_ids = list(failed.values_list("delivery_id", flat=True).distinct())
    failed.update(status=IngestChange.Status.PENDING, error="")
    counts: dict[str, int] = {}
    for pk in delivery_ids:
        for status, number in webhook_delivery_process(delivery_id=pk, on_change=on_change).items():
            counts[status] = counts.get(status, 0) + number
    return counts
