"""Ingest burst (with escalation timeliness and worker memory measured during it).

Signed Meta-format POSTs of 1,000 changes each go to /webhooks/meta/<channel>/ from a few sender
threads as fast as the app acknowledges them; a burst's items/s counts from its first POST until
every delivery is processed (by the qcluster). The baseline is a raw COPY of the same number of
rows into inbox_item itself (same indexes, same million rows) and its commit, which checks the
rows' foreign keys (Django's are deferred to the commit) as the burst's commits do; the rows are
deleted after it. Until the thirteenth round the COPY was rolled back, which skipped the checks
and the commit (a third of its PostgreSQL time, 28 against 39-48 ms per 1,000 rows): that COPY
is measured too, for comparison with earlier runs, and its ratio stated. Bursts and COPYs alternate, ROUNDS of each, every one starting from a vacuumed item table
after a CHECKPOINT; each burst is compared with the COPY right after it and the ratio is the
median of the rounds' ratios. A single COPY after the burst had ranged from 10,000 to 19,000
rows/s from run to run; on this shared machine the CPU time the same work takes drifts by a third
within minutes, so only measurements taken side by side compare.

While the burst runs, crises start their escalation at staggered times (steps due every minute),
the resident memory of every gunicorn and qcluster worker is sampled from /proc, and an agent's
queue keeps refreshing (what the inbox page does every 5 s; every POLL_INTERVAL here, as often as
twenty agents' pages together, which also gives the p95 some 60 samples), compared with the same
requests on the quiet stack before the first burst. The CPU time each part of the stack spends
during the bursts, and PostgreSQL and the client during the COPYs, is read from /proc: the ratio
of the two per 1,000 items says how much more work an ingested item is than a copied row, apart
from how many cores either could use.
"""

import json
import os
import random
import statistics
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg

from ..measure import Result, ms, percentile
from ..stack import CpuMeter, HttpSession, MemorySampler, Stack, postmaster_pid, process_tree

POSTS = 30
CHANGES_PER_POST = 1000
SENDERS = 3
PROCESSING_TIMEOUT = 300.0
ROUNDS = 3
CRISES = 6
CRISIS_START_SPACING = 5.0  # seconds between escalation starts
STEP_WAIT_MINUTES = 1
STEPS = 3
POLL_INTERVAL = 0.25
QUIET_POLLS = 40
QUEUE_PATH = "/inbox/queue/?priority=3"  # the queue scenario's filtered list fragment


class _QueuePoller(threading.Thread):
    """One agent's queue fragment, fetched every POLL_INTERVAL until stopped: the seconds each took."""

    def __init__(self, session: HttpSession) -> None:
        super().__init__(daemon=True)
        self.session, self.samples, self.done = session, [], threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.samples += self.session.timed_gets(QUEUE_PATH, 1, warm_up=0)
            self.done.wait(POLL_INTERVAL)

    def stop(self) -> list[float]:
        self.done.set()
        self.join()
        return self.samples


