"""The escalation ladder, run by django-q2 and durable in the database.

Schedule: the applicable steps of the client's policy fire one after another; step N is due
at escalation_started_at + the waits of the steps before it. Which steps apply (severity,
inside/outside business hours) is decided once, at the moment the escalation started, so
the schedule never shifts while it runs.

Exactly once: crisis_escalate_due creates one Notification row per (crisis, step, recipient)
under the crisis's row lock; the unique constraint makes a second run a no-op. Sending runs
after commit in notification_send, which locks the notification row and sends only while it
is still pending. A worker that dies between the two leaves pending rows, which the next
periodic run queues again: nothing is lost, nothing is sent twice.

Without a ladder (the client has no escalation policy, it is switched off, or none of its steps
applies to this crisis's severity and time) an escalation still reaches someone: the fallback
alerts the shift lead on call, or every shift lead and admin when nobody is, by email
(Notification rows without a step), and the crisis page says why (escalation_policy_gap). Like
a ladder's steps it runs on the escalation clock (escalation_schedule), counted from its first
alert: it repeats every FALLBACK_REPEAT_MINUTES until acknowledged, FALLBACK_ROUNDS times at most (a reminder missed past
that time is not sent late), each round to whoever is on call then.

Business hours: Monday to Friday, 09:00-18:00 in the client's time zone, except the public
holidays of the client's federal state (the `holidays` package).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core import signing
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from communityops.models import Client, ClientContact, User
from communityops.public_holidays import is_public_holiday

from .lock_objects import crisis_qs_skip_locked, notification_qs_skip_locked
from .models import (
    AgencyRole,
    BusinessHours,
    Crisis,
    CrisisEvent,
    EscalationStep,
    Notification,
    NotificationChannel,
)
from .notifications import DeliveryError, absolute_url, recipient_language
from .notifications.email import email_send
from .notifications.webhook import chat_post, webhook_post_json
from .selectors import agency_alert_recipients, notification_recipient_contact, notification_recipient_is_contact
from .services import crisis_event_record

BUSINESS_DAY_START = time(9)
BUSINESS_DAY_END = time(18)
ACKNOWLEDGE_SALT = "crises.acknowledge"
ACKNOWLEDGE_MAX_AGE = timedelta(hours=24)


def is_business_hours(*, client: Client, at: datetime) -> bool:
    local = at.astimezone(ZoneInfo(client.time_zone))
    if local.weekday() >= 5:
        return False
    if is_public_holiday(client.federal_state, local.date()):
        return False
    return BUSINESS_DAY_START <= local.time() < BUSINESS_DAY_END


def step_applies(*, step: EscalationStep, severity: int, business_hours: bool) -> bool:
    if step.severities and severity not in step.severities:
        return False
    if step.business_hours == BusinessHours.INSIDE:
        return business_hours
    if step.business_hours == BusinessHours.OUTSIDE:
        return not business_hours
    return True


def escalation_schedule[Step: (EscalationStep, "FallbackRound")](
    *, steps: Sequence[Step], started_at: datetime
) -> list[tuple[Step, datetime]]:
    """Each applicable step (or fallback round) with the time it is due: the start plus the waits of
    the steps before it."""
    due_at = started_at
    schedule = []
    for step in steps:
        schedule.append((step, due_at))
        due_at += timedelta(minutes=step.wait_minutes)
    return schedule


# The fallback alert's rounds: the first at the start, then reminders until acknowledged (at most
# two hours: by then the lead has answered or the agency has a bigger problem than a reminder solves).
FALLBACK_REPEAT_MINUTES = 15
FALLBACK_ROUNDS = 8
FALLBACK_REMINDERS = FALLBACK_ROUNDS - 1  # the first round alerts, the others remind


@dataclass(frozen=True)
class FallbackRound:
    """One round of the fallback alert, shaped like a step for escalation_schedule."""

    number: int
    wait_minutes: int = FALLBACK_REPEAT_MINUTES


FALLBACK_SCHEDULE = tuple(FallbackRound(number) for number in range(1, FALLBACK_ROUNDS + 1))


@dataclass(frozen=True)
class UpcomingStep:
    step: EscalationStep
    due_at: datetime
    addressed: list[str]  # the step's client contacts and agency roles, as a shift lead reads them
    skipped: bool = False  # only the client's contacts, and the client has seen the crisis


@dataclass(frozen=True)
class UpcomingFallback:
    round: int
    due_at: datetime


def _steps_fired(crisis: Crisis) -> list[tuple[datetime, dict]]:
    """The crisis's STEP_FIRED events, a ladder's steps and the fallback's rounds, and its STEP_SKIPPED
    ones (a step whose turn came and went): (when, data), oldest first."""
    return list(
        crisis.events.filter(kind__in=[CrisisEvent.Kind.STEP_FIRED, CrisisEvent.Kind.STEP_SKIPPED])
        .order_by("created_at", "pk")
        .values_list("created_at", "data")
    )


def _fallback_schedule(*, fired: list[tuple[datetime, dict]], now: datetime) -> list[tuple[FallbackRound, datetime]]:
    """The fallback's rounds with their due times, counted from its first alert (in `fired`,
    _steps_fired): that one is due as soon as the escalation has no ladder (now, while none has
    fired), also when the ladder went away mid-escalation (a policy switched off), so the first
    alert is never labelled a reminder."""
    first = next((at for at, data in fired if data.get("fallback")), now)
    return escalation_schedule(steps=FALLBACK_SCHEDULE, started_at=first)


def fallback_upcoming(*, crisis: Crisis, now: datetime) -> UpcomingFallback | None:
    """The fallback alert's next round (a reminder) while an escalation without a ladder runs (the
    crisis page's timer); None once acknowledged or resolved, or after the last round."""
    if not crisis.escalation_running or crisis_steps(crisis=crisis):
        return None
    schedule = _fallback_schedule(fired=_steps_fired(crisis), now=now)
    return next((UpcomingFallback(round=step.number, due_at=due_at) for step, due_at in schedule if due_at > now), None)


