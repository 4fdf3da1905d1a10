import json
from datetime import datetime, timedelta

import pytest
from django.core import mail, signing
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from communityops.models import User
from crises.escalation import (
    acknowledge_token,
    crisis_escalate_due,
    escalation_clock_tick,
    is_business_hours,
    notification_send,
    notification_text,
)
from crises.event_summaries import event_summary
from crises.models import (
    AgencyRole,
    BusinessHours,
    Crisis,
    CrisisEvent,
    Notification,
    NotificationChannel,
)
from crises.services import crisis_acknowledge, crisis_create, crisis_escalation_start

from .conftest import BERLIN


@pytest.fixture
def ladder(client_factory, contact_factory, policy_factory, on_call):
    """Step 1: on-call lead (wait 10), step 2: PR contact (wait 15), step 3: legal + managing director."""
    client = client_factory()
    pr, legal, boss = contact_factory(client), contact_factory(client), contact_factory(client)
    policy_factory(
        client,
        [
            {"agency_roles": [AgencyRole.ON_CALL_LEAD], "wait_minutes": 10},
            {"contacts": [pr], "wait_minutes": 15},
            {"contacts": [legal, boss], "wait_minutes": 30},
        ],
    )
    crisis = crisis_create(acting_user=on_call, client=client, title="Shitstorm", severity=1, now=timezone.now())
    return {"crisis": crisis, "lead": on_call, "pr": pr, "legal": legal, "boss": boss}


def _recipients(crisis) -> list[str]:
    return sorted(Notification.objects.filter(crisis=crisis).values_list("recipient_label", flat=True))


def test_steps_fire_at_their_times_with_a_controlled_clock(ladder):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)

    crisis_escalate_due(now=start)
    after_first = _recipients(crisis)
    crisis_escalate_due(now=start + timedelta(minutes=9, seconds=59))
    before_second = _recipients(crisis)
    crisis_escalate_due(now=start + timedelta(minutes=10))
    after_second = _recipients(crisis)
    crisis_escalate_due(now=start + timedelta(minutes=25))
    after_third = _recipients(crisis)

    assert after_first == [str(ladder["lead"])]
    assert before_second == after_first
    assert after_second == sorted([str(ladder["lead"]), ladder["pr"].name])
    assert after_third == sorted([str(ladder["lead"]), ladder["pr"].name, ladder["legal"].name, ladder["boss"].name])


def test_acknowledgement_stops_further_steps(ladder):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    crisis_escalate_due(now=start)

    crisis_acknowledge(crisis=crisis, by_label="Lead", acting_user=ladder["lead"], now=start + timedelta(minutes=3))
    created_later = crisis_escalate_due(now=start + timedelta(hours=2))

    assert created_later == 0
    assert _recipients(crisis) == [str(ladder["lead"])]


def test_the_escalation_task_run_twice_sends_once(ladder, django_capture_on_commit_callbacks):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)

    with django_capture_on_commit_callbacks(execute=True):
        crisis_escalate_due(now=start + timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        crisis_escalate_due(now=start + timedelta(minutes=10))

    assert sorted(message.to[0] for message in mail.outbox) == sorted([ladder["lead"].email, ladder["pr"].email])
    assert Notification.objects.filter(crisis=crisis, status=Notification.Status.SENT).count() == 2


def test_the_german_escalation_mail_names_the_severity_not_a_step(ladder, django_capture_on_commit_callbacks):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)

    with django_capture_on_commit_callbacks(execute=True):
        crisis_escalate_due(now=start + timedelta(minutes=10))

    subjects = {message.subject for message in mail.outbox}
    assert all("Stufe" not in subject for subject in subjects)
    assert any(subject.startswith("[Krise · Schweregrad ") for subject in subjects)


def test_a_send_task_delivered_twice_sends_once(ladder):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    crisis_escalate_due(now=start)
    notification = Notification.objects.get(crisis=crisis)

    first = notification_send(notification_id=notification.pk, now=start)
    second = notification_send(notification_id=notification.pk, now=start)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


