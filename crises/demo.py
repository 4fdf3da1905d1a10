"""Demo crises: an escalation policy per demo client, a 14-day on-call roster, one ongoing
crisis whose draft waits for Sabine Huber's approval, and a holding statement. Idempotent."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from communityops.models import Client, ClientContact, User
from inbox.models import Item

from .models import (
    AgencyRole,
    ApprovalSettings,
    BusinessHours,
    Crisis,
    DetectionSettings,
    EscalationPolicy,
    EscalationStep,
    HoldingStatement,
    NotificationChannel,
    OnCallShift,
)
from .services import (
    crisis_create,
    crisis_escalation_start,
    crisis_items_link,
    response_draft_create,
    response_draft_submit,
)

DEMO_CLIENT_SLUGS = ["brauhaus-isartal", "nordlicht-energie", "rheinmode"]
DEMO_LEAD_EMAIL = "schichtleitung@agentur.example"
DEMO_APPROVER_EMAIL = "sabine.huber@brauhaus-isartal.example"
DEMO_CRISIS_TITLE = "Glassplitter-Gerücht: Vorwürfe zu Charge 0424"
BERLIN = ZoneInfo("Europe/Berlin")

HOLDING_TEXT = (
    "Danke für Ihre Hinweise. Wir nehmen das sehr ernst und prüfen den Sachverhalt gerade gemeinsam "
    "mit unserer Qualitätssicherung. Sobald wir mehr wissen, melden wir uns hier – spätestens bis morgen Mittag."
)
DRAFT_TEXT = (
    "Liebe Community, uns haben Hinweise zu möglichen Glassplittern in Flaschen der Charge 0424 erreicht. "
    "Unsere Qualitätssicherung hat die Rückstellmuster geprüft und keine Auffälligkeiten gefunden. "
    "Wer eine betroffene Flasche hat, meldet sich bitte per Direktnachricht – wir holen sie ab und erstatten den Kaufpreis."
)


def _policy(client: Client) -> None:
    policy, created = EscalationPolicy.objects.get_or_create(
        client=client, defaults={"name": f"Krisenkette {client.name}"}
    )
    if not created:
        return
    contacts = list(ClientContact.objects.filter(client=client).order_by("-may_approve", "pk"))
    EscalationStep.objects.create(
        policy=policy,
        position=1,
        agency_roles=[AgencyRole.ON_CALL_LEAD],
        channel=NotificationChannel.EMAIL,
        wait_minutes=10,
    )
    second = EscalationStep.objects.create(
        policy=policy, position=2, channel=NotificationChannel.EMAIL, wait_minutes=15
    )
    second.contacts.set(contacts[:1])
    third = EscalationStep.objects.create(
        policy=policy,
        position=3,
        channel=NotificationChannel.EMAIL,
        wait_minutes=30,
        agency_roles=[AgencyRole.ALL_SHIFT_LEADS],
        business_hours=BusinessHours.BOTH,
    )
    third.contacts.set(contacts[1:])


def _roster(lead: User) -> int:
    """Day (09-17), evening (17-23) and night (23-09) shifts for the next 14 days; weekends labelled."""
    today = timezone.localdate(timezone=BERLIN)
    created = 0
    for offset in range(14):
        day = today + timedelta(days=offset)
        weekend = day.weekday() >= 5
        for label, start, hours in (("day", 9, 8), ("evening", 17, 6), ("night", 23, 10)):
            starts_at = datetime.combine(day, time(start), tzinfo=BERLIN)
            _shift, was_created = OnCallShift.objects.get_or_create(
                lead=lead,
                starts_at=starts_at,
                defaults={
                    "ends_at": starts_at + timedelta(hours=hours),
                    "label": OnCallShift.Label.WEEKEND if weekend and label != "night" else label,
                },
            )
            created += was_created
    # The night before today's day shift, so someone is on call right now in any case.
    start = datetime.combine(today - timedelta(days=1), time(23), tzinfo=BERLIN)
    OnCallShift.objects.get_or_create(
        lead=lead, starts_at=start, defaults={"ends_at": start + timedelta(hours=10), "label": OnCallShift.Label.NIGHT}
    )
    return created


def _ongoing_crisis(*, client: Client, lead: User) -> None:
    if Crisis.objects.filter(client=client, title=DEMO_CRISIS_TITLE).exists():
        return
    now = timezone.now()
    sabine = ClientContact.objects.get(client=client, email=DEMO_APPROVER_EMAIL)
    settings, _created = ApprovalSettings.objects.get_or_create(
        client=client, defaults={"rule": ApprovalSettings.Rule.ANY, "reminder_minutes": 15, "deadline_minutes": 45}
    )
    settings.approvers.set([sabine])
    crisis = crisis_create(acting_user=lead, client=client, title=DEMO_CRISIS_TITLE, severity=1, owner=lead, now=now)
    items = Item.objects.filter(client=client, sentiment=Item.Sentiment.NEGATIVE).order_by("-pk")[:6]
    crisis_items_link(crisis=crisis, items=list(items), acting_user=lead, now=now)
    crisis_escalation_start(crisis=crisis, acting_user=lead, now=now)
    draft = response_draft_create(crisis=crisis, acting_user=lead, text=DRAFT_TEXT, now=now)
    response_draft_submit(draft=draft, acting_user=lead, now=now)


@transaction.atomic
def seed_crises(*, stdout) -> None:
    lead = User.objects.get(email=DEMO_LEAD_EMAIL)
    clients = list(Client.objects.filter(slug__in=DEMO_CLIENT_SLUGS).order_by("name"))
    for client in clients:
        _policy(client)
        DetectionSettings.objects.get_or_create(client=client)
        HoldingStatement.objects.get_or_create(
            client=client,
            title="Wir prüfen das",
            defaults={"text": HOLDING_TEXT, "is_pre_approved": True},
        )
    shifts = _roster(lead)
    brauhaus = Client.objects.get(slug="brauhaus-isartal")
    _ongoing_crisis(client=brauhaus, lead=lead)
    stdout.write(
        f"Crises: {len(clients)} escalation policies, {shifts} new on-call shifts, "
        f"{Crisis.objects.exclude(status=Crisis.Status.RESOLVED).count()} ongoing crises."
    )