def escalation_upcoming(*, crisis: Crisis, now: datetime) -> list[UpcomingStep]:
    """The steps of a running escalation still to fire, with when and whom (the crisis page's
    timer). None once acknowledged or resolved: then nothing more fires."""
    if not crisis.escalation_running:
        return []
    schedule = escalation_schedule(steps=crisis_steps(crisis=crisis), started_at=crisis.escalation_started_at)
    return [
        UpcomingStep(
            step=step,
            due_at=due_at,
            addressed=[
                *(contact.name for contact in step_contacts_alerted(step=step, crisis=crisis)),
                *(AgencyRole(role).label for role in step.agency_roles),
            ],
            skipped=step_skipped_as_client_has_seen(step=step, crisis=crisis, first=index == 0),
        )
        for index, (step, due_at) in enumerate(schedule)
        if due_at > now
    ]


def crisis_steps(*, crisis: Crisis, at: datetime | None = None) -> list[EscalationStep]:
    """The policy's steps that apply to the crisis, for an escalation started at `at` (default:
    when it started)."""
    policy = getattr(crisis.client, "escalation_policy", None)
    if policy is None or not policy.is_active:
        return []
    business = is_business_hours(client=crisis.client, at=at or crisis.escalation_started_at)
    steps = policy.steps.prefetch_related("contacts").order_by("position")
    return [step for step in steps if step_applies(step=step, severity=crisis.severity, business_hours=business)]


# Why a notification was refused at send time (its NOTIFICATION_FAILED event's "refused").
REFUSED_OTHER_CLIENT = "contact_of_other_client"

# Why an escalation alerts only the agency (the fallback): the crisis page and its timeline say it.
POLICY_MISSING = "no_policy"
POLICY_INACTIVE = "policy_inactive"
POLICY_NO_STEP = "no_step_applies"


