"""Webhook deliveries: received and stored raw, queued for processing, finished, swept.

`*_delivery_receive` stores the raw body as a WebhookDelivery, checks its shape and enqueues
processing on commit (services.ingestion does the processing). A Meta body (up to 1,000 changes)
is stored with one INSERT and split by the task, so the request is answered fast; a generic body
is split into IngestChange rows in the request (its event ids are deduplicated there, and the
answer counts the replays). A body that cannot be split is still stored, with one failed change
that carries the reason.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from communityops.models import Channel

from ..models import GenericEventReceipt, IngestChange, WebhookDelivery
from ..normalized import NormalizationError
from .ingest_formats import generic_events_split, meta_changes_split
from .raw_data_retention import delivery_bodies_drop, delivery_bodies_lock

PROCESS_TASK = "inbox.tasks.webhook_delivery_process_task"
# A delivery still pending this long after arrival lost its task (e.g. a crash right after commit).
STALE_PENDING_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class DeliveryReceipt:
    delivery: WebhookDelivery
    accepted: int  # changes stored for processing
    duplicates: int = 0  # generic events already received earlier (replays)
    error: str = ""  # set when the body could not be split: the caller answers 400

    @property
    def rejected(self) -> bool:
        return bool(self.error)


def delivery_unsplittable(delivery: WebhookDelivery, error: NormalizationError) -> None:
    # The body stays stored; one failed change carries the reason, so it is listed with the
    # other failures and nothing accepted is silently lost.
    IngestChange.objects.create(
        delivery=delivery,
        position=0,
        payload={"unparsed_body": str(error)},
        status=IngestChange.Status.FAILED,
        error=str(error),
    )
    delivery.status = WebhookDelivery.Status.PARTIAL
    delivery.processed_at = timezone.now()
    delivery.save(update_fields=["status", "processed_at"])


def _delivery_reject(delivery: WebhookDelivery, error: NormalizationError) -> DeliveryReceipt:
    delivery_unsplittable(delivery, error)
    return DeliveryReceipt(delivery=delivery, accepted=0, error=str(error))


def _delivery_enqueue(delivery: WebhookDelivery) -> None:
    """Processing starts after commit (tasks receive ids)."""
    delivery_id = delivery.pk
    transaction.on_commit(lambda: async_task(PROCESS_TASK, delivery_id, task_name=f"ingest-delivery-{delivery_id}"))


def _delivery_changes_store(delivery: WebhookDelivery, changes: list[IngestChange]) -> None:
    """One INSERT for all changes; processing starts after commit."""
    IngestChange.objects.bulk_create(changes)
    if not changes:
        delivery_finish(delivery)
        return
    _delivery_enqueue(delivery)


@transaction.atomic
def meta_delivery_receive(*, channel: Channel, body: bytes) -> DeliveryReceipt:
    """Store a verified Meta webhook body (one INSERT) and check its shape; the task splits it into
    changes and processes them after commit. A body of the wrong shape is kept, with the reason."""
    delivery = WebhookDelivery.objects.create(channel=channel, source=WebhookDelivery.Source.META, body=body)
    try:
        accepted = len(meta_changes_split(body))
    except NormalizationError as error:
        return _delivery_reject(delivery, error)
    if accepted:
        _delivery_enqueue(delivery)
    else:
        delivery_finish(delivery)
    return DeliveryReceipt(delivery=delivery, accepted=accepted)


def _generic_event_ids_claim(*, channel: Channel, delivery: WebhookDelivery, event_ids: list[str]) -> set[str]:
    # INSERT ... ON CONFLICT DO NOTHING RETURNING tells exactly which ids are new, also when two
    # requests replay the same event at once (the second waits for the first, then skips it).
    table = GenericEventReceipt._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {table} (channel_id, event_id, delivery_id, received_at)
            SELECT %s, event_id, %s, now() FROM unnest(%s::varchar[]) AS event_id
            ON CONFLICT (channel_id, event_id) DO NOTHING
            RETURNING event_id
            """,  # noqa: S608 - the table name is ours, values are parameters
            [channel.pk, delivery.pk, sorted(set(event_ids))],
        )
        return {row[0] for row in cursor.fetchall()}


