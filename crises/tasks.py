"""django-q2 tasks: thin, by id, idempotent (the ORM broker can deliver a task twice)."""

from django.utils import timezone

from .detection import spike_alert_notify, spike_detect_all
from .escalation import crisis_escalate_due, notification_send
from .services import approval_deadlines_check, approval_decision_notify, approval_link_send


def crisis_escalate_due_task() -> int:
    return crisis_escalate_due(now=timezone.now())


def notification_send_task(notification_id: int) -> bool:
    return notification_send(notification_id=notification_id, now=timezone.now())


def spike_detect_all_task() -> int:
    return len(spike_detect_all(now=timezone.now()))


def spike_alert_notify_task(alert_id: int) -> bool:
    return spike_alert_notify(alert_id=alert_id, now=timezone.now())


def approval_link_send_task(link_id: int, purpose: str) -> bool:
    return approval_link_send(link_id=link_id, purpose=purpose, now=timezone.now())


def approval_decision_notify_task(approval_id: int, publishable: bool) -> int:
    return approval_decision_notify(approval_id=approval_id, publishable=publishable, now=timezone.now())


def approval_deadlines_check_task() -> dict:
    return approval_deadlines_check(now=timezone.now())
