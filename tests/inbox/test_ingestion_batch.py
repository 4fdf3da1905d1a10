"""Batched processing of a delivery: same outcomes as change by change, in a fixed number of queries."""

import threading
import time
from datetime import timedelta

import psycopg
import pytest
from django.db import connection

from inbox.models import Author, IngestChange, Item, ItemEvent, ItemTextFingerprint, WebhookDelivery
from inbox.sentiment.fingerprint import minhashes_from_bytes, text_minhash
from inbox.services import deliveries, ingestion
from inbox.services.deliveries import STALE_PENDING_AFTER, ingest_pending_sweep, meta_delivery_receive
from inbox.services.ingest_formats import change_parse, meta_changes_split
from inbox.services.ingestion import BATCH_SIZE, item_ingest, webhook_delivery_process
from inbox.services.triage import TAG_CAMPAIGN

from .ingest_payloads import facebook_comment_change, meta_body


def _comments(count: int, *, prefix: str = "c") -> list[dict]:
    return [
        facebook_comment_change(
            comment_id=f"{prefix}-{number}",
            message=f"Frage Nummer {number}: wann kommt die Lieferung {number * 7} an?",
            author_id=f"fan-{number % 40}",
            author_name=f"Fan {number % 40}",
        )
        for number in range(count)
    ]


def _receive(channel, changes: list[dict]) -> WebhookDelivery:
    # Stored without running the on-commit task, so the test decides when (and how often) it runs.
    return meta_delivery_receive(channel=channel, body=meta_body(channel, changes=changes)).delivery


def test_a_delivery_larger_than_a_batch_is_ingested_completely(facebook_channel):
    delivery = _receive(facebook_channel, _comments(BATCH_SIZE * 2 + 17))

    counts = webhook_delivery_process(delivery_id=delivery.pk)

    assert counts == {IngestChange.Status.INGESTED: BATCH_SIZE * 2 + 17}
    assert Item.objects.filter(channel=facebook_channel).count() == BATCH_SIZE * 2 + 17
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.RECEIVED).count() == BATCH_SIZE * 2 + 17
    assert ItemTextFingerprint.objects.count() == BATCH_SIZE * 2 + 17
    assert Author.objects.filter(platform=facebook_channel.platform).count() == 40
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PROCESSED
    item = Item.objects.get(external_id="c-3")
    assert (item.author.display_name, item.sla_due_at is not None, item.status) == ("Fan 3", True, Item.Status.NEW)
    assert IngestChange.objects.get(position=3).item == item


def test_query_count_does_not_grow_with_the_delivery(facebook_channel, django_assert_max_num_queries):
    delivery = _receive(facebook_channel, _comments(BATCH_SIZE))

    # The delivery, its body, the changes stored so far (3); read ahead: the items already stored,
    # and in a savepoint the authors (read) and the missing ones inserted (staging table, COPY,
    # INSERT from it: 7); per batch: savepoint, lock the delivery, count its stored changes,
    # savepoint, triage (3), coverage, removed posts and comments the items are under, items
    # (staging table, COPY, INSERT from it), events, fingerprints, changes with their outcome, two
    # releases (17); then a look for pending changes (3) and the delivery's final status (2). Atomic
    # blocks are savepoints inside the test's transaction.
    with django_assert_max_num_queries(32):
        webhook_delivery_process(delivery_id=delivery.pk)

    assert Item.objects.count() == BATCH_SIZE


def test_mixed_delivery_keeps_the_semantics_of_one_change_at_a_time(facebook_channel):
    broken = facebook_comment_change(comment_id="c-broken")
    del broken["value"]["from"]
    changes = [
        facebook_comment_change(comment_id="c-1", message="Super Service, danke!"),
        broken,
        facebook_comment_change(comment_id="c-1", message="Super Service, danke!"),  # redelivered in the same body
        facebook_comment_change(comment_id="c-1", message="Nachtrag: leider doch kaputt.", verb="edited"),
        facebook_comment_change(comment_id="c-2", message="Wann öffnet ihr?"),
        facebook_comment_change(comment_id="c-2", verb="remove"),
        facebook_comment_change(comment_id="c-3", message="Und noch eine Frage zum Versand?"),
    ]
    delivery = _receive(facebook_channel, changes)

    webhook_delivery_process(delivery_id=delivery.pk)

    statuses = list(delivery.changes.order_by("position").values_list("status", "error"))
    assert statuses == [
        ("ingested", ""),
        ("failed", "the comment has no author (from)"),
        ("duplicate", ""),
        ("ingested", "text updated (edited on the platform)"),
        ("ingested", ""),
        ("ignored", statuses[5][1]),
        ("ingested", ""),
    ]
    assert Item.objects.get(external_id="c-1").text == "Nachtrag: leider doch kaputt."
    assert "removed-on-platform" in Item.objects.get(external_id="c-2").tags
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PARTIAL