@transaction.atomic
def generic_delivery_receive(*, channel: Channel, body: bytes) -> DeliveryReceipt:
    """Store a verified generic webhook body; events whose event_id this channel has seen are skipped."""
    delivery = WebhookDelivery.objects.create(channel=channel, source=WebhookDelivery.Source.GENERIC, body=body)
    try:
        events = generic_events_split(body)
    except NormalizationError as error:
        return _delivery_reject(delivery, error)
    new_ids = _generic_event_ids_claim(
        channel=channel, delivery=delivery, event_ids=[event["event_id"] for event in events]
    )
    changes = []
    for event in events:
        if event["event_id"] in new_ids:
            new_ids.discard(event["event_id"])  # a batch repeating an id stores it once
            changes.append(IngestChange(delivery=delivery, position=len(changes), payload=event))
    _delivery_changes_store(delivery, changes)
    return DeliveryReceipt(delivery=delivery, accepted=len(changes), duplicates=len(events) - len(changes))


@transaction.atomic
def import_delivery_store(*, channel: Channel, body: bytes, rows: list[tuple[int, dict]]) -> WebhookDelivery:
    """Store one chunk of an import file (raw lines) with one change per row; the caller processes it.

    A row is `{"row": <line number>, "record": {...}}`, or `{"row": n, "invalid": "<reason>"}` for a
    line that could not even be read, so it is kept and reported like any other failure.
    """
    delivery = WebhookDelivery.objects.create(channel=channel, source=WebhookDelivery.Source.IMPORT, body=body)
    IngestChange.objects.bulk_create(
        IngestChange(delivery=delivery, position=position, payload={"row": row, **payload})
        for position, (row, payload) in enumerate(rows)
    )
    return delivery


def delivery_finish(delivery: WebhookDelivery) -> None:
    """PROCESSED when nothing is pending or failed, PARTIAL when something failed. A delivery that
    brought a change of an item whose author's data was erased (a platform's retry, an edit) loses
    its raw body and that change's payload copy at once: the erasure stands."""
    states = set(delivery.changes.values_list("status", flat=True).distinct())
    if IngestChange.Status.PENDING in states:
        return
    delivery.status = (
        WebhookDelivery.Status.PARTIAL if IngestChange.Status.FAILED in states else WebhookDelivery.Status.PROCESSED
    )
    delivery.processed_at = timezone.now()
    delivery.save(update_fields=["status", "processed_at"])
    if IngestChange.Status.DUPLICATE in states:  # only a duplicate can land on an erased item
        on_erased = delivery.changes.filter(status=IngestChange.Status.DUPLICATE, item__erased_at__isnull=False)
        if on_erased.exists():
            with transaction.atomic():
                locked = delivery_bodies_lock(delivery_ids=[delivery.pk])
                on_erased.filter(payload__isnull=False).update(payload=None)
                delivery_bodies_drop(delivery_ids=locked, now=delivery.processed_at)


def ingest_pending_sweep(*, now: datetime | None = None) -> int:
    """Re-enqueue deliveries whose processing task was lost; run by a schedule. Returns how many."""
    cutoff = (now or timezone.now()) - STALE_PENDING_AFTER
    stale = WebhookDelivery.objects.filter(
        Q(status=WebhookDelivery.Status.PENDING) & Q(received_at__lt=cutoff) & ~Q(source=WebhookDelivery.Source.IMPORT)
    ).values_list("pk", flat=True)
    delivery_ids = list(stale[:500])
    for delivery_id in delivery_ids:
        async_task(PROCESS_TASK, delivery_id, task_name=f"ingest-delivery-{delivery_id}-sweep")
    return len(delivery_ids)
