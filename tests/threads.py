"""Real threads for lock and race tests: run a service in a thread of its own (its own connection),
hold a transaction open in one, and wait until other connections wait for a lock."""

import threading
import time
from contextlib import contextmanager

from django.db import connection, transaction


def wait_until_waiting_on_a_lock(backends: int, *, unless_done: threading.Thread | None = None) -> None:
    """Until `backends` other connections wait for a lock (polled; fails after 10 s), or until the
    thread `unless_done` has finished (it did not wait: the test's outcome then says what went wrong)."""
    for _ in range(200):
        if unless_done is not None and not unless_done.is_alive():
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0] >= backends:
                return
        time.sleep(0.05)
    raise AssertionError(f"{backends} connection(s) never waited for a lock")


def in_thread(target, errors: list) -> threading.Thread:
    """Start `target` in a thread with a connection of its own; what it raises goes into `errors`."""

    def run() -> None:
        try:
            target()
        except BaseException as error:  # kept for the assertion
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@contextmanager
def held_open(work, errors: list):
    """Run `work` in a transaction in a thread (a colleague at work) and keep that transaction, with
    its locks, open until the block ends. In a thread, not the test's own connection: inside a
    transaction, pg_stat_activity (wait_until_waiting_on_a_lock) keeps showing its first reading."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with transaction.atomic():
            work()
            holding.set()
            release.wait(10)

    thread = in_thread(hold, errors)
    assert holding.wait(10)
    try:
        yield
    finally:
        release.set()
        thread.join()
