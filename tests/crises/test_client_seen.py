"""A client contact's "seen" stops the alerts to the client's contacts, never the agency's escalation."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from communityops.models import ClientContact
from crises.escalation import acknowledge_token, crisis_escalate_due, notification_send
from crises.event_summaries import event_summary
from crises.models import AgencyRole, CrisisEvent, Notification
from crises.services import crisis_acknowledge, crisis_client_seen, crisis_create, crisis_escalation_start


@pytest.fixture
def ladder(client_factory, contact_user_for, contact_factory, policy_factory, on_call, user_factory):
    """Step 1: the on-call lead; step 2 (at 10 min): Markus; step 3 (at 20 min): Markus and all shift leads."""
    client = client_factory(name="Brauhaus Isartal")
    sabine_login = contact_user_for(client)
    sabine = ClientContact.objects.get(user=sabine_login)
    ClientContact.objects.filter(pk=sabine.pk).update(name="Sabine Huber")
    sabine.refresh_from_db()
    markus = contact_factory(client, name="Markus Graf")
    other_lead = user_factory(role="shift_lead", first_name="Ole")
    policy_factory(
        client,
        [
            {"agency_roles": [AgencyRole.ON_CALL_LEAD], "wait_minutes": 10},
            {"contacts": [markus], "wait_minutes": 10},
            {"contacts": [markus], "agency_roles": [AgencyRole.ALL_SHIFT_LEADS], "wait_minutes": 10},
        ],
    )
    start = timezone.now()
    crisis = crisis_create(acting_user=on_call, client=client, title="Glass rumour", severity=1, now=start)
    crisis_escalation_start(crisis=crisis, acting_user=on_call, now=start)
    crisis_escalate_due(now=start)
    return {
        "crisis": crisis,
        "start": start,
        "lead": on_call,
        "other_lead": other_lead,
        "sabine": sabine,
        "sabine_login": sabine_login,
        "markus": markus,
    }


def _alerted(crisis, position: int) -> set[str]:
    return set(
        Notification.objects.filter(crisis=crisis, step__position=position).values_list("recipient_key", flat=True)
    )


def test_a_contacts_seen_in_the_portal_stops_the_contacts_alerts_not_the_agencys_steps(client, ladder):
    """The walk's finding: Sabine presses "Seen – I'm on it" in the portal before her colleague's step;
    all shift leads must still be alerted, as nobody at the agency has acknowledged."""
    crisis, start = ladder["crisis"], ladder["start"]
    client.force_login(ladder["sabine_login"])
    portal = f"/crises/portal/{crisis.pk}/"

    before = client.get(portal, headers={"Accept-Language": "en"}).content.decode()
    pressed = client.post(reverse("crises:portal_acknowledge", args=[crisis.pk]))
    after = client.get(portal, headers={"Accept-Language": "en"}).content.decode()
    crisis_escalate_due(now=start + timedelta(minutes=10))
    crisis_escalate_due(now=start + timedelta(minutes=20))

    crisis.refresh_from_db()
    seen = crisis.events.get(kind=CrisisEvent.Kind.CLIENT_SEEN)
    assert "Seen – I’m on it" in before and pressed.status_code == 302
    assert "Seen – I’m on it" not in after and "Seen by Sabine Huber on " in after
    assert crisis.acknowledged_at is None and crisis.escalation_running
    assert (crisis.client_seen_by, seen.actor, seen.data) == ("Sabine Huber", ladder["sabine_login"], {"via": "portal"})
    assert _alerted(crisis, 2) == set()  # Markus alone: skipped
    assert crisis.events.filter(kind=CrisisEvent.Kind.STEP_SKIPPED, data__position=2).exists()
    assert _alerted(crisis, 3) == {f"user:{ladder['lead'].pk}", f"user:{ladder['other_lead'].pk}"}


def test_the_crisis_page_and_the_board_say_the_client_has_seen_it_and_what_still_fires(client, ladder):
    crisis, start = ladder["crisis"], ladder["start"]
    crisis_client_seen(crisis=crisis, contact=ladder["sabine"], via="portal", now=start + timedelta(minutes=1))
    client.force_login(ladder["lead"])

    page = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    german = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "de"}).content.decode()
    board = client.get("/crises/", headers={"Accept-Language": "en"}).content.decode()

    second_due = timezone.localtime(start + timedelta(minutes=10))
    third_due = timezone.localtime(start + timedelta(minutes=20))
    assert "Sabine Huber (client) has seen it" in page and "Sabine Huber (client) has seen it" in board
    assert "Sabine Huber (Kunde) hat die Krise gesehen" in german
    assert "Not acknowledged yet" in page and "Mark acknowledged" in page
    assert f"Step 2 at {second_due:%H:%M}: skipped, only the client's contacts" in page
    assert f"Step 3 at {third_due:%H:%M} by email: All shift leads</li>" in page  # Markus no longer
    assert (
        "in the client portal: the client&#x27;s contacts are not alerted again, the agency&#x27;s steps go on" in page
    )


def test_the_timeline_says_which_step_was_skipped_and_whom_a_step_left_out(ladder):
    crisis, start = ladder["crisis"], ladder["start"]
    crisis_client_seen(crisis=crisis, contact=ladder["sabine"], via="portal", now=start + timedelta(minutes=1))

    crisis_escalate_due(now=start + timedelta(minutes=20))

    skipped = crisis.events.get(kind=CrisisEvent.Kind.STEP_SKIPPED)
    third = crisis.events.get(kind=CrisisEvent.Kind.STEP_FIRED, data__position=3)
    with translation.override("en"):
        assert event_summary(skipped).startswith("step 2, due ")
        assert event_summary(skipped).endswith(
            ": it alerts only the client's contacts, and the client has seen the crisis"
        )
        assert event_summary(third).endswith(
            "; not to the client's contacts: Sabine Huber (client) has seen the crisis"
        )


def test_an_alert_to_a_contact_made_before_the_client_saw_it_is_not_sent(ladder):
    crisis, start = ladder["crisis"], ladder["start"]
    crisis_escalate_due(now=start + timedelta(minutes=10))  # step 2: Markus's alert is pending
    crisis_client_seen(crisis=crisis, contact=ladder["sabine"], via="portal", now=start + timedelta(minutes=10))
    pending = Notification.objects.get(crisis=crisis, recipient_key=f"contact:{ladder['markus'].pk}")

    sent = notification_send(notification_id=pending.pk, now=start + timedelta(minutes=10))

    pending.refresh_from_db()
    assert sent is False and pending.status == Notification.Status.CLIENT_SEEN
    assert mail.outbox == []


def test_a_contacts_signed_link_says_seen_and_does_not_end_the_escalation(client, ladder):
    crisis, markus = ladder["crisis"], ladder["markus"]
    token = acknowledge_token(crisis_id=crisis.pk, recipient_key=f"contact:{markus.pk}")
    url = reverse("crises:acknowledge", kwargs={"token": token})

    shown = client.get(url, headers={"Accept-Language": "en"}).content.decode()
    confirmed = client.post(url, headers={"Accept-Language": "en"}).content.decode()
    again = client.get(url, headers={"Accept-Language": "en"}).content.decode()

    crisis.refresh_from_db()
    assert "nobody else at Brauhaus Isartal is alerted" in shown and "The escalation then stops" not in shown
    assert "The agency knows you have seen it; nobody else at Brauhaus Isartal will be alerted." in confirmed
    assert "Markus Graf has already told the agency they have seen it." in again
    assert crisis.acknowledged_at is None and crisis.escalation_running
    assert crisis.client_seen_by == "Markus Graf"
    assert crisis.events.get(kind=CrisisEvent.Kind.CLIENT_SEEN).data == {"via": "alert_link"}


def test_the_escalation_mail_tells_a_contact_their_seen_stops_only_their_colleagues_alerts(
    ladder, django_capture_on_commit_callbacks
):
    start = ladder["start"]
    with django_capture_on_commit_callbacks(execute=True):
        crisis_escalate_due(now=start + timedelta(minutes=10))  # the lead's step 1 and Markus's step 2

    [to_contact] = [message for message in mail.outbox if message.to == [ladder["markus"].email]]
    [to_lead] = [message for message in mail.outbox if message.to == [ladder["lead"].email]]
    assert "Dann weiß die Agentur, dass Sie sich kümmern, und wir alarmieren niemanden sonst bei Brauhaus Isartal" in (
        to_contact.body
    )
    assert "Dann informieren wir niemanden weiter" not in to_contact.body
    assert "Dann informieren wir niemanden weiter" in to_lead.body


def test_the_acknowledge_service_refuses_a_client_contacts_login(ladder):
    with pytest.raises(PermissionDenied):
        crisis_acknowledge(
            crisis=ladder["crisis"], by_label="Sabine Huber", acting_user=ladder["sabine_login"], now=timezone.now()
        )


def test_the_api_says_when_and_who_of_the_client_has_seen_it(client, ladder):
    crisis = ladder["crisis"]
    seen_at = ladder["start"] + timedelta(minutes=3)
    crisis_client_seen(crisis=crisis, contact=ladder["sabine"], via="portal", now=seen_at)
    client.force_login(ladder["lead"])

    detail = client.get(f"/api/crises/{crisis.pk}/").json()

    assert detail["acknowledged_at"] is None
    assert (detail["client_seen_by"], detail["client_seen_at"]) == (
        "Sabine Huber",
        timezone.localtime(seen_at).isoformat(),
    )
