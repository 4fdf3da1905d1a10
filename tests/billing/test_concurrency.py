"""Billing's writes that two people can make at once take turns, and the second builds on the first."""

from datetime import date

import pytest

from billing.models import CoveragePlan, RateCard
from billing.pricing import WeeklyPattern
from billing.services import coverage_plan_create, rate_card_publish
from tests.threads import held_open, in_thread, wait_until_waiting_on_a_lock

OFFICE = [(day, 9, 17) for day in range(5)]


def plan_create(client, valid_from: date) -> CoveragePlan:
    return coverage_plan_create(
        acting_user=None,
        client=client,
        pattern=WeeklyPattern.from_windows(OFFICE),
        federal_state=client.federal_state,
        holidays_covered=False,
        response_minutes=60,
        valid_from=valid_from,
    )


@pytest.mark.django_db(transaction=True)
def test_two_plan_changes_for_one_client_at_once_both_land_in_turn(client_factory):
    acme = client_factory(name="Acme")
    plan_create(acme, date(2026, 1, 1))
    errors: list[BaseException] = []

    with held_open(lambda: plan_create(acme, date(2026, 3, 1)), errors):
        second = in_thread(lambda: plan_create(acme, date(2026, 6, 1)), errors)
        wait_until_waiting_on_a_lock(1, unless_done=second)
    second.join()

    assert errors == []
    plans = list(
        CoveragePlan.objects.filter(client=acme).order_by("valid_from").values_list("valid_from", "valid_until")
    )
    assert plans == [
        (date(2026, 1, 1), date(2026, 3, 1)),
        (date(2026, 3, 1), date(2026, 6, 1)),
        (date(2026, 6, 1), None),
    ]


@pytest.mark.django_db(transaction=True)
def test_two_rate_cards_published_at_once_take_the_next_two_versions():
    newest = RateCard.objects.order_by("-version").first()
    terms = {name: getattr(newest, name) for name in RateCard.TERM_FIELDS}
    errors: list[BaseException] = []

    with held_open(lambda: rate_card_publish(acting_user=None, terms=terms, note="first"), errors):
        second = in_thread(lambda: rate_card_publish(acting_user=None, terms=terms, note="second"), errors)
        wait_until_waiting_on_a_lock(1, unless_done=second)
    second.join()

    assert errors == []
    published = list(
        RateCard.objects.filter(version__gt=newest.version).order_by("version").values_list("note", flat=True)
    )
    assert published == ["first", "second"]