def escalation_policy_gap(*, crisis: Crisis, at: datetime) -> str:
    """ "" if the client's policy has steps for this crisis; else why not (POLICY_*). For a crisis not
    escalated yet, as if it were started at `at`."""
    policy = getattr(crisis.client, "escalation_policy", None)
    if policy is None:
        return POLICY_MISSING
    if not policy.is_active:
        return POLICY_INACTIVE
    if not crisis_steps(crisis=crisis, at=crisis.escalation_started_at or at):
        return POLICY_NO_STEP
    return ""


def step_contacts(*, step: EscalationStep, crisis: Crisis) -> list[ClientContact]:
    """The step's contacts of the crisis's client: another client's contact named by mistake is
    never alerted (nor shown as addressed), nor can they say they have seen this crisis."""
    return [contact for contact in step.contacts.all() if contact.client_id == crisis.client_id]


def step_contacts_alerted(*, step: EscalationStep, crisis: Crisis) -> list[ClientContact]:
    """The step's contacts the escalation still alerts: none once a contact of the client has seen the
    crisis (crises.services.crisis_client_seen); the step's agency roles are alerted all the same."""
    return step_contacts(step=step, crisis=crisis) if crisis.client_seen_at is None else []


def step_skipped_as_client_has_seen(*, step: EscalationStep, crisis: Crisis, first: bool) -> bool:
    """Whether the step's turn passes without an alert: it alerts only the client's contacts (no agency
    role, no chat channel, not the first step, which alerts the shift lead on call too), and the client
    has seen the crisis."""
    return (
        crisis.client_seen_at is not None
        and not first
        and not step.agency_roles
        and step.channel != NotificationChannel.CHAT_WEBHOOK
    )


@dataclass(frozen=True)
class Recipient:
    key: str
    label: str
    address: str
    language: str


def _user_recipient(user: User) -> Recipient:
    return Recipient(f"user:{user.pk}", str(user), user.email, recipient_language(user=user))


def step_recipients(*, step: EscalationStep, crisis: Crisis, now: datetime, first: bool) -> list[Recipient]:
    """Who this step alerts. The first step always includes the shift lead on call now (with
    nobody on call: every shift lead and admin, as for the on-call lead's role); the client's
    contacts only until one of them has seen the crisis (step_contacts_alerted).

    A chat webhook is a single recipient (the channel); SMS webhooks need a contact's phone
    number, staff are addressed by email there (the gateway maps them).
    """
    if step.channel == NotificationChannel.CHAT_WEBHOOK:
        return [Recipient("chat", "Chat webhook", step.webhook_url, "de")]
    users: list[User] = []
    roles = set(step.agency_roles)
    if first or AgencyRole.ON_CALL_LEAD in roles:
        users.extend(agency_alert_recipients(at=now))
    if AgencyRole.CRISIS_OWNER in roles and crisis.owner is not None:
        users.append(crisis.owner)
    if AgencyRole.ALL_SHIFT_LEADS in roles:
        users.extend(User.objects.filter(role=User.Role.SHIFT_LEAD, is_active=True).order_by("pk"))
    recipients: dict[str, Recipient] = {}
    for user in users:
        recipients.setdefault(f"user:{user.pk}", _user_recipient(user))
    for contact in step_contacts_alerted(step=step, crisis=crisis):
        address = contact.phone if step.channel == NotificationChannel.OUTGOING_WEBHOOK else contact.email
        if address:
            recipients.setdefault(
                f"contact:{contact.pk}",
                Recipient(f"contact:{contact.pk}", contact.name, address, recipient_language(contact=contact)),
            )
    return list(recipients.values())


def crisis_escalate_due(*, now: datetime, enqueue_sends: bool = True) -> int:
    """Periodic and right after an escalation starts: fire every due step of every running escalation.

    Each crisis is handled in its own short transaction under its row lock (skip locked, so
    two runners never work on the same crisis). Returns how many notifications were created.
    With enqueue_sends (the task), pending notifications are queued for sending after commit;
    the escalation clock sends first attempts itself instead (escalation_clock_tick).
    """
    crisis_ids = list(
        Crisis.objects.filter(escalation_started_at__isnull=False, acknowledged_at__isnull=True)
        .exclude(status=Crisis.Status.RESOLVED)
        .values_list("pk", flat=True)
    )
    return sum(
        _crisis_escalate_one(crisis_id=crisis_id, now=now, enqueue_sends=enqueue_sends) for crisis_id in crisis_ids
    )


