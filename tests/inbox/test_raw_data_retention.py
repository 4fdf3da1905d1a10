"""Raw webhook data is dropped after the retention period; items and outcomes stay; nothing unsettled is lost."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from inbox.models import GenericEventReceipt, IngestChange, Item, WebhookDelivery
from inbox.selectors import ingest_change_as_received
from inbox.services import raw_data_retention
from inbox.services.deliveries import generic_delivery_receive, meta_delivery_receive
from inbox.services.ingestion import webhook_delivery_process
from inbox.services.raw_data_retention import RETENTION_BATCH, raw_webhook_data_drop
from inbox.tasks import INBOX_SCHEDULES

from .ingest_payloads import facebook_comment_change, generic_event, meta_body

RETENTION_DAYS = 30


@pytest.fixture(autouse=True)
def retention(settings):
    settings.INBOX_RAW_WEBHOOK_RETENTION_DAYS = RETENTION_DAYS


def _processed_meta_delivery(channel, comment_id: str) -> WebhookDelivery:
    body = meta_body(channel, changes=[facebook_comment_change(comment_id=comment_id, message="Wann liefert ihr?")])
    delivery = meta_delivery_receive(channel=channel, body=body).delivery
    webhook_delivery_process(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    return delivery


def _arrived_days_ago(delivery: WebhookDelivery, days: float, *, now: datetime | None = None) -> None:
    at = (now or timezone.now()) - timedelta(days=days)
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
        channel=facebook_channel,
        body=meta_body(facebook_channel, changes=[facebook_comment_change(comment_id="post_c1")]),
    ).delivery  # its task never ran (a worker was down)
    unsplittable = meta_delivery_receive(channel=facebook_channel, body=b'{"object": "page", "entry": 3}').delivery
    for delivery in (pending, unsplittable):
        _arrived_days_ago(delivery, RETENTION_DAYS * 3)

    assert raw_webhook_data_drop() == 0

    assert WebhookDelivery.objects.get(pk=unsplittable.pk).status == WebhookDelivery.Status.PARTIAL
    for delivery in (pending, unsplittable):
        assert WebhookDelivery.objects.get(pk=delivery.pk).body_dropped_at is None
    assert bytes(WebhookDelivery.objects.get(pk=unsplittable.pk).body) == b'{"object": "page", "entry": 3}'
    assert IngestChange.objects.get(delivery=unsplittable).payload is not None
    # ... and the pending one is still processed completely afterwards.
    webhook_delivery_process(delivery_id=pending.pk)
    assert Item.objects.filter(channel=facebook_channel, external_id="post_c1").exists()


def test_generic_payload_copies_go_and_the_receipts_still_refuse_a_resent_old_update(generic_channel):
    # The receipts hold nothing but event ids and stay: a resent old update must not put its old
    # text back over a newer one, however old it is.
    def send(event: dict) -> WebhookDelivery:
        delivery = generic_delivery_receive(channel=generic_channel, body=json.dumps(event).encode()).delivery
        webhook_delivery_process(delivery_id=delivery.pk)
        return delivery

    created = send(generic_event("evt-1", external_id="review-1", text="Erste Fassung."))
    old_update = {**generic_event("evt-2", external_id="review-1", text="Zweite Fassung."), "type": "item.updated"}
    send(old_update)
    send({**generic_event("evt-3", external_id="review-1", text="Dritte Fassung."), "type": "item.updated"})
    for delivery in WebhookDelivery.objects.all():
        _arrived_days_ago(delivery, RETENTION_DAYS + 1)

    assert raw_webhook_data_drop() == 3

    assert list(IngestChange.objects.filter(delivery=created).values_list("payload", "status")) == [
        (None, IngestChange.Status.INGESTED)
    ]
    again = generic_delivery_receive(channel=generic_channel, body=json.dumps(old_update).encode())
    assert (again.accepted, again.duplicates) == (0, 1)
    assert Item.objects.get(channel=generic_channel).text == "Dritte Fassung."


def test_a_run_reads_only_the_bodies_left_to_drop(facebook_channel):
    # Once history is dropped, each batch must find the few new ones on the partial index
    # delivery_body_retention instead of reading every delivery dropped before.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO inbox_webhookdelivery (channel_id, source, body, received_at, status, processed_at, body_dropped_at)
            SELECT %s, 'meta', ''::bytea, now() - interval '400 days' + n * interval '1 minute', 'processed',
                   now() - interval '400 days', now() - interval '300 days'
            FROM generate_series(1, 20000) AS n
            """,
            [facebook_channel.pk],
        )
        cursor.execute("ANALYZE inbox_webhookdelivery")
    old = _processed_meta_delivery(facebook_channel, "post_c1")
    _arrived_days_ago(old, RETENTION_DAYS + 1)
    with CaptureQueriesContext(connection) as queries:
        assert raw_webhook_data_drop() == 1
    batch_read = next(
        query["sql"] for query in queries if query["sql"].startswith('SELECT "inbox_webhookdelivery"."id"')
    )

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {batch_read}")
        plan = json.dumps(cursor.fetchone()[0])

    assert "delivery_body_retention" in plan


def test_many_deliveries_are_dropped_in_short_batches(facebook_channel, django_assert_max_num_queries):
    deliveries = [_processed_meta_delivery(facebook_channel, f"post_c{n}") for n in range(RETENTION_BATCH + 3)]
    for delivery in deliveries:
        _arrived_days_ago(delivery, RETENTION_DAYS + 1)

    # per batch: the ids, their lock, the change rows, the bodies (+ savepoint and release); then
    # the empty read
    with django_assert_max_num_queries(2 * 6 + 1):
        assert raw_webhook_data_drop() == RETENTION_BATCH + 3

    assert not WebhookDelivery.objects.filter(body_dropped_at__isnull=True).exists()


def test_the_admin_says_why_a_change_shows_no_payload(facebook_channel):
    delivery = _processed_meta_delivery(facebook_channel, "post_c1")
    dropped_at = datetime(2026, 11, 24, 12, tzinfo=UTC)
    _arrived_days_ago(delivery, RETENTION_DAYS + 1, now=dropped_at)
    raw_webhook_data_drop(now=dropped_at)

    change = IngestChange.objects.get(delivery=delivery)
    with translation.override("en"):
        shown = site._registry[IngestChange].as_received(change)

    assert str(shown) == "Dropped on Nov 24, 2026 (data protection); the item and the outcome stay."


def test_the_drop_runs_hourly_a_bounded_share_at_a_time(facebook_channel, monkeypatch):
    assert INBOX_SCHEDULES["inbox: drop raw webhook data past retention"] == (
        "inbox.tasks.raw_webhook_data_drop_task",
        60,
    )
    monkeypatch.setattr(raw_data_retention, "RETENTION_BATCH", 1)
    monkeypatch.setattr(raw_data_retention, "RETENTION_BATCHES_PER_RUN", 2)
    for number in range(3):
        _arrived_days_ago(_processed_meta_delivery(facebook_channel, f"post_c{number}"), RETENTION_DAYS + 1)

    assert [raw_webhook_data_drop(), raw_webhook_data_drop(), raw_webhook_data_drop()] == [2, 1, 0]