def test_a_worker_restart_between_due_check_and_send_loses_and_duplicates_nothing(
    ladder, django_capture_on_commit_callbacks
):
    """Given the due-check created the rows but the worker died before the send tasks ran
    (the on-commit callbacks are dropped), when the next periodic run comes, then every
    notification goes out exactly once."""
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    with django_capture_on_commit_callbacks(execute=False):
        crisis_escalate_due(now=start + timedelta(minutes=10))  # "crash": sends never run
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        crisis_escalate_due(now=start + timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        crisis_escalate_due(now=start + timedelta(minutes=12))

    assert sorted(message.to[0] for message in mail.outbox) == sorted([ladder["lead"].email, ladder["pr"].email])
    assert set(Notification.objects.filter(crisis=crisis).values_list("status", flat=True)) == {"sent"}


def test_first_step_alerts_whoever_is_on_call_now(client_factory, contact_factory, policy_factory, on_call):
    client = client_factory()
    pr = contact_factory(client)
    policy_factory(client, [{"contacts": [pr], "wait_minutes": 10}])
    crisis = crisis_create(acting_user=on_call, client=client, title="x", now=timezone.now())
    crisis_escalation_start(crisis=crisis, acting_user=on_call, now=timezone.now())

    crisis_escalate_due(now=timezone.now())

    assert _recipients(crisis) == sorted([str(on_call), pr.name])


def test_another_clients_contact_named_in_a_step_is_neither_alerted_nor_shown(
    client, client_factory, contact_factory, policy_factory, on_call
):
    own_client = client_factory()
    own = contact_factory(own_client, name="Own PR")
    foreign = contact_factory(client_factory(), name="Foreign PR")
    policy_factory(
        own_client,
        [
            {"agency_roles": [AgencyRole.ON_CALL_LEAD], "wait_minutes": 10},
            {"contacts": [own, foreign], "wait_minutes": 10},
        ],
    )
    start = timezone.now()
    crisis = crisis_create(acting_user=on_call, client=own_client, title="x", now=start)
    crisis_escalation_start(crisis=crisis, acting_user=on_call, now=start)
    client.force_login(on_call)

    page = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    crisis_escalate_due(now=start + timedelta(minutes=10))
    for notification in Notification.objects.filter(crisis=crisis):
        notification_send(notification_id=notification.pk, now=start + timedelta(minutes=10))

    assert "Own PR" in page and "Foreign PR" not in page
    assert _recipients(crisis) == sorted([str(on_call), own.name])
    assert sorted(message.to[0] for message in mail.outbox) == sorted([on_call.email, own.email])


def test_steps_follow_severity_and_business_hours(client_factory, contact_factory, policy_factory, on_call):
    client = client_factory(federal_state="BY")
    office, night, critical_only = contact_factory(client), contact_factory(client), contact_factory(client)
    policy_factory(
        client,
        [
            {"contacts": [office], "business_hours": BusinessHours.INSIDE, "wait_minutes": 0},
            {"contacts": [night], "business_hours": BusinessHours.OUTSIDE, "wait_minutes": 0},
            {"contacts": [critical_only], "severities": [1], "wait_minutes": 0},
        ],
    )
    saturday_night = datetime(2026, 3, 7, 22, 30, tzinfo=BERLIN)
    crisis = crisis_create(acting_user=on_call, client=client, title="x", severity=2, now=saturday_night)
    crisis_escalation_start(crisis=crisis, acting_user=on_call, now=saturday_night)

    crisis_escalate_due(now=saturday_night)

    labels = _recipients(crisis)
    assert night.name in labels
    assert office.name not in labels and critical_only.name not in labels


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 3, 4, 10, 0, tzinfo=BERLIN), True),  # Wednesday morning
        (datetime(2026, 3, 4, 18, 0, tzinfo=BERLIN), False),  # Wednesday 18:00
        (datetime(2026, 3, 7, 11, 0, tzinfo=BERLIN), False),  # Saturday
        (datetime(2026, 1, 6, 11, 0, tzinfo=BERLIN), False),  # Epiphany, a holiday in Bavaria
    ],
)
def test_business_hours(client_factory, moment, expected):
    assert is_business_hours(client=client_factory(federal_state="BY"), at=moment) is expected


def test_webhook_channels_post_json_to_the_configured_urls(
    client_factory, contact_factory, policy_factory, on_call, stub_webhook, django_capture_on_commit_callbacks
):
    client = client_factory()
    phone_contact = contact_factory(client, phone="+49 170 1234567")
    policy_factory(
        client,
        [
            {
                "contacts": [phone_contact],
                "channel": NotificationChannel.OUTGOING_WEBHOOK,
                "webhook_url": stub_webhook.url,
                "wait_minutes": 5,
            },
            {"channel": NotificationChannel.CHAT_WEBHOOK, "webhook_url": stub_webhook.url, "wait_minutes": 5},
        ],
    )
    start = timezone.now()
    crisis = crisis_create(acting_user=on_call, client=client, title="Outage", now=start)
    crisis_escalation_start(crisis=crisis, acting_user=on_call, now=start)

    with django_capture_on_commit_callbacks(execute=True):
        crisis_escalate_due(now=start + timedelta(minutes=5))

    bodies = [json.loads(body) for body in stub_webhook.requests]
    sms = [body for body in bodies if body.get("to") == "+49 170 1234567"]
    chat = [body for body in bodies if set(body) == {"text"}]
    assert len(sms) == 1 and sms[0]["crisis_id"] == crisis.pk and "/crises/ack/" in sms[0]["acknowledge_url"]
    assert len(chat) == 1 and "Outage" in chat[0]["text"]