def test_only_a_change_that_may_run_again_keeps_its_payload(facebook_channel):
    broken = facebook_comment_change(comment_id="c-broken")
    del broken["value"]["from"]
    changes = [facebook_comment_change(comment_id="c-1"), broken, facebook_comment_change(comment_id="c-1")]
    delivery = _receive(facebook_channel, changes)

    webhook_delivery_process(delivery_id=delivery.pk)

    stored = delivery.changes.order_by("position")
    assert list(stored.values_list("status", flat=True)) == ["ingested", "failed", "duplicate"]
    assert [change.payload for change in stored] == [None, meta_changes_split(bytes(delivery.body))[1], None]


def test_a_change_its_parser_fails_on_fails_alone(facebook_channel, monkeypatch):
    """A bug in a parser (here: one that raises on the second comment) fails that change with the reason, not the batch."""
    changes = _comments(3)
    delivery = _receive(facebook_channel, changes)

    def parse_with_a_bug(*, payload, **fields):
        if payload["change"]["value"]["comment_id"] == "c-1":
            raise OverflowError("timestamp out of range")
        return change_parse(payload=payload, **fields)

    monkeypatch.setattr(ingestion, "change_parse", parse_with_a_bug)

    counts = webhook_delivery_process(delivery_id=delivery.pk)

    assert counts == {IngestChange.Status.INGESTED: 2, IngestChange.Status.FAILED: 1}
    failed = IngestChange.objects.get(delivery=delivery, position=1)
    assert failed.error.startswith("internal error: ")
    assert failed.payload == meta_changes_split(meta_body(facebook_channel, changes=changes))[1]  # kept for a retry
    assert set(Item.objects.values_list("external_id", flat=True)) == {"c-0", "c-2"}
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PARTIAL


def test_near_duplicates_within_one_batch_are_recognised_as_a_campaign(facebook_channel):
    text = "Dieses Unternehmen ist ein Betrug, niemals hier bestellen, alle sollen es wissen!"
    changes = [
        facebook_comment_change(comment_id=f"c-{number}", message=text, author_id=f"bot-{number}")
        for number in range(3)
    ]
    delivery = _receive(facebook_channel, changes)

    webhook_delivery_process(delivery_id=delivery.pk)

    first, second, third = Item.objects.order_by("external_id")
    assert TAG_CAMPAIGN not in first.tags
    assert any("near-duplicate" in reason for reason in second.triage_reasons)
    assert TAG_CAMPAIGN in third.tags


def test_near_duplicates_stored_by_earlier_deliveries_are_recognised_from_their_stored_fingerprints(
    facebook_channel,
):
    text = "Dieses Unternehmen ist ein Betrug, niemals hier bestellen, alle sollen es wissen!"
    for number in range(3):
        change = facebook_comment_change(comment_id=f"c-{number}", message=text, author_id=f"bot-{number}")
        webhook_delivery_process(delivery_id=_receive(facebook_channel, [change]).pk)

    first, second, third = Item.objects.order_by("external_id")
    assert TAG_CAMPAIGN not in first.tags
    assert any("near-duplicate" in reason for reason in second.triage_reasons)
    assert TAG_CAMPAIGN in third.tags
    stored = ItemTextFingerprint.objects.get(item=first).minhash
    assert minhashes_from_bytes([stored]).tolist() == [text_minhash(text)]


def test_a_failing_batch_falls_back_to_one_change_at_a_time(facebook_channel, monkeypatch):
    def broken_batch(**kwargs):
        raise RuntimeError("simulated bug in the batch path")

    monkeypatch.setattr(ingestion, "_upserts_ingest", broken_batch)
    delivery = _receive(facebook_channel, _comments(5))

    counts = webhook_delivery_process(delivery_id=delivery.pk)

    assert counts == {IngestChange.Status.INGESTED: 5}
    assert Item.objects.count() == 5
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.RECEIVED).count() == 5
    stored = IngestChange.objects.order_by("position").values_list("position", "status", "item__external_id")
    assert list(stored) == [(number, IngestChange.Status.INGESTED, f"c-{number}") for number in range(5)]


