"""The on-call roster: only shift leads and admins hold a shift, shifts never overlap, and a shift
stored before that was checked never makes anyone else the one alerted to every client's crises."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from communityops.models import User
from crises.escalation import crisis_escalate_due
from crises.models import AgencyRole, Notification, OnCallShift
from crises.selectors import on_call_lead_now
from crises.services import crisis_create, crisis_escalation_start


@pytest.fixture
def foreign_contact(client_factory, contact_user_for):
    """A contact (with a portal login) of another client: never on call."""
    return contact_user_for(client_factory(name="Geheimbrauerei"))


def _shift_data(*, lead, starts_at, ends_at) -> dict:
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return {
        "lead": lead.pk,
        "starts_at_0": local_start.strftime("%Y-%m-%d"),
        "starts_at_1": local_start.strftime("%H:%M"),
        "ends_at_0": local_end.strftime("%Y-%m-%d"),
        "ends_at_1": local_end.strftime("%H:%M"),
        "label": OnCallShift.Label.NIGHT,
    }


def _hour(offset: int):
    return timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=offset)


def test_the_admin_offers_only_shift_leads_and_admins_as_holders(admin_http, shift_lead, foreign_contact, user_factory):
    agent = user_factory(role=User.Role.AGENT, first_name="Agnes")

    page = admin_http.get(reverse("admin:crises_oncallshift_add")).content.decode()

    assert f'value="{shift_lead.pk}"' in page
    assert f'value="{foreign_contact.pk}"' not in page and f'value="{agent.pk}"' not in page


@pytest.mark.parametrize("role", [User.Role.CLIENT_CONTACT, User.Role.AGENT])
def test_the_admin_refuses_a_shift_for_anyone_but_a_shift_lead_or_admin_by_name(admin_http, user_factory, role):
    holder = user_factory(role=role, first_name="Fritz", last_name="Fremd")

    response = admin_http.post(
        reverse("admin:crises_oncallshift_add"),
        _shift_data(lead=holder, starts_at=_hour(1), ends_at=_hour(9)),
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    assert "Fritz Fremd is not an active shift lead or admin: only they can be on call" in response.content.decode()
    assert not OnCallShift.objects.exists()


def test_the_admin_refuses_an_overlapping_shift_naming_the_shift_it_overlaps(admin_http, shift_lead, user_factory):
    OnCallShift.objects.create(lead=shift_lead, starts_at=_hour(1), ends_at=_hour(9), label=OnCallShift.Label.NIGHT)
    other_lead = user_factory(role=User.Role.SHIFT_LEAD)
    with translation.override("en"):
        start = date_format(timezone.localtime(_hour(1)), "SHORT_DATETIME_FORMAT")

    overlapping = admin_http.post(
        reverse("admin:crises_oncallshift_add"),
        _shift_data(lead=other_lead, starts_at=_hour(8), ends_at=_hour(12)),
        headers={"Accept-Language": "en"},
    )
    following = admin_http.post(
        reverse("admin:crises_oncallshift_add"), _shift_data(lead=other_lead, starts_at=_hour(9), ends_at=_hour(12))
    )

    assert overlapping.status_code == 200
    assert f"This shift overlaps the shift of {shift_lead} from {start} to " in overlapping.content.decode()
    assert following.status_code == 302
    assert list(OnCallShift.objects.order_by("starts_at").values_list("lead", flat=True)) == [
        shift_lead.pk,
        other_lead.pk,
    ]


def test_a_shift_may_be_moved_without_overlapping_itself(shift_lead):
    shift = OnCallShift.objects.create(lead=shift_lead, starts_at=_hour(1), ends_at=_hour(9), label="night")

    shift.ends_at = _hour(10)
    shift.full_clean()


def test_an_admin_may_hold_a_shift_an_inactive_shift_lead_may_not(user_factory):
    admin = user_factory(role=User.Role.ADMIN)
    retired = user_factory(role=User.Role.SHIFT_LEAD, is_active=False)

    OnCallShift(lead=admin, starts_at=_hour(1), ends_at=_hour(2), label="day").full_clean()
    with pytest.raises(ValidationError) as refused:
        OnCallShift(lead=retired, starts_at=_hour(3), ends_at=_hour(4), label="day").full_clean()

    assert refused.value.error_dict["lead"][0].code == "not_a_shift_lead"


def test_a_stored_shift_of_another_clients_contact_is_ignored_and_the_shift_lead_is_on_call(
    client, shift_lead, foreign_contact
):
    # Stored before the roster was checked: the contact's shift started last.
    now = timezone.now()
    OnCallShift.objects.create(lead=shift_lead, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6))
    OnCallShift.objects.create(
        lead=foreign_contact, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=6)
    )
    client.force_login(shift_lead)

    board = client.get("/crises/", headers={"Accept-Language": "en"}).content.decode()

    assert on_call_lead_now(at=now) == shift_lead
    assert str(shift_lead) in board and foreign_contact.email not in board


def test_a_stored_shift_of_an_agent_alone_means_nobody_is_on_call(user_factory):
    now = timezone.now()
    OnCallShift.objects.create(
        lead=user_factory(role=User.Role.AGENT), starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=6)
    )

    assert on_call_lead_now(at=now) is None


def test_the_holder_of_a_stored_invalid_shift_is_never_alerted(
    client_factory, contact_factory, policy_factory, shift_lead, foreign_contact
):
    now = timezone.now()
    OnCallShift.objects.create(lead=shift_lead, starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6))
    OnCallShift.objects.create(
        lead=foreign_contact, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=6)
    )
    brauhaus = client_factory(name="Brauhaus Isartal")
    policy_factory(brauhaus, [{"agency_roles": [AgencyRole.ON_CALL_LEAD]}])
    crisis = crisis_create(acting_user=shift_lead, client=brauhaus, title="Glass rumour", now=now)
    crisis_escalation_start(crisis=crisis, acting_user=shift_lead, now=now)

    crisis_escalate_due(now=now)

    assert list(Notification.objects.filter(crisis=crisis).values_list("address", flat=True)) == [shift_lead.email]
