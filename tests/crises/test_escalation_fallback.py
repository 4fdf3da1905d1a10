"""An escalation always reaches someone: without a ladder for the crisis, the agency is alerted, and
the crisis page says so (and where an admin sets up the policy)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from communityops.models import User
from crises.escalation import (
    FALLBACK_REPEAT_MINUTES,
    FALLBACK_ROUNDS,
    POLICY_INACTIVE,
    POLICY_MISSING,
    POLICY_NO_STEP,
    crisis_escalate_due,
    escalation_clock_tick,
)
from crises.event_summaries import event_summary
from crises.models import CrisisEvent, EscalationPolicy, Notification, NotificationChannel, OnCallShift
from crises.services import crisis_acknowledge, crisis_create, crisis_escalation_start


def _fallback_events(crisis) -> list[dict]:
    return [
        event.data
        for event in CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEvent.Kind.STEP_FIRED)
        if event.data.get("fallback")
    ]


def _escalating_crisis(*, client, lead, severity: int = 2):
    start = timezone.now()
    crisis = crisis_create(acting_user=lead, client=client, title="Glass rumour", severity=severity, now=start)
    crisis_escalation_start(crisis=crisis, acting_user=lead, now=start)
    return crisis, start


def test_without_a_policy_the_shift_lead_on_call_is_alerted_and_reminded_until_acknowledged(client_factory, on_call):
    crisis, start = _escalating_crisis(client=client_factory(name="Brauhaus Isartal"), lead=on_call)
    every = timedelta(minutes=FALLBACK_REPEAT_MINUTES)

    created = [crisis_escalate_due(now=start + offset) for offset in (timedelta(0), every / 2, every, every)]
    escalation_clock_tick(now=start + every)
    crisis_acknowledge(crisis=crisis, by_label="Lead", acting_user=on_call, now=start + every + timedelta(minutes=1))
    after_acknowledgement = crisis_escalate_due(now=start + 3 * every)

    notifications = Notification.objects.filter(crisis=crisis).order_by("round")
    assert (created, after_acknowledgement) == ([1, 0, 1, 0], 0)
    assert [(n.round, n.step, n.address, n.status) for n in notifications] == [
        (1, None, on_call.email, Notification.Status.SENT),
        (2, None, on_call.email, Notification.Status.SENT),
    ]
    assert _fallback_events(crisis) == [
        {
            "fallback": POLICY_MISSING,
            "round": number,
            "channel": NotificationChannel.EMAIL,
            "due_at": (start + (number - 1) * every).isoformat(),
            "recipients": [str(on_call)],
        }
        for number in (1, 2)
    ]
    assert [message.to for message in mail.outbox] == [[on_call.email], [on_call.email]]
    assert "keine Eskalationsrichtlinie von Brauhaus Isartal" in mail.outbox[0].body
    assert "Erinnerung" not in mail.outbox[0].body
    assert (
        f"Bis jemand bestätigt, erinnern wir alle {FALLBACK_REPEAT_MINUTES} Minuten daran, "
        f"höchstens {FALLBACK_ROUNDS - 1}-mal." in mail.outbox[0].body
    )
    assert f"Erinnerung 1 von {FALLBACK_ROUNDS - 1}: Noch niemand hat diese Krise bestätigt." in mail.outbox[1].body


def test_the_fallback_reminders_stop_after_the_last_round_and_skip_rounds_missed_in_an_outage(client_factory, on_call):
    crisis, start = _escalating_crisis(client=client_factory(), lead=on_call)
    every = timedelta(minutes=FALLBACK_REPEAT_MINUTES)

    crisis_escalate_due(now=start)
    after_an_outage = crisis_escalate_due(now=start + 3 * every + timedelta(minutes=1))  # rounds 2-4 were due
    for number in range(5, FALLBACK_ROUNDS + 3):
        crisis_escalate_due(now=start + (number - 1) * every)

    rounds = list(Notification.objects.filter(crisis=crisis).order_by("round").values_list("round", flat=True))
    assert after_an_outage == 1
    assert rounds == [1, 4, *range(5, FALLBACK_ROUNDS + 1)]


def test_a_reminder_whose_turn_is_long_over_is_not_sent_late(client_factory, on_call):
    # The first run of rounds met old unacknowledged crises whose one alert went out before rounds
    # existed (its event without a round): they were sent "reminder 7" days later.
    crisis, start = _escalating_crisis(client=client_factory(), lead=on_call)
    crisis_escalate_due(now=start)
    event = CrisisEvent.objects.get(crisis=crisis, kind=CrisisEvent.Kind.STEP_FIRED)
    del event.data["round"]
    event.save(update_fields=["data"])
    every = timedelta(minutes=FALLBACK_REPEAT_MINUTES)

    days_later = crisis_escalate_due(now=start + timedelta(days=3))
    in_the_last_rounds_turn = crisis_escalate_due(now=start + FALLBACK_ROUNDS * every - timedelta(minutes=1))

    rounds = list(Notification.objects.filter(crisis=crisis).order_by("round").values_list("round", flat=True))
    assert (days_later, in_the_last_rounds_turn) == (0, 1)
    assert rounds == [1, FALLBACK_ROUNDS]


def test_a_reminder_goes_to_whoever_is_on_call_when_it_is_due(client_factory, on_call, user_factory):
    crisis, start = _escalating_crisis(client=client_factory(), lead=on_call)
    crisis_escalate_due(now=start)
    OnCallShift.objects.update(ends_at=start + timedelta(minutes=1))
    admin = user_factory(role=User.Role.ADMIN)

    crisis_escalate_due(now=start + timedelta(minutes=FALLBACK_REPEAT_MINUTES))

    assert sorted(Notification.objects.filter(crisis=crisis, round=2).values_list("address", flat=True)) == sorted(
        [on_call.email, admin.email]
    )
    with translation.override("en"):
        summary = event_summary(CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEvent.Kind.STEP_FIRED).last())
    assert summary.startswith("reminder 1, not acknowledged yet: no escalation policy applies: by email to ")


def test_the_escalation_task_sends_the_fallback_alert_in_the_same_run(
    client_factory, on_call, django_capture_on_commit_callbacks
):
    crisis, start = _escalating_crisis(client=client_factory(), lead=on_call)

    with django_capture_on_commit_callbacks(execute=True):
        crisis_escalate_due(now=start)

    assert [message.to for message in mail.outbox] == [[on_call.email]]
    assert Notification.objects.get(crisis=crisis).status == Notification.Status.SENT


def test_without_a_policy_and_nobody_on_call_every_shift_lead_and_admin_is_alerted(client_factory, user_factory):
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    admin = user_factory(role=User.Role.ADMIN)
    user_factory(role=User.Role.AGENT)
    user_factory(role=User.Role.SHIFT_LEAD, is_active=False)
    crisis, start = _escalating_crisis(client=client_factory(), lead=lead)

    crisis_escalate_due(now=start)

    assert sorted(Notification.objects.filter(crisis=crisis).values_list("address", flat=True)) == sorted(
        [lead.email, admin.email]
    )


@pytest.mark.parametrize(
    ("policy", "gap"),
    [
        ({"is_active": False, "steps": [{"wait_minutes": 10}]}, POLICY_INACTIVE),
        ({"is_active": True, "steps": [{"severities": [1]}]}, POLICY_NO_STEP),
    ],
)
def test_a_switched_off_policy_or_one_without_a_step_for_the_crisis_falls_back_as_well(
    client_factory, contact_factory, policy_factory, on_call, policy, gap
):
    client = client_factory()
    pr = contact_factory(client)
    made = policy_factory(client, [{**step, "contacts": [pr]} for step in policy["steps"]])
    EscalationPolicy.objects.filter(pk=made.pk).update(is_active=policy["is_active"])
    crisis, start = _escalating_crisis(client=client, lead=on_call, severity=2)

    crisis_escalate_due(now=start + timedelta(hours=2))

    assert list(Notification.objects.filter(crisis=crisis).values_list("address", "step")) == [(on_call.email, None)]
    assert [event["fallback"] for event in _fallback_events(crisis)] == [gap]


def test_a_first_step_with_nobody_on_call_alerts_every_shift_lead_and_admin(
    client_factory, contact_factory, policy_factory, user_factory
):
    lead, admin = user_factory(role=User.Role.SHIFT_LEAD), user_factory(role=User.Role.ADMIN)
    client = client_factory()
    pr = contact_factory(client)
    policy_factory(client, [{"contacts": [pr]}])
    crisis, start = _escalating_crisis(client=client, lead=lead)

    crisis_escalate_due(now=start)

    assert sorted(Notification.objects.filter(crisis=crisis).values_list("address", flat=True)) == sorted(
        [lead.email, admin.email, pr.email]
    )


def test_a_step_that_reaches_nobody_fires_once(client_factory, contact_factory, policy_factory, on_call):
    client = client_factory()
    no_phone = contact_factory(client, phone="")
    policy_factory(
        client,
        [
            {"wait_minutes": 10},
            {"contacts": [no_phone], "channel": NotificationChannel.OUTGOING_WEBHOOK, "webhook_url": "http://x.test/"},
        ],
    )
    crisis, start = _escalating_crisis(client=client, lead=on_call)

    for minutes in (0, 10, 11, 12):
        crisis_escalate_due(now=start + timedelta(minutes=minutes))

    fired = CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEvent.Kind.STEP_FIRED).order_by("pk")
    assert [(event.data["position"], event.data["recipients"]) for event in fired] == [(1, [str(on_call)]), (2, [])]


@pytest.fixture
def no_policy_crisis(client_factory, on_call):
    return crisis_create(
        acting_user=on_call, client=client_factory(name="Brauhaus Isartal"), title="Glass rumour", now=timezone.now()
    )


def test_the_crisis_page_says_the_client_has_no_policy_before_and_after_the_start(client, no_policy_crisis, on_call):
    client.force_login(on_call)
    english = {"Accept-Language": "en"}

    before = client.get(f"/crises/{no_policy_crisis.pk}/", headers=english).content.decode()
    started = client.post(reverse("crises:escalate", args=[no_policy_crisis.pk]), headers=english, follow=True)
    crisis_escalate_due(now=timezone.now())
    after = client.get(f"/crises/{no_policy_crisis.pk}/", headers=english).content.decode()

    note = "Brauhaus Isartal has no escalation policy."
    assert note in before and "The escalation alerts only the shift lead on call" in before
    assert "An admin sets up escalation policies in the administration." in before  # a shift lead has no admin
    assert (
        f"Escalation started. Brauhaus Isartal has no escalation policy that applies to this crisis: only {on_call} "
        "will be alerted, by email; the client&#x27;s contacts will not." in started.content.decode()
    )
    assert note in after and "No notifications yet." not in after
    assert re.search(rf'<td>without policy</td><td class="when">[^<]+</td><td>{on_call}</td>', after)
    assert f"reminds them every {FALLBACK_REPEAT_MINUTES} minutes until acknowledged" in before
    assert re.search(rf"Reminder 1 of {FALLBACK_ROUNDS - 1} at \d\d:\d\d by email, to the shift lead on call", after)
    assert f"no escalation policy applies: by email to {on_call}" in after


def test_an_admin_is_linked_to_set_up_the_clients_policy(admin_http, no_policy_crisis):
    page = admin_http.get(f"/crises/{no_policy_crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()
    form = admin_http.get(f"{reverse('admin:crises_escalationpolicy_add')}?client={no_policy_crisis.client_id}")

    add_url = f"{reverse('admin:crises_escalationpolicy_add')}?client={no_policy_crisis.client_id}"
    assert f'<a href="{add_url}">Set up an escalation policy</a>' in page
    assert f'<option value="{no_policy_crisis.client_id}" selected>' in form.content.decode()


def test_a_crisis_whose_client_has_a_policy_shows_no_note(client, client_factory, policy_factory, on_call):
    crisis = crisis_create(acting_user=on_call, client=client_factory(), title="x", now=timezone.now())
    policy_factory(crisis.client, [{"wait_minutes": 10}])
    client.force_login(on_call)

    page = client.get(f"/crises/{crisis.pk}/", headers={"Accept-Language": "en"}).content.decode()

    assert 'id="policy-gap"' not in page


def test_the_board_marks_crises_and_names_clients_without_an_active_policy(
    client, client_factory, policy_factory, on_call, django_assert_max_num_queries
):
    covered, uncovered = client_factory(name="Nordlicht Energie"), client_factory(name="Brauhaus Isartal")
    switched_off = client_factory(name="Rheinmode")
    policy_factory(covered, [{"wait_minutes": 10}])
    EscalationPolicy.objects.filter(pk=policy_factory(switched_off, [{"wait_minutes": 10}]).pk).update(is_active=False)
    for each in (covered, uncovered):
        crisis_create(acting_user=on_call, client=each, title=f"Fire at {each.name}", now=timezone.now())
    client.force_login(on_call)

    page = client.get("/crises/", headers={"Accept-Language": "en"}).content.decode()
    with django_assert_max_num_queries(12):
        partial = client.get("/crises/", headers={"HX-Request": "true", "Accept-Language": "en"}).content.decode()

    assert "<strong>Without an escalation policy:</strong> Brauhaus Isartal, Rheinmode</p>" in page
    assert '<td>Brauhaus Isartal <span class="badge warn">no escalation policy</span></td>' in partial
    assert "<td>Nordlicht Energie</td>" in partial


def test_the_admins_policy_list_names_the_clients_without_an_active_policy(admin_http, client_factory):
    client_factory(name="Brauhaus Isartal")
    client_factory(name="Stillgelegt GmbH", is_active=False)

    page = admin_http.get(reverse("admin:crises_escalationpolicy_changelist"), headers={"Accept-Language": "en"})

    assert "never the client&#x27;s contacts): Brauhaus Isartal</li>" in page.content.decode()


def test_a_notification_written_without_a_round_is_round_one(client_factory, on_call):
    # Code from before rounds, still running during a rolling deploy, inserts without the column.
    crisis, start = _escalating_crisis(client=client_factory(), lead=on_call)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Notification._meta.db_table}
                (crisis_id, recipient_key, recipient_label, address, channel, language, status, attempts,
                 last_error, created_at)
            VALUES (%s, 'chat', 'Chat', 'http://127.0.0.1:9/hook', 'email', 'de', 'pending', 0, '', %s)
            RETURNING round
            """,  # noqa: S608 - the table name is ours
            [crisis.pk, start],
        )
        assert cursor.fetchone() == (1,)