def test_failed_delivery_stays_pending_for_the_next_run(client_factory, contact_factory, policy_factory, on_call):
    client = client_factory()
    policy_factory(
        client,
        [{"channel": NotificationChannel.CHAT_WEBHOOK, "webhook_url": "http://127.0.0.1:9/nothing", "wait_minutes": 5}],
    )
    crisis = crisis_create(acting_user=on_call, client=client, title="x", now=timezone.now())
    crisis_escalation_start(crisis=crisis, acting_user=on_call, now=timezone.now())
    crisis_escalate_due(now=timezone.now())
    notification = Notification.objects.get(crisis=crisis)

    sent = notification_send(notification_id=notification.pk, now=timezone.now())

    notification.refresh_from_db()
    assert sent is False
    assert (notification.status, notification.attempts) == (Notification.Status.PENDING, 1)
    assert notification.last_error


def test_an_agency_recipients_signed_acknowledge_link_stops_the_escalation(client, ladder):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    crisis_escalate_due(now=start)  # the lead's alert, which names them
    recipient_key = f"user:{ladder['lead'].pk}"
    url = reverse(
        "crises:acknowledge", kwargs={"token": acknowledge_token(crisis_id=crisis.pk, recipient_key=recipient_key)}
    )

    shown = client.get(url)
    confirmed = client.post(url, headers={"Accept-Language": "en"})
    created_later = crisis_escalate_due(now=start + timedelta(hours=2))

    crisis.refresh_from_db()
    assert shown.status_code == 200 and confirmed.status_code == 200
    assert "No further people will be alerted." in confirmed.content.decode()
    assert crisis.acknowledged_at is not None and crisis.acknowledged_by == str(ladder["lead"])
    assert CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEvent.Kind.ACKNOWLEDGED).count() == 1
    assert created_later == 0


def test_an_agent_neither_sees_the_acknowledge_button_nor_may_acknowledge(client, ladder, agent_for):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    crisis_escalate_due(now=start)
    client.force_login(agent_for(crisis.client))
    acknowledge_path = reverse("crises:acknowledge_staff", args=[crisis.pk])

    page = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    refused = client.post(acknowledge_path)
    crisis_escalate_due(now=start + timedelta(minutes=10))

    crisis.refresh_from_db()
    assert acknowledge_path not in page and "Mark acknowledged" not in page
    assert "The shift lead on call or an admin acknowledges the escalation." in page
    assert refused.status_code == 403
    assert crisis.acknowledged_at is None
    assert not CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEvent.Kind.ACKNOWLEDGED).exists()
    assert _recipients(crisis) == sorted([str(ladder["lead"]), ladder["pr"].name])  # the client is still alerted


def test_the_acknowledge_service_refuses_an_agent(ladder, agent_for):
    crisis = ladder["crisis"]
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=timezone.now())
    agent = agent_for(crisis.client)

    with pytest.raises(PermissionDenied):
        crisis_acknowledge(crisis=crisis, by_label=str(agent), acting_user=agent, now=timezone.now())

    crisis.refresh_from_db()
    assert crisis.acknowledged_at is None


@pytest.mark.parametrize("role", [User.Role.SHIFT_LEAD, User.Role.ADMIN])
def test_a_shift_lead_or_admin_acknowledges_on_the_crisis_page(client, ladder, user_factory, role):
    crisis = ladder["crisis"]
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=timezone.now())
    leader = user_factory(role=role)
    client.force_login(leader)

    page = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    acknowledged = client.post(reverse("crises:acknowledge_staff", args=[crisis.pk]))

    crisis.refresh_from_db()
    assert "Mark acknowledged" in page
    assert acknowledged.status_code == 302
    assert crisis.acknowledged_by == str(leader)


def test_tampered_and_expired_acknowledge_links_are_refused(client, ladder, monkeypatch):
    crisis = ladder["crisis"]
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=timezone.now())
    token = acknowledge_token(crisis_id=crisis.pk, recipient_key="user:1")
    tampered = signing.dumps({"crisis": crisis.pk, "recipient": "user:1"}, salt="another-salt")
    monkeypatch.setattr("crises.escalation.ACKNOWLEDGE_MAX_AGE", timedelta(seconds=-1))

    expired = client.post(reverse("crises:acknowledge", kwargs={"token": token}))
    forged = client.post(reverse("crises:acknowledge", kwargs={"token": tampered}))

    crisis.refresh_from_db()
    assert (expired.status_code, forged.status_code) == (410, 400)
    assert crisis.acknowledged_at is None


def test_resolved_crisis_stops_escalating(ladder):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    Crisis.objects.filter(pk=crisis.pk).update(status=Crisis.Status.RESOLVED)

    assert crisis_escalate_due(now=start + timedelta(hours=1)) == 0


