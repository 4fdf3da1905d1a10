"""Thin django-q2 functions of the shared core, and its periodic schedules."""

from .services import failed_tasks_prune


def failed_tasks_prune_task() -> int:
    return failed_tasks_prune()


# name -> (function path, every N minutes); written after migrate by CommunityOpsConfig.
COMMUNITYOPS_SCHEDULES = {
    # django-q2's failed runs past TASK_FAILURE_RETENTION_DAYS, a bounded share per run.
    "core: prune the log of failed tasks": ("communityops.tasks.failed_tasks_prune_task", 60),
}
