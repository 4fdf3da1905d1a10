"""Which items count towards an SLA share, and which of them met it: the one definition.

The client report (insights) and the monthly statement (billing) both count with these, so the
same items give the same share. Both are `Q` conditions on `Item`, for `Count(..., filter=...)`.
"""

from datetime import datetime

from django.db.models import F, Q

from .models import Item


def sla_relevant(*, now: datetime) -> Q:
    """Items that needed an answer and whose SLA outcome is known at `now`.

    Answered items count (unless marked spam), and unanswered items still open past their due
    time. Items closed, hidden or marked spam without an answer needed none (the inbox hides and
    closes without setting first_response_at) and stay out of the share, as do items without a
    due time.
    """
    answered = Q(first_response_at__isnull=False) & ~Q(status=Item.Status.SPAM)
    overdue = Q(first_response_at__isnull=True, status__in=Item.OPEN_STATUSES, sla_due_at__lt=now)
    return Q(sla_due_at__isnull=False) & (answered | overdue)


def sla_met(*, now: datetime) -> Q:
    """The relevant items whose first response came by their due time."""
    return sla_relevant(now=now) & Q(first_response_at__lte=F("sla_due_at"))
