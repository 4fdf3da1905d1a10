"""The locking querysets of crises, in one place so lock order and scope are visible.

Row locks are always taken on the queried model's own row only (`of=("self",)`), never on the
rows select_related joins in (the client, the crisis of a draft), so a lock on a draft never
blocks someone editing the client. Querysets of several rows lock them in id order.

The `_skip_locked` variants are for periodic runs and tasks that may be delivered twice: a row
another transaction holds is skipped, not waited for: its holder or the next run does the work.

Lock order: the crisis first, then what belongs to it: a version of its response, its approval
links (a decision by magic link: the crisis, the link, then the draft), its item links and then
the items themselves (inbox.lock_objects.item_qs_select_for_update; the erasure's redaction,
crises.erasure, locks the author's crises before the items too). Deferred foreign-key checks count:
an event inserted for a crisis waits at commit for whoever holds the crisis, so whatever holds a
draft or a link must hold its crisis already. Linking items takes
inbox.lock_objects.authors_erasure_lock_shared before any of these. Not a row lock:
on_call_roster_lock, a LOCK TABLE, and crisis_idempotency_key_lock, an advisory lock taken before
everything else (below).
"""

from django.db import connection
from django.db.models import QuerySet

from .models import ApprovalLink, Crisis, CrisisItem, Notification, OnCallShift, ResponseDraft, SpikeAlert


def crisis_qs_select_for_update() -> QuerySet[Crisis]:
    """The crisis row (services.crisis_lock): the services that change a crisis hold it, so
    changes to one crisis run one after another and each sees the transitions before it."""
    return Crisis.objects.order_by("pk").select_for_update(of=("self",))


def crisis_qs_skip_locked() -> QuerySet[Crisis]:
    """The crisis row for the periodic runs (escalation due-check, approval deadlines): a crisis whose
    state is being changed right now (or that another run is at) is left to the next run."""
    return Crisis.objects.order_by("pk").select_for_update(of=("self",), skip_locked=True)


def crisis_item_qs_select_for_update() -> QuerySet[CrisisItem]:
    """A crisis's links, in linking order, while a response is published to them: each link
    records once what answered it."""
    return CrisisItem.objects.order_by("pk").select_for_update(of=("self",))


def response_draft_qs_select_for_update() -> QuerySet[ResponseDraft]:
    """One version of the response while it is submitted, decided on or reminded about (taken after
    the crisis, always: see the module docstring)."""
    return ResponseDraft.objects.order_by("pk").select_for_update(of=("self",))


def approval_link_qs_select_for_update() -> QuerySet[ApprovalLink]:
    """A magic link being used (two clicks at once must not both count) or emailed: a second delivery
    of the send task waits, then finds it sent. Not skipped: the email goes out once, from the task
    queued when the link was issued, with no later run to pick up a link skipped while a decision or
    a refused resend held it."""
    return ApprovalLink.objects.order_by("pk").select_for_update(of=("self",))


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


# The advisory lock on an opener's idempotency key: (this namespace, the key hashed into 32 bits).
_IDEMPOTENCY_KEY_LOCK_NAMESPACE = 0x43524953  # "CRIS"


def crisis_idempotency_key_lock(*, user_id: int, key: str) -> None:
    """One user's idempotency key while a crisis is opened with it (services.crisis_create_for_request),
    to the end of the transaction: a request retried while the first is still at work waits here and
    then finds the crisis it opened. Not a row lock: that crisis does not exist yet. Two keys sharing
    a hash only wait for each other. Taken before any other lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_IDEMPOTENCY_KEY_LOCK_NAMESPACE, f"{user_id}:{key}"]
        )
