"""CPU of one 1,000-change Meta delivery in process: the worker's Python and its PostgreSQL backend.

    DATABASE_URL=... DJANGO_SETTINGS_MODULE=bench.settings SECRET_KEY=x \
        python -m bench.ingest_profile --deliveries 12 [--warm-up 2] [--statements]

(for a profile of the Python, run it under a sampling profiler: py-spy record -o profile.svg -- python -m ...)

Deliveries are shaped like the ingest burst's (bench.scenarios.ingest._payload: half the data set's
authors, half fresh accounts, a fifth shitstorm texts) and stored as the request would store them;
each is then processed as the queue worker processes it (webhook_delivery_process), and measured:
the process's CPU time (time.process_time) and its backend's (/proc/<pid>/schedstat, nanoseconds;
/proc/<pid>/stat counts only in 10 ms ticks). Items stay in the database (as a burst's would), so
run it against a copy of the benchmark data. Medians over the deliveries after the warm-up ones
(the first loads the lexicons and fills the caches). To compare two versions of the code, run it
alternately from both trees against the same database.
"""

import argparse
import os
import random
import statistics
import time


def _backend_cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0]) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=12)
    parser.add_argument("--warm-up", type=int, default=2)
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--statements", action="store_true", help="also PostgreSQL's CPU per statement (log_statement_stats), summed"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from bench.scenarios.ingest import CHANGES_PER_POST, _payload
    from communityops.models import Channel
    from inbox.models import WebhookDelivery
    from inbox.services.ingestion import webhook_delivery_process

    # A fresh run id: new external ids and this run's own fresh accounts (like a new burst round).
    run = time.time_ns() // 1_000_000 % 1_000_000_000
    rng = random.Random(run)
    channels = list(Channel.objects.filter(platform=Channel.Platform.FACEBOOK_PAGE).order_by("pk")[:10])
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    statements = _StatementStats(connection) if args.statements else None
    python, database, wall = [], [], []
    for number in range(args.warm_up + args.deliveries):
        channel = channels[number % len(channels)]
        body = _payload(rng, channel, number, (run * 100 + number) * CHANGES_PER_POST, run)
        if statements is not None:  # storing the delivery is the request's work, not the worker's
            statements.count = False
        delivery = WebhookDelivery.objects.create(channel=channel, source=WebhookDelivery.Source.META, body=body)
        if statements is not None:
            statements.count = number >= args.warm_up
        started_python, started_database = time.process_time(), _backend_cpu_seconds(backend)
        started = time.perf_counter()
        counts = webhook_delivery_process(delivery_id=delivery.pk)
        elapsed = time.perf_counter() - started
        spent_python = time.process_time() - started_python
        spent_database = _backend_cpu_seconds(backend) - started_database
        if number >= args.warm_up:
            python.append(spent_python)
            database.append(spent_database)
            wall.append(elapsed)
        print(
            f"{args.label} delivery {number}: python {spent_python * 1000:.0f} ms, PostgreSQL {spent_database * 1000:.0f} ms,"
            f" wall {elapsed * 1000:.0f} ms {counts}",
            flush=True,
        )
    print(
        f"{args.label} MEDIAN over {len(python)}: python {statistics.median(python) * 1000:.1f} ms,"
        f" PostgreSQL {statistics.median(database) * 1000:.1f} ms, wall {statistics.median(wall) * 1000:.1f} ms",
        flush=True,
    )
    if statements is not None:
        statements.report(len(python))


class _StatementStats:
    """PostgreSQL's user+system CPU per statement (log_statement_stats, sent to this client as notices),
    summed by the statement's first line."""

    def __init__(self, connection) -> None:
        from collections import Counter

        self.count = False
        self.seconds: Counter = Counter()
        self.calls: Counter = Counter()
        self._statement = ""
        connection.ensure_connection()
        connection.connection.add_notice_handler(self._notice)
        with connection.cursor() as cursor:
            cursor.execute("SET log_statement_stats = on")
            cursor.execute("SET log_min_duration_statement = 0")
            cursor.execute("SET client_min_messages = log")

    def _notice(self, diagnostic) -> None:
        import re

        # The duration line comes first, then that statement's usage.
        message = diagnostic.message_primary or ""
        if message.startswith("duration:"):
            self._statement = " ".join(message.partition("statement: ")[2].split())[:110]
        elif message.startswith("QUERY STATISTICS") and self.count:
            usage = re.search(r"([\d.]+) s user, ([\d.]+) s system", diagnostic.message_detail or "")
            self.seconds[self._statement] += float(usage[1]) + float(usage[2])
            self.calls[self._statement] += 1

    def report(self, deliveries: int) -> None:
        total = sum(self.seconds.values())
        print(f"PostgreSQL CPU per delivery by statement (log_statement_stats): {total / deliveries * 1000:.1f} ms")
        for key, seconds in self.seconds.most_common(25):
            print(f"  {seconds / deliveries * 1000:6.1f} ms  {self.calls[key] / deliveries:5.1f}x  {key}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    main()