class WorkerKilled(BaseException):
    """What a killed worker looks like from inside: nothing after it runs (no except Exception)."""


def test_a_run_killed_mid_delivery_is_finished_by_the_next_run_without_loss_or_duplicates(
    facebook_channel, monkeypatch
):
    real_batch = ingestion._upserts_ingest
    batches = []

    def killed_in_the_second_batch(**kwargs):
        batches.append(kwargs)
        if len(batches) == 2:
            raise WorkerKilled
        return real_batch(**kwargs)

    monkeypatch.setattr(ingestion, "_upserts_ingest", killed_in_the_second_batch)
    delivery = _receive(facebook_channel, _comments(BATCH_SIZE + 20))
    with pytest.raises(WorkerKilled):
        webhook_delivery_process(delivery_id=delivery.pk)
    assert sorted(IngestChange.objects.values_list("position", flat=True)) == list(range(BATCH_SIZE))
    monkeypatch.setattr(ingestion, "_upserts_ingest", real_batch)

    counts = webhook_delivery_process(delivery_id=delivery.pk)

    assert counts == {IngestChange.Status.INGESTED: 20}  # the first batch was committed before the kill
    assert sorted(IngestChange.objects.values_list("position", flat=True)) == list(range(BATCH_SIZE + 20))
    assert set(IngestChange.objects.values_list("status", flat=True)) == {IngestChange.Status.INGESTED}
    assert Item.objects.count() == BATCH_SIZE + 20
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.RECEIVED).count() == BATCH_SIZE + 20
    assert IngestChange.objects.get(position=BATCH_SIZE + 3).item == Item.objects.get(external_id=f"c-{BATCH_SIZE + 3}")
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PROCESSED


def _in_threads(targets) -> list:
    results, errors = [], []

    def run(target):
        try:
            results.append(target())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def _lock_waiters() -> int:
    """Backends of this database waiting for a lock, seen from a connection of its own (a
    transaction's view of pg_stat_activity would not change while it looks)."""
    params = connection.get_connection_params()
    with psycopg.connect(
        dbname=params["dbname"], user=params["user"], host=params.get("host"), port=params.get("port"), autocommit=True
    ) as watcher:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        return watcher.execute(query).fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_processed_twice_at_once_ingests_each_change_once(facebook_channel, monkeypatch):
    monkeypatch.setattr(deliveries, "async_task", lambda *args, **kwargs: None)  # the test runs the task itself
    delivery = _receive(facebook_channel, _comments(BATCH_SIZE * 3))
    real_insert = ingestion._changes_insert
    waiters_seen = []

    def insert_while_the_other_run_waits(changes):
        # The first run to get here holds the delivery's lock until the second one waits for it.
        deadline = time.monotonic() + 10
        while not waiters_seen and time.monotonic() < deadline:
            if _lock_waiters():
                waiters_seen.append(True)
            time.sleep(0.02)
        return real_insert(changes)

    monkeypatch.setattr(ingestion, "_changes_insert", insert_while_the_other_run_waits)

    results = _in_threads([lambda: webhook_delivery_process(delivery_id=delivery.pk)] * 2)

    assert waiters_seen == [True]
    assert sorted(IngestChange.objects.values_list("position", flat=True)) == list(range(BATCH_SIZE * 3))
    assert sum(counts.get("ingested", 0) for counts in results) == BATCH_SIZE * 3
    assert Item.objects.count() == BATCH_SIZE * 3
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.RECEIVED).count() == BATCH_SIZE * 3
    assert not IngestChange.objects.exclude(status=IngestChange.Status.INGESTED).exists()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PROCESSED


