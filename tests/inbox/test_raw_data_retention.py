"""Raw webhook data is dropped after the retention period; items and outcomes stay; nothing unsettled is lost."""

import json
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.utils import timezone, translation

from inbox.models import GenericEventReceipt, IngestChange, Item, WebhookDelivery
from inbox.selectors import ingest_change_as_received
from inbox.services.ingestion import (
    RETENTION_BATCH,
    generic_delivery_receive,
    meta_delivery_receive,
    raw_webhook_data_drop,
    webhook_delivery_process,
)
from inbox.tasks import INBOX_SCHEDULES

from .ingest_payloads import facebook_comment_change, generic_event, meta_body

RETENTION_DAYS = 30


@pytest.fixture(autouse=True)
def retention(settings):
    settings.INBOX_RAW_WEBHOOK_RETENTION_DAYS = RETENTION_DAYS


def _processed_meta_delivery(channel, comment_id: str) -> WebhookDelivery:
    body = meta_body(changes=[facebook_comment_change(comment_id=comment_id, message="Wann liefert ihr?")])
    delivery = meta_delivery_receive(channel=channel, body=body).delivery
    webhook_delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def _arrived_days_ago(delivery: WebhookDelivery, days: float) -> None:
    at = timezone.now() - timedelta(days=days)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(received_at=at)
    GenericEventReceipt.objects.filter(delivery=delivery).update(received_at=at)


def test_old_processed_bodies_are_dropped_and_items_and_outcomes_stay(facebook_channel):
    old = _processed_meta_delivery(facebook_channel, "post_c1")
    recent = _processed_meta_delivery(facebook_channel, "post_c2")
    _arrived_days_ago(old, RETENTION_DAYS + 1)
    _arrived_days_ago(recent, RETENTION_DAYS - 1)

    assert raw_webhook_data_drop() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (bytes(old.body), old.body_dropped_at is not None) == (b"", True)
    assert (bytes(recent.body) != b"", recent.body_dropped_at) == (True, None)
    change = IngestChange.objects.get(delivery=old)
    assert (change.status, change.item.external_id) == (IngestChange.Status.INGESTED, "post_c1")
    assert ingest_change_as_received(change=change) is None
    assert ingest_change_as_received(change=IngestChange.objects.get(delivery=recent))["change"]["value"][
        "comment_id"
    ] == ("post_c2")
    assert Item.objects.filter(channel=facebook_channel).count() == 2
    assert raw_webhook_data_drop() == 0  # a second run finds nothing left


def test_unsettled_deliveries_keep_their_raw_data_whatever_their_age(facebook_channel):
    pending = meta_delivery_receive(
        channel=facebook_channel, body=meta_body(changes=[facebook_comment_change(comment_id="post_c1")])
    ).delivery  # its task never ran (a worker was down)
    unsplittable = meta_delivery_receive(channel=facebook_channel, body=b'{"object": "page", "entry": 3}').delivery
    for delivery in (pending, unsplittable):
        _arrived_days_ago(delivery, RETENTION_DAYS * 3)

    assert raw_webhook_data_drop() == 0

    assert WebhookDelivery.objects.get(pk=unsplittable.pk).status == WebhookDelivery.Status.PARTIAL
    for delivery in (pending, unsplittable):
        assert WebhookDelivery.objects.get(pk=delivery.pk).body_dropped_at is None
    # ... and the pending one is still processed completely afterwards.
    webhook_delivery_process(delivery_id=pending.pk)
    assert Item.objects.filter(channel=facebook_channel, external_id="post_c1").exists()


def test_generic_payload_copies_and_old_receipts_go_and_a_resent_old_event_adds_no_item(generic_channel):
    body = json.dumps({"events": [generic_event("evt-1")]}).encode()
    delivery = generic_delivery_receive(channel=generic_channel, body=body).delivery
    webhook_delivery_process(delivery_id=delivery.pk)
    _arrived_days_ago(delivery, RETENTION_DAYS + 1)

    assert raw_webhook_data_drop() == 1

    assert list(IngestChange.objects.filter(delivery=delivery).values_list("payload", "status")) == [
        (None, IngestChange.Status.INGESTED)
    ]
    assert not GenericEventReceipt.objects.exists()
    again = generic_delivery_receive(channel=generic_channel, body=body).delivery
    webhook_delivery_process(delivery_id=again.pk)
    assert IngestChange.objects.get(delivery=again).status == IngestChange.Status.DUPLICATE
    assert Item.objects.filter(channel=generic_channel).count() == 1


def test_many_deliveries_are_dropped_in_short_batches(facebook_channel, django_assert_max_num_queries):
    deliveries = [_processed_meta_delivery(facebook_channel, f"post_c{n}") for n in range(RETENTION_BATCH + 3)]
    for delivery in deliveries:
        _arrived_days_ago(delivery, RETENTION_DAYS + 1)

    # per batch: the ids, the change rows, the bodies (+ savepoint); then the receipts
    with django_assert_max_num_queries(2 * 5 + 3):
        assert raw_webhook_data_drop() == RETENTION_BATCH + 3

    assert not WebhookDelivery.objects.filter(body_dropped_at__isnull=True).exists()


def test_the_admin_says_why_a_change_shows_no_payload(facebook_channel):
    delivery = _processed_meta_delivery(facebook_channel, "post_c1")
    _arrived_days_ago(delivery, RETENTION_DAYS + 1)
    raw_webhook_data_drop()

    change = IngestChange.objects.get(delivery=delivery)
    with translation.override("en"):
        shown = site._registry[IngestChange].as_received(change)

    assert (
        str(shown)
        == f"Dropped {RETENTION_DAYS} days after it arrived (data protection); the item and the outcome stay."
    )


def test_the_drop_runs_daily():
    assert INBOX_SCHEDULES["inbox: drop raw webhook data past retention"] == (
        "inbox.tasks.raw_webhook_data_drop_task",
        24 * 60,
    )