def _payload(rng: random.Random, channel, post: int, start_number: int, round_number: int) -> bytes:
    """Half the comments from the data set's authors, half from fresh accounts of this round (so
    every round brings as many new authors as the first)."""
    from inbox.demo import demo_comment

    channel_id = channel.pk
    now = int(time.time())
    changes = []
    for number in range(start_number, start_number + CHANGES_PER_POST):
        known = rng.random() < 0.5
        author_number = rng.randint(1, 100_000) if known else rng.randint(1, 50_000)
        author = f"bench-author-{author_number}" if known else f"burst-fan-{round_number}-{author_number}"
        # Meta sends the name the platform knows; for a known author that is the stored one.
        name = f"Fan {author_number}" if known else f"Burst Fan {author_number}"
        # A shitstorm: many similar angry comments; the rest is the usual mix.
        text = (
            f"Das ist ein Skandal, {rng.choice(['ich kündige', 'nie wieder', 'Boykott'])}! #{number % 17}"
            if rng.random() < 0.2
            else demo_comment(rng, "nordlicht-energie").text
        )
        changes.append(
            {
                "field": "feed",
                "value": {
                    "from": {"id": author, "name": name},
                    "post_id": f"burst-{channel_id}-{post % 5}",
                    "comment_id": f"burst-{channel_id}-{post % 5}_c{number}",
                    "parent_id": f"burst-{channel_id}-{post % 5}",
                    "created_time": now,
                    "item": "comment",
                    "verb": "add",
                    "message": text,
                },
            }
        )
    entry = {"id": channel.external_id, "time": now, "changes": changes}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def _copy_baseline(url: str, rows: int, first_id: int, cpu: CpuMeter, *, commit: bool) -> float:
    """Items/s of COPY into inbox_item of `rows` rows shaped like the burst's, committed (then
    deleted, untimed) or rolled back; `cpu` meters the COPY and its commit alone.

    Each call takes fresh ids and external ids from `first_id` on: the dead rows of an earlier call
    stay in the unique indexes until a vacuum, and re-inserting their keys would make every row
    check the heap for them."""
    rng = random.Random(3)
    now = datetime.now(UTC)
    with psycopg.connect(url) as connection:
        channel_id, client_id = connection.execute(
            "SELECT id, client_id FROM communityops_channel WHERE platform = 'facebook_page' ORDER BY id LIMIT 1"
        ).fetchone()
        from inbox.demo import demo_comment

        texts = [demo_comment(rng, "nordlicht-energie").text for _ in range(rows)]
        cpu.start()
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY inbox_item (id, client_id, channel_id, external_id, kind, thread_external_id,"
                " parent_external_id, permalink, author_id, author_tier, text, language, platform_created_at,"
                " received_at, status, priority, sentiment, sentiment_score, spam_score, fake_score, triage_reasons,"
                " sla_due_at, tags) FROM STDIN"
            ) as copy,
        ):
            for number, text in enumerate(texts):
                copy.write_row(
                    (
                        first_id + number, client_id, channel_id, f"copy-{first_id + number}", "comment",
                        "copy-post", "copy-post", "", rng.randint(1, 100_000), "C", text, "de", now, now, "new",
                        3, "neutral", 0.0, 0.0, 0.0, "[]", now + timedelta(hours=1), [],
                    )
                )  # fmt: skip
        if commit:
            connection.commit()
        else:
            connection.rollback()
        elapsed = time.perf_counter() - started
        cpu.stop()
        if commit:
            connection.execute("DELETE FROM inbox_item WHERE id >= %s AND id < %s", (first_id, first_id + rows))
            connection.commit()
    return rows / elapsed


def _cpu_per_thousand(meter: CpuMeter, items: int) -> str:
    """'qcluster 182 + PostgreSQL 155 + ... + rest 20 ms', the groups that used any CPU, largest first."""
    spent = {name: seconds * 1000 / items * 1000 for name, seconds in meter.totals.items()}
    parts = [f"{name} {value:.0f}" for name, value in sorted(spent.items(), key=lambda pair: -pair[1]) if value >= 0.5]
    return f"{' + '.join(parts)} ms"


def _cpu_of_work(meter: CpuMeter) -> float:
    return sum(seconds for name, seconds in meter.totals.items() if name != "rest")