@pytest.mark.django_db(transaction=True)
def test_a_new_author_in_two_deliveries_at_once_does_not_make_one_wait_for_the_others_batch(
    facebook_channel, monkeypatch
):
    """The new author is created ahead of each batch, in a transaction of its own: a delivery naming
    the same new account goes through while the other delivery's batch transaction is still open
    (inserted inside that transaction, the author row would hold it until the other's commit)."""
    monkeypatch.setattr(deliveries, "async_task", lambda *args, **kwargs: None)  # the test runs the tasks itself
    fresh_account = {"author_id": "fresh-account", "author_name": "Brand New"}
    first = _receive(facebook_channel, [facebook_comment_change(comment_id="a-1", message="Skandal!", **fresh_account)])
    second = _receive(
        facebook_channel, [facebook_comment_change(comment_id="b-1", message="Boykott!", **fresh_account)]
    )
    real_insert = ingestion._changes_insert
    first_batch_open, second_done = threading.Event(), threading.Event()

    def hold_the_first_batch_open(changes):
        if changes[0].delivery_id == first.pk:
            first_batch_open.set()
            second_done.wait(timeout=10)
        return real_insert(changes)

    monkeypatch.setattr(ingestion, "_changes_insert", hold_the_first_batch_open)

    def second_after_the_first_has_begun():
        assert first_batch_open.wait(timeout=10)
        counts = webhook_delivery_process(delivery_id=second.pk)
        second_done.set()
        return counts

    started = time.monotonic()
    results = _in_threads([lambda: webhook_delivery_process(delivery_id=first.pk), second_after_the_first_has_begun])

    assert time.monotonic() - started < 10  # nobody waited for the other's timeout
    assert results == [{IngestChange.Status.INGESTED: 1}] * 2
    author = Author.objects.get(platform=facebook_channel.platform, external_id="fresh-account")
    assert author.display_name == "Brand New"
    assert set(Item.objects.values_list("external_id", "author_id")) == {("a-1", author.pk), ("b-1", author.pk)}


@pytest.mark.django_db(transaction=True)
def test_an_author_read_ahead_and_erased_before_the_batch_commits_is_created_anew(facebook_channel, monkeypatch):
    """The batch takes the authors read ahead of its transaction as read. One deleted in between (an
    erasure) fails the commit's foreign-key check: nothing of the batch stays, it runs again and
    stores every item, with the author created anew."""
    monkeypatch.setattr(deliveries, "async_task", lambda *args, **kwargs: None)  # the test runs the task itself
    delivery = _receive(facebook_channel, _comments(3))
    real_store = ingestion._meta_batch_store
    erased = []

    def erase_an_author_first(**kwargs):
        if not erased:
            erased.append(Author.objects.get(external_id="fan-1").pk)
            Author.objects.filter(pk=erased[0]).delete()
        return real_store(**kwargs)

    monkeypatch.setattr(ingestion, "_meta_batch_store", erase_an_author_first)

    counts = webhook_delivery_process(delivery_id=delivery.pk)

    assert counts == {IngestChange.Status.INGESTED: 3}
    author = Author.objects.get(external_id="fan-1")
    assert author.pk != erased[0]
    assert Item.objects.get(external_id="c-1").author_id == author.pk
    assert sorted(IngestChange.objects.values_list("position", flat=True)) == [0, 1, 2]


def test_the_sweep_processes_a_delivery_whose_task_was_lost_before_the_split(facebook_channel):
    delivery = _receive(facebook_channel, _comments(3))  # its on-commit task never ran
    arrived = delivery.received_at

    assert ingest_pending_sweep(now=arrived + timedelta(minutes=1)) == 0
    assert ingest_pending_sweep(now=arrived + STALE_PENDING_AFTER + timedelta(seconds=1)) == 1

    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PROCESSED
    assert list(delivery.changes.values_list("status", flat=True)) == ["ingested"] * 3
    assert Item.objects.filter(channel=facebook_channel).count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_the_same_changes_at_once_store_each_item_once(facebook_channel, monkeypatch):
    monkeypatch.setattr(deliveries, "async_task", lambda *args, **kwargs: None)  # the test runs the tasks itself
    changes = _comments(BATCH_SIZE + 50)
    first, second = _receive(facebook_channel, changes), _receive(facebook_channel, changes)

    _in_threads([lambda pk=delivery.pk: webhook_delivery_process(delivery_id=pk) for delivery in (first, second)])

    assert Item.objects.count() == BATCH_SIZE + 50
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.RECEIVED).count() == BATCH_SIZE + 50
    statuses = IngestChange.objects.values_list("status", flat=True)
    assert list(statuses).count("ingested") == BATCH_SIZE + 50
    for position in (0, 100, BATCH_SIZE + 49):
        pair = IngestChange.objects.filter(position=position)
        assert sorted(pair.values_list("status", flat=True)) == ["duplicate", "ingested"]
        assert set(pair.values_list("item__external_id", flat=True)) == {f"c-{position}"}


