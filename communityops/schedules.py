"""Periodic django-q2 schedules, declared in code and written idempotently after migrate."""

from django_q.models import Schedule


def schedule_ensure(*, name: str, func: str, minutes: int, args: str = "") -> Schedule:
    """Create or update the named schedule; running it again changes nothing."""
    schedule, _created = Schedule.objects.update_or_create(
        name=name,
        defaults={"func": func, "args": args or None, "schedule_type": Schedule.MINUTES, "minutes": minutes},
    )
    return schedule


def schedules_ensure(schedules: dict[str, tuple[str, int]]) -> None:
    """Write an app's schedules (name -> (function path, every N minutes)), after every migrate."""
    for name, (func, minutes) in schedules.items():
        schedule_ensure(name=name, func=func, minutes=minutes)
