"""The locking querysets of crises, in one place so lock order and scope are visible.

Row locks are always taken on the queried model's own row only (`of=("self",)`), never on the
rows select_related joins in (the client, the crisis of a draft), so a lock on a draft never
blocks someone editing the client. Querysets of several rows lock them in id order.

The `_skip_locked` variants are for periodic runs and tasks that may be delivered twice: a row
another transaction holds is skipped, not waited for: its holder or the next run does the work.
"""

from django.db import connection
from django.db.models import QuerySet

from .models import ApprovalLink, Crisis, CrisisItem, Notification, OnCallShift, ResponseDraft, SpikeAlert


def crisis_qs_select_for_update() -> QuerySet[Crisis]:
    """The crisis row (services.crisis_lock): the services that change a crisis hold it, so
    changes to one crisis run one after another and each sees the transitions before it."""
    return Crisis.objects.order_by("pk").select_for_update(of=("self",))


def crisis_qs_skip_locked() -> QuerySet[Crisis]:
    """The crisis row for the escalation due-check: a crisis whose state is being changed right
    now (or that another run is escalating) is left to the next run."""
    return Crisis.objects.order_by("pk").select_for_update(of=("self",), skip_locked=True)


def crisis_item_qs_select_for_update() -> QuerySet[CrisisItem]:
    """A crisis's links, in linking order, while a response is published to them: each link
    records once what answered it."""
    return CrisisItem.objects.order_by("pk").select_for_update(of=("self",))


def response_draft_qs_select_for_update() -> QuerySet[ResponseDraft]:
    """One version of the response while it is submitted or decided on (taken after the crisis)."""
    return ResponseDraft.objects.order_by("pk").select_for_update(of=("self",))


def response_draft_qs_skip_locked() -> QuerySet[ResponseDraft]:
    """A version awaiting approval, for the reminder and fallback run: a draft being decided on
    is skipped; reminder_sent_at and fallback_asked_at make the next run do nothing twice."""
    return ResponseDraft.objects.order_by("pk").select_for_update(of=("self",), skip_locked=True)


def approval_link_qs_select_for_update() -> QuerySet[ApprovalLink]:
    """A magic link being used: two clicks at once must not both count."""
    return ApprovalLink.objects.order_by("pk").select_for_update(of=("self",))


def approval_link_qs_skip_locked() -> QuerySet[ApprovalLink]:
    """A magic link being emailed: a second delivery of the send task skips it."""
    return ApprovalLink.objects.order_by("pk").select_for_update(of=("self",), skip_locked=True)


def notification_qs_skip_locked() -> QuerySet[Notification]:
    """An escalation notification being sent: a concurrent duplicate task skips it."""
    return Notification.objects.order_by("pk").select_for_update(of=("self",), skip_locked=True)


def spike_alert_qs_select_for_update() -> QuerySet[SpikeAlert]:
    """A spike alert being acknowledged or turned into a crisis: a second click finds the first's outcome."""
    return SpikeAlert.objects.order_by("pk").select_for_update(of=("self",))


def spike_alert_qs_skip_locked() -> QuerySet[SpikeAlert]:
    """A spike alert being emailed to the shift lead: a second delivery of the task skips it."""
    return SpikeAlert.objects.order_by("pk").select_for_update(of=("self",), skip_locked=True)


def on_call_roster_lock() -> None:
    """The whole on-call roster, while a shift is added, changed or ended (inside the transaction
    that writes it): OnCallShift.clean's overlap check and the write then run one after another,
    so two shifts added at once cannot both pass it. Not a row lock: the row that would overlap
    may not exist yet. SHARE ROW EXCLUSIVE conflicts with itself and with writes, not with reads:
    who is on call can be read meanwhile. Shifts change a few times a day; nothing waits long."""
    with connection.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{OnCallShift._meta.db_table}" IN SHARE ROW EXCLUSIVE MODE')
