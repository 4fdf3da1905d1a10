"""Raw webhook data kept only as long as needed (storage limitation): the bodies of processed
deliveries and their changes' payload copies are dropped after INBOX_RAW_WEBHOOK_RETENTION_DAYS;
the GDPR erasure (services.erasure) drops those of an erased author's deliveries at once."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..lock_objects import webhook_delivery_qs_skip_locked
from ..lookups import AnyOf
from ..models import IngestChange, WebhookDelivery

# Deliveries whose raw data one transaction of raw_webhook_data_drop clears (a Meta delivery is a
# 1,000-change body of some 350 KB), and at most how many such batches one (hourly) run takes, so
# that a backlog (the first run after an upgrade) is worked off run by run within the task timeout.
RETENTION_BATCH = 50
RETENTION_BATCHES_PER_RUN = 200


def raw_webhook_data_drop(*, now: datetime | None = None) -> int:
    """Data protection (storage limitation), run hourly: what was received more than
    INBOX_RAW_WEBHOOK_RETENTION_DAYS ago only as raw input is dropped. A processed delivery loses
    its body and its change rows their payload copies (each row keeps its outcome and item). A
    delivery still pending, or with a failed change, keeps everything until it is processed. The
    generic webhook's event-id receipts stay: they hold nothing but the ids, and refuse a resent
    old update or deletion however old it is. Returns how many bodies were dropped."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.INBOX_RAW_WEBHOOK_RETENTION_DAYS)
    # On the partial index delivery_body_retention: the bodies dropped before are not read again.
    expired = WebhookDelivery.objects.filter(
        received_at__lt=cutoff, status=WebhookDelivery.Status.PROCESSED, body_dropped_at__isnull=True
    ).order_by("received_at")
    dropped = 0
    for _batch in range(RETENTION_BATCHES_PER_RUN):
        delivery_ids = list(expired.values_list("pk", flat=True)[:RETENTION_BATCH])
        if not delivery_ids:
            break
        with transaction.atomic():
            locked = delivery_bodies_lock(delivery_ids=delivery_ids)
            if not locked:  # all of them held by an erasure at this moment: the next run takes them
                break
            IngestChange.objects.filter(AnyOf(F("delivery_id"), locked), payload__isnull=False).update(payload=None)
            dropped += delivery_bodies_drop(delivery_ids=locked, now=now)
    return dropped


def delivery_bodies_lock(*, delivery_ids: list[int]) -> list[int]:
    """Lock the settled ones of these deliveries (processed, or with a failed change) whose body is
    still stored, in id order, skipping any another transaction holds (a worker reprocessing it, or
    the other one of retention and erasure): the ids locked. Both take these locks before they
    touch the deliveries' change rows, so they never wait for each other."""
    return list(
        webhook_delivery_qs_skip_locked()
        .filter(AnyOf(F("id"), delivery_ids), body_dropped_at__isnull=True)
        .exclude(status=WebhookDelivery.Status.PENDING)
        .values_list("pk", flat=True)
    )


def delivery_bodies_drop(*, delivery_ids: list[int], now: datetime) -> int:
    """Empty the raw bodies of these (locked) deliveries. A failed change keeps its own payload copy,
    so it can still run again. Returns how many bodies were emptied."""
    return WebhookDelivery.objects.filter(AnyOf(F("id"), delivery_ids)).update(body=b"", body_dropped_at=now)