def test_a_policy_switched_off_mid_escalation_starts_the_fallback_at_its_first_alert(
    client_factory, on_call, policy_factory, contact_factory
):
    customer = client_factory(name="Brauhaus Isartal")
    policy = policy_factory(customer, [{"contacts": [contact_factory(customer, name="Sabine")]}])
    crisis, start = _escalating_crisis(client=customer, lead=on_call)
    every = timedelta(minutes=FALLBACK_REPEAT_MINUTES)
    crisis_escalate_due(now=start)  # the policy's step
    EscalationPolicy.objects.filter(pk=policy.pk).update(is_active=False)
    switched_off = start + 4 * every

    first = crisis_escalate_due(now=switched_off)
    escalation_clock_tick(now=switched_off)  # sends it
    too_soon = crisis_escalate_due(now=switched_off + every / 2)
    reminder = crisis_escalate_due(now=switched_off + every)

    fallback = Notification.objects.filter(crisis=crisis, step=None).order_by("round")
    assert (first, too_soon, reminder) == (1, 0, 1)
    # It said "Erinnerung 4 von 7" in its first mail: rounds counted from the escalation's start.
    assert [(n.round, n.created_at) for n in fallback] == [(1, switched_off), (2, switched_off + every)]
    first_mail = next(message for message in mail.outbox if message.to == [on_call.email])
    assert "Erinnerung" not in first_mail.body