def test_the_batch_stores_an_item_and_its_fingerprint_as_item_ingest_does(facebook_channel, channel_factory):
    spam = facebook_comment_change(
        comment_id="c-spam",
        message="Verdiene 5000€ pro Woche mit Krypto!!! Schreib mir auf WhatsApp +49 151 2345678 oder bit.ly/rich-now",
        author_name="",
        created_time=1_767_000_123,
    )
    other = channel_factory(client=facebook_channel.client, platform=facebook_channel.platform)
    delivery = _receive(facebook_channel, [spam])
    parsed = change_parse(
        source="meta",
        channel=other,
        payload=meta_changes_split(meta_body(other, changes=[spam]))[0],
        received_at=delivery.received_at,
    )

    webhook_delivery_process(delivery_id=delivery.pk)
    item_ingest(channel=other, normalized=parsed.normalized)

    compared = [field.attname for field in Item._meta.concrete_fields if field.attname not in ("id", "channel_id")]
    batch, single = (
        Item.objects.filter(channel=channel).values(*compared).get() for channel in (facebook_channel, other)
    )
    # Both arrived "now": the SLA clock starts at arrival.
    assert abs(batch.pop("received_at") - single.pop("received_at")) < timedelta(minutes=1)
    assert abs(batch.pop("sla_due_at") - single.pop("sla_due_at")) < timedelta(minutes=1)
    assert batch == single
    assert batch["tags"] == ["spam-suspect"]
    assert batch["platform_created_at"].timestamp() == 1_767_000_123
    fingerprints = ItemTextFingerprint.objects.order_by("item__channel_id").values_list("minhash", "bands")
    assert fingerprints[0] == fingerprints[1]


def test_an_item_stored_by_a_concurrent_delivery_during_the_batch_stays_theirs(facebook_channel, monkeypatch):
    """Between the batch's lookup of existing items and its insert, another delivery of the same change
    stores the item: ON CONFLICT DO NOTHING leaves it theirs, the change counts as a duplicate of
    their item and the rest are ingested."""
    changes = _comments(5)
    delivery = _receive(facebook_channel, changes)
    [first] = meta_changes_split(meta_body(facebook_channel, changes=changes[:1]))
    assess = ingestion.triage_assess_batch

    def assess_then_race(**kwargs):
        results = assess(**kwargs)
        parsed = change_parse(source="meta", channel=facebook_channel, payload=first, received_at=delivery.received_at)
        item_ingest(channel=facebook_channel, normalized=parsed.normalized)  # the other delivery wins
        return results

    monkeypatch.setattr(ingestion, "triage_assess_batch", assess_then_race)

    counts = webhook_delivery_process(delivery_id=delivery.pk)

    assert counts == {IngestChange.Status.INGESTED: 4, IngestChange.Status.DUPLICATE: 1}
    theirs = Item.objects.get(channel=facebook_channel, external_id="c-0")
    assert IngestChange.objects.get(delivery=delivery, position=0).item_id == theirs.pk
    assert Item.objects.filter(channel=facebook_channel).count() == 5
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.RECEIVED).count() == 5
    assert ItemTextFingerprint.objects.count() == 5


def test_a_fingerprint_goes_with_its_item_and_its_client(facebook_channel, channel_factory):
    # Its client and author are copies of the item's, without constraints of their own (inbox 0015):
    # the deletion cascades through Django as before.
    other_client_channel = channel_factory(platform=facebook_channel.platform)
    for channel in (facebook_channel, other_client_channel):
        webhook_delivery_process(delivery_id=_receive(channel, _comments(3)).pk)
    assert ItemTextFingerprint.objects.count() == 6

    Item.objects.filter(channel=facebook_channel).first().delete()
    assert ItemTextFingerprint.objects.filter(client=facebook_channel.client).count() == 2

    other_client_channel.client.delete()
    assert set(ItemTextFingerprint.objects.values_list("client_id", flat=True)) == {facebook_channel.client_id}
