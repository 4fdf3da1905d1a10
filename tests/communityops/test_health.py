"""GET /health/ and /health/tasks/: what a load balancer and a night-time alert ask. (The schedules start
on time in every test: tests/conftest.py keeps them as a running cluster does.)"""

import socket
from datetime import timedelta

from django.db import connections
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

from communityops.health import database_check
from tests.production import run_in_production

RETRY = timedelta(seconds=Conf.RETRY)  # a taken task's lock lies this far after it was taken


def _closed_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the socket is: nothing listens there


def test_health_answers_ok_without_a_login(client, db):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": {"ok": True}}}
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405


def test_database_check_fails_for_a_database_that_does_not_answer(db):
    settings = {**connections["default"].settings_dict, "HOST": "127.0.0.1", "PORT": _closed_loopback_port()}
    unreachable = connections["default"].__class__(settings, alias="unreachable")
    try:
        check = database_check(using=unreachable)
    finally:
        unreachable.close()

    assert (check.ok, check.detail) == (False, {"error": "OperationalError"})


def test_tasks_are_healthy_while_nothing_waits_and_the_schedules_run(client, db):
    response = client.get("/health/tasks/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": {"ok": True},
            "task_queue": {"ok": True, "waiting": 0, "oldest_wait_seconds": 0, "taken_lately": False},
            "schedules": {"ok": True, "late": []},
        },
    }


def test_a_task_nobody_takes_for_minutes_fails_the_task_check(client, db):
    now = timezone.now()
    OrmQ.objects.create(key="communityops", payload="waiting", lock=now - timedelta(minutes=10))
    OrmQ.objects.create(key="communityops", payload="new", lock=now)
    # Taken by a worker that died 3 minutes ago: its lock passes at the retry time (90 s after taking).
    OrmQ.objects.create(key="communityops", payload="abandoned", lock=now - timedelta(minutes=3) + RETRY)

    response = client.get("/health/tasks/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    queue = body["checks"]["task_queue"]
    assert (queue["ok"], queue["waiting"], queue["taken_lately"]) == (False, 2, False)
    assert 600 <= queue["oldest_wait_seconds"] < 620
    assert body["checks"]["schedules"]["ok"] is True


def test_a_backlog_the_workers_are_taking_is_busy_not_stalled(client, db):
    """A campaign hide queues a send per copy: the oldest may wait minutes while the workers work."""
    now = timezone.now()
    OrmQ.objects.create(key="communityops", payload="hide copy 4,000", lock=now - timedelta(minutes=5))
    OrmQ.objects.create(key="communityops", payload="hide copy 1,200", lock=now - timedelta(seconds=10) + RETRY)

    queue = client.get("/health/tasks/").json()["checks"]["task_queue"]

    assert (queue["ok"], queue["waiting"], queue["taken_lately"]) == (True, 1, True)


def test_a_task_waiting_seconds_is_a_busy_queue_not_a_stalled_one(client, db):
    OrmQ.objects.create(key="communityops", payload="burst", lock=timezone.now() - timedelta(seconds=30))

    body = client.get("/health/tasks/").json()

    assert body["checks"]["task_queue"] == {"ok": True, "waiting": 1, "oldest_wait_seconds": 30, "taken_lately": False}


def test_schedules_minutes_past_their_run_mean_the_scheduler_is_not_running(client, db):
    Schedule.objects.filter(name="inbox: expire leases").update(next_run=timezone.now() - timedelta(minutes=10))
    # A one-off schedule that has run (repeats 0) is done, not late.
    Schedule.objects.create(
        name="done",
        func="math.floor",
        schedule_type=Schedule.ONCE,
        repeats=0,
        next_run=timezone.now() - timedelta(days=1),
    )

    response = client.get("/health/tasks/")

    assert response.status_code == 503
    late = response.json()["checks"]["schedules"]
    assert late["ok"] is False
    assert [entry["name"] for entry in late["late"]] == ["inbox: expire leases"]
    assert 600 <= late["late"][0]["late_seconds"] < 620


def test_production_answers_the_health_check_over_plain_http_and_redirects_the_rest():
    """A load balancer checks over plain HTTP from inside; every other page goes to HTTPS."""
    script = (
        "import django; django.setup(); from django.test import Client; c = Client(HTTP_HOST='communityops.example');"
        " print(c.get('/health/').status_code, c.get('/pricing/').status_code)"
    )
    result = run_in_production(["-c", script])

    assert result.stdout.split() == ["200", "301"], result.stderr
