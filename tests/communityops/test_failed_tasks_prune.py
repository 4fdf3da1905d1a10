"""django-q2's log of failed task runs is pruned after TASK_FAILURE_RETENTION_DAYS, in bounded batches."""

from datetime import UTC, datetime, timedelta

from django_q.models import Failure, Schedule, Success, Task

from communityops import services
from communityops.services import failed_tasks_prune
from communityops.tasks import COMMUNITYOPS_SCHEDULES

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def _task_run(name: str, *, stopped_days_ago: float, success: bool = False) -> Task:
    stopped = NOW - timedelta(days=stopped_days_ago)
    return Task.objects.create(
        id=name.replace(" ", "-"),
        name=name,
        func="inbox.tasks.leases_expire_task",
        started=stopped - timedelta(seconds=2),
        stopped=stopped,
        success=success,
        result="boom",
    )


def test_failed_runs_past_the_retention_are_deleted_the_rest_stays(db, settings):
    settings.TASK_FAILURE_RETENTION_DAYS = 30
    _task_run("old failure", stopped_days_ago=31)
    _task_run("just old enough", stopped_days_ago=30.01)
    _task_run("recent failure", stopped_days_ago=29.9)
    _task_run("old success", stopped_days_ago=90, success=True)

    deleted = failed_tasks_prune(now=NOW)

    assert deleted == 2
    assert list(Failure.objects.values_list("name", flat=True)) == ["recent failure"]
    assert list(Success.objects.values_list("name", flat=True)) == ["old success"]


def test_the_prune_runs_hourly_a_bounded_share_at_a_time(db, settings, monkeypatch):
    settings.TASK_FAILURE_RETENTION_DAYS = 30
    monkeypatch.setattr(services, "FAILED_TASKS_PRUNE_BATCH", 2)
    monkeypatch.setattr(services, "FAILED_TASKS_PRUNE_BATCHES_PER_RUN", 2)
    for number in range(5):
        _task_run(f"failure {number}", stopped_days_ago=40 - number)

    runs = [failed_tasks_prune(now=NOW), failed_tasks_prune(now=NOW)]

    assert runs == [4, 1]
    assert not Failure.objects.exists()
    assert COMMUNITYOPS_SCHEDULES["core: prune the log of failed tasks"] == (
        "communityops.tasks.failed_tasks_prune_task",
        60,
    )
    # Written by migrate (post_migrate), like every app's schedules.
    schedule = Schedule.objects.get(name="core: prune the log of failed tasks")
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "communityops.tasks.failed_tasks_prune_task",
        Schedule.MINUTES,
        60,
    )
