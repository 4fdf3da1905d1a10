"""Webhook replays and a database connection lost mid-ingest, against a real threaded server.

The sender behaves like Meta (and a generic integration): it retries on any 5xx. pytest-django's
live_server runs the WSGI app in threads with the normal request cycle, so a request after a
killed connection gets a fresh one, as under gunicorn.
"""

import json
import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

import psycopg
import pytest
from django.db import connection

from communityops.models import Channel
from inbox.models import IngestChange, Item, WebhookDelivery
from inbox.services import deliveries, ingestion
from inbox.services.ingestion import webhook_delivery_process
from inbox.webhooks import generic_signature_for, meta_signature_for
from tests.inbox.ingest_payloads import facebook_comment_change, generic_event, meta_body

DELIVERIES = 20  # Meta POSTs, three changes each
GENERIC_EVENTS = 15
REPLAYS = 3
SENDERS = 6
MAX_ATTEMPTS = 6
# Which calls (1-based, counted across all server threads) lose their database connection.
STORE_FAULTS_AT = {2, 9, 17, 30, 44, 61}
SPLIT_FAULTS_AT = {3, 20, 41}
INGEST_FAULTS_AT = {5, 40, 77, 120, 151}


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})  # noqa: S310 (loopback live server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (loopback live server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _send_with_retries(url: str, body: bytes, headers_for, statuses: Counter, lock: threading.Lock) -> int:
    """Like Meta: retry a 5xx (bounded here), accept anything else as the final answer."""
    for attempt in range(MAX_ATTEMPTS):
        status = _post(url, body, headers_for())
        with lock:
            statuses[status] += 1
        if status < 500:
            return status
        time.sleep(0.05 * (attempt + 1))
    return status


def _meta_deliveries(channel: Channel) -> list[tuple[str, bytes, callable]]:
    url_path = f"/webhooks/meta/{channel.pk}/"
    sends = []
    for number in range(DELIVERIES):
        body = meta_body(
            channel,
            changes=[
                facebook_comment_change(comment_id=f"post{number}_c{part}", message=f"Frage {number}.{part}")
                for part in range(3)
            ],
        )
        signature = meta_signature_for(secret=channel.app_secret, body=body)
        sends.append((url_path, body, lambda signature=signature: {"X-Hub-Signature-256": signature}))
    return sends


def _generic_deliveries(channel: Channel) -> list[tuple[str, bytes, callable]]:
    url_path = f"/webhooks/generic/{channel.pk}/"
    sends = []
    for number in range(GENERIC_EVENTS):
        body = json.dumps(generic_event(f"evt-{number}", text=f"Bewertung {number}")).encode()

        def headers(body=body):
            stamp = str(int(time.time()))
            return {
                "X-CO-Timestamp": stamp,
                "X-CO-Signature": generic_signature_for(secret=channel.app_secret, timestamp=stamp, body=body),
            }

        sends.append((url_path, body, headers))
    return sends


def _deliver_all(live_server, sends) -> tuple[list[int], Counter]:
    """Every payload REPLAYS times, shuffled, from SENDERS threads at once."""
    work = [send for send in sends for _ in range(REPLAYS)]
    random.Random(8).shuffle(work)
    finals: list[int] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(SENDERS)

    def sender(share):
        start.wait()
        for path, body, headers_for in share:
            final = _send_with_retries(live_server.url + path, body, headers_for, statuses, lock)
            with lock:
                finals.append(final)

    threads = [threading.Thread(target=sender, args=(work[n::SENDERS],)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return finals, statuses


def _assert_one_item_per_change(facebook: Channel, generic: Channel) -> None:
    fb_ids = Counter(Item.objects.filter(channel=facebook).values_list("external_id", flat=True))
    assert fb_ids == Counter({f"post{n}_c{part}": 1 for n in range(DELIVERIES) for part in range(3)})
    generic_ids = Counter(Item.objects.filter(channel=generic).values_list("external_id", flat=True))
    assert generic_ids == Counter({f"review-evt-{n}": 1 for n in range(GENERIC_EVENTS)})


@pytest.fixture
def channels(channel_factory):
    return (
        channel_factory(platform=Channel.Platform.FACEBOOK_PAGE),
        channel_factory(platform=Channel.Platform.GENERIC),
    )


@pytest.mark.django_db(transaction=True)
def test_every_payload_three_times_concurrently_and_shuffled_gives_one_item_per_change(live_server, channels):
    facebook, generic = channels

    finals, statuses = _deliver_all(live_server, _meta_deliveries(facebook) + _generic_deliveries(generic))

    assert finals == [200] * (REPLAYS * (DELIVERIES + GENERIC_EVENTS))
    _assert_one_item_per_change(facebook, generic)
    # Every Meta POST was stored raw (three times each); nothing is left unprocessed.
    assert WebhookDelivery.objects.filter(channel=facebook).count() == REPLAYS * DELIVERIES
    assert not IngestChange.objects.filter(
        status__in=[IngestChange.Status.PENDING, IngestChange.Status.FAILED]
    ).exists()
    print(f"replays: {sum(statuses.values())} requests, statuses {dict(statuses)}")


def _terminate_own_backend() -> None:
    """Kill this thread's PostgreSQL backend from another connection, as a failover or restart would."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(
        dbname=params["dbname"], user=params["user"], host=params.get("host"), port=params.get("port"), autocommit=True
    ) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_while_storing_or_processing_is_retried_without_loss_or_duplicates(
    live_server, channels, monkeypatch
):
    facebook, generic = channels
    faults = Counter()
    lock = threading.Lock()

    def losing_the_connection(name: str, real, fault_at: set[int]):
        def call(*args, **kwargs):
            with lock:
                faults[f"{name} calls"] += 1
                fail = faults[f"{name} calls"] in fault_at
                faults[f"{name} faults"] += fail
            if fail:
                _terminate_own_backend()
            return real(*args, **kwargs)

        return call

    # A store (the request, before its commit) that loses its connection is gone: the sender gets
    # a 500 and retries. A split or an ingest (the task) that loses it leaves the delivery pending.
    for name, module, function, fault_at in [
        ("store", deliveries, "_delivery_enqueue", STORE_FAULTS_AT),
        ("split", ingestion, "_changes_insert", SPLIT_FAULTS_AT),
        ("ingest", ingestion, "_upserts_ingest", INGEST_FAULTS_AT),
    ]:
        monkeypatch.setattr(module, function, losing_the_connection(name, getattr(module, function), fault_at))

    finals, statuses = _deliver_all(live_server, _meta_deliveries(facebook) + _generic_deliveries(generic))
    monkeypatch.undo()
    # What a lost connection left pending is picked up by the sweep (ingest_pending_sweep's task).
    for delivery_id in WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).values_list(
        "pk", flat=True
    ):
        webhook_delivery_process(delivery_id=delivery_id)

    print(f"connection drops: {dict(faults)}, {sum(statuses.values())} requests, statuses {dict(statuses)}")
    assert statuses[500] >= faults["store faults"] > 0
    assert faults["split faults"] > 0 and faults["ingest faults"] > 0
    assert not WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING).exists()
    assert finals == [200] * (REPLAYS * (DELIVERIES + GENERIC_EVENTS))
    _assert_one_item_per_change(facebook, generic)
    assert not IngestChange.objects.filter(
        status__in=[IngestChange.Status.PENDING, IngestChange.Status.FAILED]
    ).exists()
