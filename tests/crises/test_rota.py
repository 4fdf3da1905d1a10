"""The rota page: every staff member sees who is on call now and next; shift leads and admins add
and end shifts there (the admin is closed to them)."""

import contextlib
import threading
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation
from django.utils.formats import date_format

from communityops.models import User
from crises.models import OnCallShift
from crises.selectors import on_call_lead_now
from crises.services import on_call_shift_add

ENGLISH = {"Accept-Language": "en"}


def _hour(offset: int):
    return timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=offset)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _shift(lead, start: int, end: int) -> OnCallShift:
    return OnCallShift.objects.create(lead=lead, starts_at=_hour(start), ends_at=_hour(end), label="night")


def _form(*, lead, start: int, end: int) -> dict:
    return {"lead": lead.pk, "starts_at": _local(_hour(start)), "ends_at": _local(_hour(end)), "label": "evening"}


@pytest.fixture
def second_lead(user_factory):
    return user_factory(role=User.Role.SHIFT_LEAD, first_name="Sina", last_name="Spät")


def test_the_rota_shows_who_is_on_call_now_the_next_shifts_and_the_gaps(client, shift_lead, second_lead):
    _shift(shift_lead, -1, 3)
    _shift(second_lead, 5, 9)
    client.force_login(shift_lead)

    page = client.get("/crises/rota/", headers=ENGLISH).content.decode()

    with translation.override("en"):
        gap_from = date_format(timezone.localtime(_hour(3)), "WEEKDAY_DAY_TIME_FORMAT")
    assert f"<strong>{shift_lead}</strong>" in page
    assert page.index(str(shift_lead)) < page.index(f'<td class="when">{gap_from}</td>') < page.index(str(second_lead))
    assert page.count("nobody on call</span>") == 1 and "nobody on call from here on" in page
    assert 'id="add-shift"' in page and "End now" in page and "Take off the roster" in page


def test_the_crisis_board_links_to_the_rota(client, shift_lead):
    client.force_login(shift_lead)

    board = client.get("/crises/").content.decode()

    assert 'href="/crises/rota/" id="rota-link"' in board


def test_an_agent_reads_the_rota_but_cannot_change_it(client, agent_for, client_factory, shift_lead, second_lead):
    shift = _shift(shift_lead, -1, 3)
    client.force_login(agent_for(client_factory()))

    page = client.get("/crises/rota/", headers=ENGLISH)
    added = client.post("/crises/rota/add/", _form(lead=second_lead, start=3, end=9))
    ended = client.post(f"/crises/rota/{shift.pk}/end/")

    shift.refresh_from_db()
    assert page.status_code == 200 and str(shift_lead) in page.content.decode()
    assert 'id="add-shift"' not in page.content.decode() and "End now" not in page.content.decode()
    assert (added.status_code, ended.status_code) == (403, 403)
    assert OnCallShift.objects.count() == 1 and shift.ends_at == _hour(3)


def test_a_client_contact_has_no_rota(client, client_factory, contact_user_for):
    client.force_login(contact_user_for(client_factory()))

    assert client.get("/crises/rota/").status_code == 403


def test_a_shift_lead_puts_a_colleague_on_call(client, shift_lead, second_lead):
    client.force_login(shift_lead)

    response = client.post("/crises/rota/add/", _form(lead=second_lead, start=1, end=9), headers=ENGLISH)

    shift = OnCallShift.objects.get()
    assert response.status_code == 302 and response.url == "/crises/rota/"
    assert (shift.lead, shift.starts_at, shift.ends_at, shift.label) == (second_lead, _hour(1), _hour(9), "evening")
    assert on_call_lead_now(at=_hour(2)) == second_lead
    assert LogEntry.objects.get(object_id=str(shift.pk)).action_flag == ADDITION


def test_the_rota_refuses_an_overlapping_shift_naming_it(client, shift_lead, second_lead):
    _shift(shift_lead, 1, 9)
    client.force_login(shift_lead)

    response = client.post("/crises/rota/add/", _form(lead=second_lead, start=8, end=12), headers=ENGLISH)

    assert response.status_code == 400
    assert f"This shift overlaps the shift of {shift_lead} from " in response.content.decode()
    assert OnCallShift.objects.count() == 1


def test_the_rota_refuses_a_shift_for_a_client_contact(client, shift_lead, client_factory, contact_user_for):
    contact = contact_user_for(client_factory())
    client.force_login(shift_lead)

    page = client.get("/crises/rota/").content.decode()
    response = client.post("/crises/rota/add/", _form(lead=contact, start=1, end=9), headers=ENGLISH)

    assert f'value="{contact.pk}"' not in page
    assert response.status_code == 400
    assert f"{contact} is not an active shift lead or admin" in response.content.decode()
    assert not OnCallShift.objects.exists()


def test_ending_a_running_shift_ends_it_now_and_removing_an_upcoming_one_deletes_it(client, shift_lead, second_lead):
    running, upcoming = _shift(shift_lead, -1, 3), _shift(second_lead, 3, 9)
    client.force_login(shift_lead)

    client.post(f"/crises/rota/{running.pk}/end/")
    client.post(f"/crises/rota/{upcoming.pk}/end/")

    running.refresh_from_db()
    assert running.ends_at <= timezone.now()
    assert on_call_lead_now(at=timezone.now()) is None
    assert not OnCallShift.objects.filter(pk=upcoming.pk).exists()
    assert LogEntry.objects.get(object_id=str(running.pk)).action_flag == CHANGE


def test_ending_the_running_shift_asks_first_taking_off_an_upcoming_one_does_not(client, shift_lead, second_lead):
    _shift(shift_lead, -1, 3), _shift(second_lead, 3, 9)
    client.force_login(shift_lead)

    page = client.get("/crises/rota/").content.decode()

    assert page.count("data-confirm=") == 1
    assert "jetzt beenden? Bis zur nächsten Schicht ist niemand in Rufbereitschaft." in page
    assert "js/crises.js" in page


def test_a_shift_already_over_cannot_be_ended(client, shift_lead):
    over = _shift(shift_lead, -9, -1)
    client.force_login(shift_lead)

    response = client.post(f"/crises/rota/{over.pk}/end/", headers=ENGLISH, follow=True)

    over.refresh_from_db()
    assert "This shift is already over." in response.content.decode()
    assert over.ends_at == _hour(-1)


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_shifts_added_at_once_are_not_both_stored(user_factory, monkeypatch):
    # Each check waits (up to a second) for the other one to have checked as well: without the
    # roster lock both would pass and both shifts would be stored.
    leads = [user_factory(role=User.Role.SHIFT_LEAD, with_mfa=False) for _ in range(2)]
    both_checked = threading.Barrier(2, timeout=1)
    full_clean = OnCallShift.full_clean

    def full_clean_then_wait(shift, *args, **kwargs):
        full_clean(shift, *args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()

    monkeypatch.setattr(OnCallShift, "full_clean", full_clean_then_wait)
    refused: list[ValidationError] = []

    def add(lead: User, start: int) -> None:
        try:
            on_call_shift_add(
                acting_user=lead, lead=lead, starts_at=_hour(start), ends_at=_hour(start + 8), label="night"
            )
        except ValidationError as error:
            refused.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(lead, start)) for lead, start in zip(leads, (1, 5), strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert OnCallShift.objects.count() == 1
    assert [error.error_dict["__all__"][0].code for error in refused] == ["overlapping_shift"]