def escalation_clock_tick(*, now: datetime) -> int:
    """One tick of the escalation clock: fire due steps, then make the first attempt of every new
    notification right here, not through the task queue. Returns how many were sent.

    Why a clock beside django-q2: its scheduler looks at schedules every 30 seconds and a
    one-minute schedule runs at most once a minute, and during an ingest burst the due-check and
    the sends wait behind ingest tasks on the same workers; `make bench` measured due steps up
    to 98 s late. Safe beside the periodic task: steps are fired under the crisis row lock and
    the notification_exactly_once constraint, and notification_send locks the row and sends only
    while pending. Retries after a failed attempt stay with the periodic task (its backoff).
    """
    crisis_escalate_due(now=now, enqueue_sends=False)
    first_attempts = Notification.objects.filter(status=Notification.Status.PENDING, attempts=0).values_list(
        "pk", flat=True
    )
    return sum(notification_send(notification_id=pk, now=timezone.now()) for pk in list(first_attempts))


@transaction.atomic
def _crisis_escalate_one(*, crisis_id: int, now: datetime, enqueue_sends: bool = True) -> int:
    crisis = crisis_qs_skip_locked().select_related("client", "owner").filter(pk=crisis_id).first()
    if crisis is None or not crisis.escalation_running:
        return 0
    # A step fires once: its event says so even when it reached nobody (older events: its notifications).
    fired_events = _steps_fired(crisis)
    fired = [data for _at, data in fired_events]
    steps = crisis_steps(crisis=crisis)
    created = 0
    due_rounds = [
        (fallback_round, due_at)
        for fallback_round, due_at in _fallback_schedule(fired=fired_events, now=now)
        if due_at <= now
    ]
    # A round fires once: its event says so (events from before rounds: round 1). Only the latest
    # due round fires: after an outage the lead gets one reminder, not every one missed. A reminder
    # whose turn is over (the last round's, FALLBACK_ROUNDS * FALLBACK_REPEAT_MINUTES after the
    # first alert) is not sent late: days later it would remind of a crisis long in hand (and the
    # first run of rounds would have sent "reminder 7" for every old unacknowledged crisis).
    last_fired = max((data.get("round", 1) for data in fired if data.get("fallback")), default=0)
    if (
        not steps
        and due_rounds
        and due_rounds[-1][0].number > last_fired
        and (last_fired == 0 or now < due_rounds[-1][1] + timedelta(minutes=due_rounds[-1][0].wait_minutes))
    ):
        fallback_round, due_at = due_rounds[-1]
        created += _step_fire(
            crisis=crisis,
            step=None,
            channel=NotificationChannel.EMAIL,
            recipients=[_user_recipient(user) for user in agency_alert_recipients(at=now)],
            now=now,
            data={
                "fallback": escalation_policy_gap(crisis=crisis, at=now),
                "round": fallback_round.number,
                "due_at": due_at.isoformat(),
            },
            round_number=fallback_round.number,
        )
    fired_step_ids = {data.get("step_id") for data in fired}
    for index, (step, due_at) in enumerate(escalation_schedule(steps=steps, started_at=crisis.escalation_started_at)):
        if due_at > now:
            break
        if step.pk in fired_step_ids or Notification.objects.filter(crisis=crisis, step=step).exists():
            continue
        data = {"step_id": step.pk, "position": step.position, "due_at": due_at.isoformat()}
        if crisis.client_seen_at is not None and step_contacts(step=step, crisis=crisis):
            # Its contacts are left out: the timeline says why.
            data["client_seen_by"] = crisis.client_seen_by
        if step_skipped_as_client_has_seen(step=step, crisis=crisis, first=index == 0):
            crisis_event_record(
                crisis=crisis, kind=CrisisEvent.Kind.STEP_SKIPPED, at=now, actor_label="CommunityOps", data=data
            )
            continue
        created += _step_fire(
            crisis=crisis,
            step=step,
            channel=step.channel,
            recipients=step_recipients(step=step, crisis=crisis, now=now, first=index == 0),
            now=now,
            data=data,
        )
    if enqueue_sends:
        # Also re-queue what an earlier run created but a crashed worker never sent.
        pending = list(crisis.notifications.filter(status=Notification.Status.PENDING).values_list("pk", flat=True))
        transaction.on_commit(lambda: [async_task("crises.tasks.notification_send_task", pk) for pk in pending])
    return created