def _settle(url: str) -> None:
    """Start from the same state each time: the dead rows of the COPYs vacuumed away
    (each one's dead index entries slowed the next COPY by up to a quarter), and every dirty page
    written out (the first change to each page after a checkpoint also writes the whole page to
    the WAL, so measurements taken at different distances from one did not compare)."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM inbox_item")
        connection.execute("CHECKPOINT")


def _escalations_start(client_ids: list[int], log) -> list[int]:
    """Policies with STEPS steps one minute apart, then crises started one by one from a thread."""
    from django.db import connection as django_connection
    from django.utils import timezone

    from communityops.models import ClientContact
    from crises.models import Crisis, EscalationPolicy, EscalationStep
    from crises.services import crisis_escalation_start

    crisis_ids = []
    for client_id in client_ids:
        contact = ClientContact.objects.create(
            client_id=client_id, name="PR lead", role="PR", email=f"pr{client_id}@bench.example", may_approve=True
        )
        policy = EscalationPolicy.objects.create(client_id=client_id, name="Bench ladder")
        for position in range(STEPS):
            step = EscalationStep.objects.create(policy=policy, position=position, wait_minutes=STEP_WAIT_MINUTES)
            step.contacts.add(contact)
        crisis_ids.append(Crisis.objects.create(client_id=client_id, title="Shitstorm (bench)", severity=1).pk)

    def start_all():
        for crisis_id in crisis_ids:
            crisis_escalation_start(crisis=Crisis.objects.get(pk=crisis_id), acting_user=None, now=timezone.now())
            time.sleep(CRISIS_START_SPACING)
        django_connection.close()

    threading.Thread(target=start_all, daemon=True).start()
    return crisis_ids


def _escalation_lateness(url: str, crisis_ids: list[int], window_end: datetime) -> tuple[list[float], int]:
    """Sent time - due time of every step due before window_end; and how many of those were not sent."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            """
            SELECT c.escalation_started_at + make_interval(mins => s.position * %s) AS due_at, n.sent_at
            FROM crises_crisis c
            JOIN crises_escalationpolicy p ON p.client_id = c.client_id
            JOIN crises_escalationstep s ON s.policy_id = p.id
            LEFT JOIN crises_notification n ON n.crisis_id = c.id AND n.step_id = s.id
            WHERE c.id = ANY(%s) AND c.escalation_started_at IS NOT NULL
            """,
            [STEP_WAIT_MINUTES, crisis_ids],
        ).fetchall()
    due = [(due_at, sent_at) for due_at, sent_at in rows if due_at <= window_end]
    lateness = [(sent_at - due_at).total_seconds() for due_at, sent_at in due if sent_at is not None]
    return lateness, sum(1 for _due_at, sent_at in due if sent_at is None)


def _items_since(url: str, max_item_id: int) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM inbox_item WHERE id > %s", [max_item_id]).fetchone()[0]


def _deliveries_processed(url: str, since: datetime, deadline: float) -> bool:
    """Wait until no delivery received since `since` is pending; False if the deadline passed first.
    What the burst waits for. Cheap (a few dozen rows by received_at, on one connection, ~0.1 ms),
    unlike counting the new items, which cost PostgreSQL ~6 ms a time, taken from the work being
    measured; so it asks every 20 ms (it asked every 250 ms, which added 125 ms on average to a
    4-second burst, while the COPY is timed to its end)."""
    query = "SELECT count(*) FROM inbox_webhookdelivery WHERE received_at >= %s AND status = 'pending'"
    with psycopg.connect(url, autocommit=True) as connection:
        while connection.execute(query, [since]).fetchone()[0]:
            if time.perf_counter() >= deadline:
                return False
            time.sleep(0.02)
    return True


def _burst(*, port: int, url: str, bodies: list[tuple[int, bytes, str]]) -> tuple[float, list[float], dict, bool]:
    """Send `bodies` from SENDERS threads, wait until their deliveries are processed: (seconds, acks,
    statuses, whether all were processed within PROCESSING_TIMEOUT)."""
    acks: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    queue = list(bodies)
    began = datetime.now(UTC)
    started = time.perf_counter()

    def send() -> None:
        session = HttpSession(port)
        while True:
            with lock:
                if not queue:
                    break
                channel_id, body, signature = queue.pop(0)
            sent = time.perf_counter()
            status, _ = session.request(
                "POST",
                f"/webhooks/meta/{channel_id}/",
                body,
                {"Content-Type": "application/json", "X-Hub-Signature-256": signature},
            )
            with lock:
                acks.append(time.perf_counter() - sent)
                statuses[status] = statuses.get(status, 0) + 1
        session.close()

    senders = [threading.Thread(target=send) for _ in range(SENDERS)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    processed = _deliveries_processed(url, began, deadline=started + PROCESSING_TIMEOUT)
    return time.perf_counter() - started, acks, statuses, processed


def _max_item_id(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT coalesce(max(id), 0) FROM inbox_item").fetchone()[0]


def _agent_session(port: int) -> HttpSession:
    from django.test import Client

    from communityops.models import User

    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(User.objects.get(email="lead0@bench.example"))
    return HttpSession(port, {"Cookie": f"sessionid={browser.cookies['sessionid'].value}", "HX-Request": "true"})


def run(*, stack: Stack, url: str, max_item_id: int, log) -> list[Result]:
    from communityops.models import Channel
    from inbox.webhooks import meta_signature_for

    rng = random.Random(11)
    channels = list(Channel.objects.filter(platform=Channel.Platform.FACEBOOK_PAGE).order_by("pk")[:10])
    total = POSTS * CHANGES_PER_POST
    log(
        f"ingest: {ROUNDS} rounds of a burst ({POSTS} signed POSTs x {CHANGES_PER_POST} changes from {SENDERS} senders) and a COPY"
    )
    rounds = []
    for round_number in range(ROUNDS):
        bodies = []
        for post in range(POSTS):
            channel = channels[post % len(channels)]
            body = _payload(rng, channel, post, (round_number * POSTS + post) * CHANGES_PER_POST, round_number)
            bodies.append((channel.pk, body, meta_signature_for(secret=channel.app_secret, body=body)))
        rounds.append(bodies)
    crisis_clients = [channel.client_id for channel in channels[:CRISES]]

    agent = _agent_session(stack.port)
    quiet_queue = agent.timed_gets(QUEUE_PATH, QUIET_POLLS)
    busy_queue: list[float] = []
    sampler = MemorySampler(stack)
    sampler.start()
    postmaster = postmaster_pid(url)
    # The bench process is the load generator of the bursts and the client of the COPYs.
    burst_cpu = CpuMeter(
        lambda: {**stack.process_trees(), "PostgreSQL": process_tree(postmaster), "bench": [os.getpid()]}
    )
    copy_cpu = CpuMeter(lambda: {"PostgreSQL": process_tree(postmaster), "bench": [os.getpid()]})
    rolled_back_cpu = CpuMeter(lambda: {"PostgreSQL": process_tree(postmaster), "bench": [os.getpid()]})
    time.sleep(1.0)  # a resting sample first
    crisis_ids = _escalations_start(crisis_clients, log)
    began = time.perf_counter()
    rates, copy_rates, rolled_back_rates, acks, statuses, complete, rounds_in_time = [], [], [], [], {}, 0, 0
    for round_number, bodies in enumerate(rounds):
        before = _max_item_id(url)
        _settle(url)
        poller = _QueuePoller(agent)
        poller.start()
        burst_cpu.start()
        elapsed, round_acks, round_statuses, processed = _burst(port=stack.port, url=url, bodies=bodies)
        burst_cpu.stop()
        busy_queue += poller.stop()
        done = _items_since(url, before)
        rates.append(done / elapsed)
        complete += done
        rounds_in_time += processed and done == total
        acks += round_acks
        for status, number in round_statuses.items():
            statuses[status] = statuses.get(status, 0) + number
        first_id = max_item_id + 10_000_000 + round_number * 2 * total
        _settle(url)
        copy_rates.append(_copy_baseline(url, total, first_id, copy_cpu, commit=True))
        _settle(url)
        rolled_back_rates.append(_copy_baseline(url, total, first_id + total, rolled_back_cpu, commit=False))
        log(f"  round {round_number + 1}: {done:,} of {total:,} items in {elapsed:.1f} s ({rates[-1]:,.0f}/s);"
            f" COPY {copy_rates[-1]:,.0f} rows/s, rolled back {rolled_back_rates[-1]:,.0f}")  # fmt: skip
    # Escalation: every step due within the bursts or the minute after them must have been sent.
    window_end = datetime.now(UTC)
    last_start_due = CRISES * CRISIS_START_SPACING + STEP_WAIT_MINUTES * 60 + 5
    if (elapsed := time.perf_counter() - began) < last_start_due:
        time.sleep(last_start_due - elapsed)
        window_end = datetime.now(UTC)
    time.sleep(75)  # the due-check ticks once a minute: give a due step its chance before counting it late
    sampler.stop()
    agent.close()
    lateness, unsent = _escalation_lateness(url, crisis_ids, window_end)
    rate, copy_rate = statistics.median(rates), statistics.median(copy_rates)
    ratio = statistics.median(burst / copy for burst, copy in zip(rates, copy_rates, strict=True))
    rolled_back_ratio = statistics.median(burst / copy for burst, copy in zip(rates, rolled_back_rates, strict=True))
    results = [
        Result(
            "Ingest burst",
            f"items/s end-to-end, median of {ROUNDS} bursts of {POSTS} POSTs x {CHANGES_PER_POST:,}"
            f" ({complete:,}/{ROUNDS * total:,} items, {rounds_in_time}/{ROUNDS} rounds complete in time;"
            f" bursts {min(rates):,.0f}-{max(rates):,.0f}/s)",
            f"{rate:.0f}/s",
            f"COPY of as many rows into inbox_item and its commit after each burst: {copy_rate:,.0f}/s"
            f" (median of {ROUNDS}: {min(copy_rates):,.0f}-{max(copy_rates):,.0f}); ratio: median of the rounds'"
            f" ({', '.join(f'{burst / copy:.2f}' for burst, copy in zip(rates, copy_rates, strict=True))});"
            f" against the same COPY rolled back (the baseline until the thirteenth round):"
            f" {statistics.median(rolled_back_rates):,.0f}/s, ratio {rolled_back_ratio:.2f}",
            ratio,
            "ratio >= 0.3",
            ratio >= 0.3 and rounds_in_time == ROUNDS,
        ),
        Result(
            "Ingest burst",
            "CPU per 1,000 items during the bursts, by process (bench: the load generator and the agent's"
            " refreshes; rest: anything else on the machine, not in the ratio)",
            _cpu_per_thousand(burst_cpu, max(complete, 1)),
            f"the COPYs and their commits (bench: their client): {_cpu_per_thousand(copy_cpu, ROUNDS * total)};"
            f" rolled back: {_cpu_per_thousand(rolled_back_cpu, ROUNDS * total)}",
            _cpu_of_work(copy_cpu) / (ROUNDS * total) / (_cpu_of_work(burst_cpu) / max(complete, 1)),
            "(stated)",
        ),
        Result(
            "Ingest burst",
            f"ack latency of a 1,000-change POST, p50 / p99 (HTTP {statuses})",
            f"{ms(percentile(acks, 0.5))} / {ms(percentile(acks, 0.99))}",
            target="p99 < 250 ms",
            met=percentile(acks, 0.99) < 0.250 and set(statuses) == {200},
        ),
        Result(
            "Ingest burst",
            f"an agent's queue refresh during the bursts ({QUEUE_PATH} every {POLL_INTERVAL} s, {len(busy_queue)}"
            " requests), p50 / p95",
            f"{ms(percentile(busy_queue, 0.5))} / {ms(percentile(busy_queue, 0.95))}",
            f"the same before the bursts: {ms(percentile(quiet_queue, 0.5))} / {ms(percentile(quiet_queue, 0.95))}",
            percentile(quiet_queue, 0.5) / percentile(busy_queue, 0.5),
            "p95 < 50 ms",
            percentile(busy_queue, 0.95) < 0.050,
        ),
        Result(
            "Escalation timeliness",
            f"lateness of due steps during the bursts and COPYs, p50 / p99 ({len(lateness)} steps, {unsent} due but unsent)",
            f"{percentile(lateness, 0.5):.1f} s / {percentile(lateness, 0.99):.1f} s" if lateness else "none sent",
            target="p99 < 10 s",
            met=bool(lateness) and unsent == 0 and percentile(lateness, 0.99) < 10,
        ),
    ]
    for kind, label in (("web", "gunicorn worker"), ("queue", "qcluster worker")):
        samples = [rss for _at, rss in sampler.samples[kind] if rss]
        if not samples:
            continue
        # Flat means no growth while the burst goes on: the second half of the run stays within
        # 10 % of the first half's peak. The step from rest to the first half is warm-up (the
        # ingestion code, lexicons and connections load on the first delivery), stated, not judged.
        rest, burst = samples[0], samples[1:] or samples
        first_half, second_half = burst[: len(burst) // 2] or burst, burst[len(burst) // 2 :]
        flat = max(second_half) <= max(first_half) * 1.10
        results.append(
            Result(
                "Memory",
                f"RSS of a {label}: at rest -> peak of the burst's first half -> of its second half -> end",
                f"{rest / 1024:.0f} -> {max(first_half) / 1024:.0f} -> {max(second_half) / 1024:.0f} "
                f"-> {burst[-1] / 1024:.0f} MiB",
                target="stated, flat",
                met=flat,
            )
        )
    return results
