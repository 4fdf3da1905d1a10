"""Health checks for load balancers and monitoring (views.health, views.health_tasks).

GET /health/        can this web process serve: its database answers.
GET /health/tasks/  is the task queue worked: no task has waited long unworked, and the periodic
                    schedules (lease expiry, escalation due-checks, WordPress polling, ...) run.

The second is the one to alert on at night: with the qcluster down, webhooks are stored but never
ingested, replies never go out and crisis escalations wait for the escalation clock alone, while
every page still loads. A load balancer asks the first only: a stalled queue is no reason to take
web servers out of rotation. Counts and ages only, no tenant data: the answers need no login.

Hand-written rather than django-health-check: what matters here is django-q2's ORM broker and
schedules, which it has no check for, and its database check writes a row of its own table.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import DatabaseError, connection
from django.db.models import Count, Max, Min, Q
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

# A task waiting longer than this while no worker takes any means the workers are gone or hang: a
# burst of webhooks is worked off in seconds (BENCHMARKS.md), the periodic tasks run every minute.
TASK_WAIT_LIMIT = timedelta(minutes=2)
# django-q2's scheduler runs about every 30 seconds and queues what is due; a schedule this far past
# its next run means the cluster's scheduler is not running.
SCHEDULE_LATE_LIMIT = timedelta(minutes=3)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: dict = field(default_factory=dict)
    behind: timedelta = timedelta(0)  # a task check's: how long the queue has not been worked


def database_check(*, using=connection) -> Check:
    """One SELECT 1 on the connection (Django replaced a broken one when the request began)."""
    try:
        with using.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return Check("database", False, {"error": type(error).__name__})
    return Check("database", True)


def task_queue_check(*, now: datetime) -> Check:
    """The tasks waiting for a worker (the ORM broker's rows whose lock has passed: new ones, and
    ones a dead worker took and did not finish), how long the oldest has waited, and whether a
    worker took one lately: taking a row moves its lock to when it may be taken again (now + the
    cluster's retry), so a lock later than now + retry - TASK_WAIT_LIMIT was taken within the limit.

    Fails when the oldest task has waited past TASK_WAIT_LIMIT and no worker took one meanwhile:
    a backlog being worked off (a campaign hide queues one send per copy) is busy, not stalled.
    """
    queue = OrmQ.objects.aggregate(
        waiting=Count("pk", filter=Q(lock__lte=now)),
        oldest=Min("lock", filter=Q(lock__lte=now)),
        latest_taken=Max("lock", filter=Q(lock__gt=now)),
    )
    waited = now - queue["oldest"] if queue["oldest"] else timedelta(0)
    retry = timedelta(seconds=Conf.RETRY)
    taken_lately = queue["latest_taken"] is not None and queue["latest_taken"] - retry > now - TASK_WAIT_LIMIT
    stalled = waited > TASK_WAIT_LIMIT and not taken_lately
    return Check(
        "task_queue",
        not stalled,
        {
            "waiting": queue["waiting"],
            "oldest_wait_seconds": round(waited.total_seconds()),
            "taken_lately": taken_lately,
        },
        behind=waited if stalled else timedelta(0),
    )


def schedules_check(*, now: datetime) -> Check:
    """The periodic schedules more than SCHEDULE_LATE_LIMIT past their next run, most late first."""
    late = list(
        Schedule.objects.exclude(repeats=0)
        .filter(next_run__lt=now - SCHEDULE_LATE_LIMIT)
        .order_by("next_run")
        .values_list("name", "next_run")
    )
    return Check(
        "schedules",
        not late,
        {"late": [{"name": name, "late_seconds": round((now - next_run).total_seconds())} for name, next_run in late]},
        behind=now - late[0][1] if late else timedelta(0),
    )


def tasks_checks(*, now: datetime) -> list[Check]:
    """What /health/tasks/ checks beside the database."""
    return [task_queue_check(now=now), schedules_check(now=now)]


def tasks_stalled_minutes(*, now: datetime) -> int | None:
    """For the pages that warn about it (the inbox, the live dashboard): how many minutes the task
    queue has not been worked, by its failing checks; None while it is."""
    behind = max((check.behind for check in tasks_checks(now=now) if not check.ok), default=None)
    return None if behind is None else int(behind.total_seconds() // 60)


def checks_report(checks: list[Check]) -> tuple[dict, bool]:
    """The JSON answer for a list of checks, and whether all passed."""
    healthy = all(check.ok for check in checks)
    report = {
        "status": "ok" if healthy else "failing",
        "checks": {check.name: {"ok": check.ok, **check.detail} for check in checks},
    }
    return report, healthy