def _step_fire(
    *,
    crisis: Crisis,
    step: EscalationStep | None,
    channel: str,
    recipients: list[Recipient],
    now: datetime,
    data: dict,
    round_number: int = 1,
) -> int:
    """One notification per recipient (step None: the fallback, in its round), and the step's event,
    which marks it fired and names whom it reached. In the caller's transaction, under the crisis lock."""
    Notification.objects.bulk_create(
        [
            Notification(
                crisis=crisis,
                step=step,
                recipient_key=recipient.key,
                recipient_label=recipient.label,
                address=recipient.address,
                channel=channel,
                language=recipient.language,
                round=round_number,
                created_at=now,
            )
            for recipient in recipients
        ],
        ignore_conflicts=True,
    )
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.STEP_FIRED,
        at=now,
        actor_label="CommunityOps",
        data={**data, "channel": channel, "recipients": [recipient.label for recipient in recipients]},
    )
    return len(recipients)


def acknowledge_token(*, crisis_id: int, recipient_key: str) -> str:
    return signing.dumps({"crisis": crisis_id, "recipient": recipient_key}, salt=ACKNOWLEDGE_SALT)


def acknowledge_token_read(token: str) -> dict:
    """The signed payload, or signing.BadSignature (tampered) / signing.SignatureExpired (too old)."""
    return signing.loads(token, salt=ACKNOWLEDGE_SALT, max_age=ACKNOWLEDGE_MAX_AGE)


def acknowledge_link_check(token: str) -> tuple[Crisis, str]:
    """The crisis an acknowledge link stops and the recipient key it was sent to.

    Raises signing.SignatureExpired (too old), signing.BadSignature (tampered, and also a client
    contact's link for a crisis of another client: one named by mistake in its steps must neither
    see the crisis nor stop its escalation), Http404 (no such crisis).
    """
    payload = acknowledge_token_read(token)
    crisis = get_object_or_404(Crisis.objects.select_related("client"), pk=payload["crisis"])
    if not recipient_of_crisis_client(recipient_key=payload["recipient"], crisis=crisis):
        raise signing.BadSignature("The contact is not one of the crisis's client.")
    return crisis, payload["recipient"]


def recipient_of_crisis_client(*, recipient_key: str, crisis: Crisis) -> bool:
    """Whether a notification's recipient may hear of the crisis: agency staff and a step's chat
    channel may; a client contact only if they are a contact of the crisis's client (one of another
    client, named in a step before that was refused, must neither be alerted nor acknowledge)."""
    if not notification_recipient_is_contact(recipient_key):
        return True
    return notification_recipient_contact(crisis=crisis, recipient_key=recipient_key) is not None


def acknowledge_url(*, crisis_id: int, recipient_key: str) -> str:
    token = acknowledge_token(crisis_id=crisis_id, recipient_key=recipient_key)
    return absolute_url(reverse("crises:acknowledge", kwargs={"token": token}))


def notification_text(*, notification: Notification, ack_url: str) -> str:
    """The SMS or chat message, in the recipient's language."""
    crisis = notification.crisis
    with translation.override(notification.language):
        return _("[CommunityOps] %(client)s: %(title)s (severity %(severity)s). Acknowledge: %(url)s") % {
            "client": crisis.client.name,
            "title": crisis.title,
            "severity": crisis.severity,
            "url": ack_url,
        }