def test_escalation_clock_fires_and_sends_a_due_step_without_the_task_queue(ladder, django_capture_on_commit_callbacks):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        sent_now = escalation_clock_tick(now=start)
        sent_again = escalation_clock_tick(now=start + timedelta(minutes=9))

    first = Notification.objects.get(crisis=crisis)
    assert (sent_now, sent_again) == (1, 0)
    assert (first.status, first.recipient_label) == (Notification.Status.SENT, str(ladder["lead"]))
    assert queued == []  # nothing went through the task queue
    assert len(mail.outbox) == 1


def test_escalation_clock_leaves_retries_of_a_failed_send_to_the_periodic_task(ladder, settings):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    Notification.objects.create(
        crisis=crisis,
        step=crisis.client.escalation_policy.steps.get(position=2),
        recipient_key="contact:retry",
        recipient_label="Retry me",
        address="retry@example.com",
        channel=NotificationChannel.EMAIL,
        attempts=1,
    )

    escalation_clock_tick(now=start)

    retry = Notification.objects.get(recipient_key="contact:retry")
    assert (retry.status, retry.attempts) == (Notification.Status.PENDING, 1)


def test_an_sms_or_chat_alert_is_written_in_its_recipients_language(client_factory, shift_lead):
    crisis = crisis_create(
        acting_user=shift_lead, client=client_factory(name="Brauhaus"), title="Rückruf", now=timezone.now()
    )

    texts = {
        language: notification_text(notification=Notification(crisis=crisis, language=language), ack_url="https://ack")
        for language in ("de", "en")
    }

    assert texts["de"] == "[CommunityOps] Brauhaus: Rückruf (Schweregrad 2). Bestätigen: https://ack"
    assert texts["en"] == "[CommunityOps] Brauhaus: Rückruf (severity 2). Acknowledge: https://ack"


def test_the_crisis_page_names_the_steps_still_to_fire_and_when(client, ladder):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    client.force_login(ladder["lead"])

    running = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    crisis_acknowledge(crisis=crisis, by_label="Sam", acting_user=ladder["lead"], now=timezone.now())
    acknowledged = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()

    crisis.refresh_from_db()
    second_due = timezone.localtime(crisis.escalation_started_at + timedelta(minutes=10))
    third_due = timezone.localtime(crisis.escalation_started_at + timedelta(minutes=25))
    assert f"Step 2 at {second_due:%H:%M} by email: {ladder['pr'].name}" in running
    assert f"Step 3 at {third_due:%H:%M} by email: {ladder['legal'].name}, {ladder['boss'].name}" in running
    assert "Next, unless acknowledged" not in acknowledged


def test_a_pending_notification_to_another_clients_contact_is_refused_not_sent(ladder, client_factory, contact_factory):
    """Given a pending notification stored before steps were limited to the crisis's client, addressed
    to a contact of another client, when it is due to be sent, then nothing goes out and it says why."""
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    stranger = contact_factory(client_factory(name="Other GmbH"), name="Stranger")
    notification = Notification.objects.create(
        crisis=crisis,
        step=crisis.client.escalation_policy.steps.get(position=2),
        recipient_key=f"contact:{stranger.pk}",
        recipient_label=stranger.name,
        address=stranger.email,
        channel=NotificationChannel.EMAIL,
    )

    sent = notification_send(notification_id=notification.pk, now=start)
    again = notification_send(notification_id=notification.pk, now=start)

    notification.refresh_from_db()
    event = CrisisEvent.objects.get(crisis=crisis, kind=CrisisEvent.Kind.NOTIFICATION_FAILED)
    assert (sent, again) == (False, False)
    assert (notification.status, notification.sent_at) == (Notification.Status.REFUSED, None)
    assert "not one of the crisis's client" in notification.last_error
    assert stranger.email not in [address for message in mail.outbox for address in message.to]
    assert event.data == {"recipient": "Stranger", "refused": "contact_of_other_client"}
    with translation.override("en"):
        assert event_summary(event) == "to Stranger: not sent, not a contact of this crisis's client"


def test_a_pending_notification_to_the_clients_own_contact_is_still_sent(ladder):
    crisis, start = ladder["crisis"], timezone.now()
    crisis_escalation_start(crisis=crisis, acting_user=ladder["lead"], now=start)
    crisis_escalate_due(now=start + timedelta(minutes=10))
    notification = Notification.objects.get(crisis=crisis, recipient_key=f"contact:{ladder['pr'].pk}")

    sent = notification_send(notification_id=notification.pk, now=start + timedelta(minutes=10))

    notification.refresh_from_db()
    assert sent is True and notification.status == Notification.Status.SENT
    assert [message.to for message in mail.outbox] == [[ladder["pr"].email]]