def _deliver(notification: Notification) -> None:
    crisis = notification.crisis
    ack_url = acknowledge_url(crisis_id=crisis.pk, recipient_key=notification.recipient_key)
    to_contact = notification_recipient_is_contact(notification.recipient_key)
    if notification.channel == NotificationChannel.EMAIL:
        email_send(
            to=notification.address,
            name="escalation",
            language=notification.language,
            # A client's contact reads the times in the client's zone, agency staff in the agency's.
            time_zone=crisis.client.time_zone if to_contact else None,
            context={
                "crisis": crisis,
                "notification": notification,
                "to_contact": to_contact,  # their "seen" stops the alerts to the client's contacts only
                "item_count": crisis.crisis_items.count(),
                "acknowledge_url": ack_url,
                "crisis_url": absolute_url(reverse("crises:detail", kwargs={"crisis_id": crisis.pk})),
                "fallback_repeat_minutes": FALLBACK_REPEAT_MINUTES,
                "fallback_reminders": FALLBACK_REMINDERS,
            },
        )
    elif notification.channel == NotificationChannel.OUTGOING_WEBHOOK:
        webhook_post_json(
            url=notification.step.webhook_url,
            payload={
                "to": notification.address,
                "text": notification_text(notification=notification, ack_url=ack_url),
                "crisis_id": crisis.pk,
                "severity": crisis.severity,
                "acknowledge_url": ack_url,
            },
        )
    else:
        chat_post(url=notification.address, text=notification_text(notification=notification, ack_url=ack_url))


@transaction.atomic
def notification_send(*, notification_id: int, now: datetime) -> bool:
    """Send one notification if it is still pending. Returns True if it was sent now.

    The row lock (skip locked) stops a concurrent duplicate task; the status check stops a
    later one. A failed attempt stays pending for the next periodic run, up to MAX_ATTEMPTS.
    One addressed to a contact of another client than the crisis's is never sent: it becomes
    REFUSED, with a NOTIFICATION_FAILED event saying why.
    """
    notification = (
        notification_qs_skip_locked()
        .select_related("crisis__client", "step")
        .filter(pk=notification_id, status=Notification.Status.PENDING)
        .first()
    )
    if notification is None:
        return False
    crisis = notification.crisis
    if not recipient_of_crisis_client(recipient_key=notification.recipient_key, crisis=crisis):
        notification.status = Notification.Status.REFUSED
        notification.last_error = "Not sent: the contact is not one of the crisis's client."
        notification.save(update_fields=["status", "last_error"])
        crisis_event_record(
            crisis=crisis,
            kind=CrisisEvent.Kind.NOTIFICATION_FAILED,
            at=now,
            actor_label="CommunityOps",
            data={"recipient": notification.recipient_label, "refused": REFUSED_OTHER_CLIENT},
        )
        return False
    if crisis.acknowledged_at is not None or crisis.status == Crisis.Status.RESOLVED:
        notification.status = Notification.Status.SKIPPED
        notification.save(update_fields=["status"])
        return False
    if crisis.client_seen_at is not None and notification_recipient_is_contact(notification.recipient_key):
        # Created before a contact of the client said they have seen it (crises.services.crisis_client_seen).
        notification.status = Notification.Status.CLIENT_SEEN
        notification.save(update_fields=["status"])
        return False
    notification.attempts += 1
    try:
        _deliver(notification)
    except DeliveryError as error:
        notification.last_error = str(error)
        if notification.attempts >= Notification.MAX_ATTEMPTS:
            notification.status = Notification.Status.FAILED
            crisis_event_record(
                crisis=crisis,
                kind=CrisisEvent.Kind.NOTIFICATION_FAILED,
                at=now,
                actor_label="CommunityOps",
                data={"recipient": notification.recipient_label, "error": str(error)},
            )
        notification.save(update_fields=["attempts", "last_error", "status"])
        return False
    notification.status = Notification.Status.SENT
    notification.sent_at = now
    notification.save(update_fields=["attempts", "status", "sent_at"])
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.NOTIFICATION_SENT,
        at=now,
        actor_label="CommunityOps",
        data={"recipient": notification.recipient_label, "channel": notification.channel},
    )
    return True
