"""The SLA clock and who is covered now: response time counts only inside booked hours."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from billing.coverage import CoverageStatus
from billing.models import BillingEvent, CoveragePlan
from billing.selectors import client_sla_due_at, clients_coverage_overview
from billing.services import PlanStartInThePast, QuoteAlreadyAccepted, quote_accept, quote_create
from communityops.models import Client, User

from .conftest import pricing_input

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = [(day, 9, 17) for day in range(5)]


def berlin(*args, fold=0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)


def coverage_now(client: Client, at: datetime) -> CoverageStatus:
    """The client's coverage at `at` as the dashboard and the reports see it."""
    [entry] = clients_coverage_overview(clients=[client], at=at)
    return entry.status


def test_without_a_plan_the_reply_is_due_after_60_minutes(client_factory):
    client = client_factory()

    assert client_sla_due_at(client=client, received_at=berlin(2026, 3, 10, 23, 10)) == berlin(2026, 3, 11, 0, 10)
    # 60 real minutes, also in the night the clocks go forward
    assert client_sla_due_at(client=client, received_at=berlin(2026, 3, 29, 1, 30)) == berlin(2026, 3, 29, 3, 30)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # inside coverage: plain arithmetic
        (berlin(2026, 3, 10, 10, 0), berlin(2026, 3, 10, 11, 0)),
        # 23:10 without night coverage: next start 09:00 plus the hour
        (berlin(2026, 3, 10, 23, 10), berlin(2026, 3, 11, 10, 0)),
        # half the hour today, the rest tomorrow morning
        (berlin(2026, 3, 10, 16, 30), berlin(2026, 3, 11, 9, 30)),
        # Friday afternoon rolls over the weekend
        (berlin(2026, 3, 13, 16, 50), berlin(2026, 3, 16, 9, 50)),
        # Saturday: Monday morning
        (berlin(2026, 3, 14, 12, 0), berlin(2026, 3, 16, 10, 0)),
    ],
)
def test_due_time_counts_only_covered_hours(client_factory, plan_factory, received, due):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE)

    assert client_sla_due_at(client=client, received_at=received) == due


def test_an_uncovered_public_holiday_is_skipped(client_factory, plan_factory):
    # Corpus Christi, Thursday 4 June 2026, is a holiday in Bavaria.
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE, holidays_covered=False)

    due = client_sla_due_at(client=client, received_at=berlin(2026, 6, 3, 16, 30))

    assert due == berlin(2026, 6, 5, 9, 30)


def test_a_covered_public_holiday_counts(client_factory, plan_factory):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE, holidays_covered=True)

    assert client_sla_due_at(client=client, received_at=berlin(2026, 6, 3, 16, 30)) == berlin(2026, 6, 4, 9, 30)


def test_the_missing_hour_in_march_is_not_covered_time(client_factory, plan_factory):
    # Sundays 00:00-03:00 booked; on 29 March 2026 02:00 does not exist, so after 30 minutes
    # (01:30-02:00) the clock stops until the next Sunday.
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=[(6, 0, 3)])

    due = client_sla_due_at(client=client, received_at=berlin(2026, 3, 29, 1, 30))

    assert due == berlin(2026, 4, 5, 0, 30)


def test_the_repeated_hour_in_october_is_covered_twice(client_factory, plan_factory):
    # Sundays 02:00-03:00 booked; on 25 October 2026 that hour happens twice.
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=[(6, 2, 3)])

    due = client_sla_due_at(client=client, received_at=datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST

    assert due == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the second one
    assert due.astimezone(BERLIN).hour == 2


def test_across_the_spring_night_real_time_counts(client_factory, plan_factory):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=[(day, 0, 24) for day in range(7)], response_minutes=60)

    due = client_sla_due_at(client=client, received_at=berlin(2026, 3, 29, 1, 30))

    assert due.astimezone(UTC) - berlin(2026, 3, 29, 1, 30).astimezone(UTC) == timedelta(minutes=60)
    assert due == berlin(2026, 3, 29, 3, 30)  # 01:30 CET + 1 h = 03:30 CEST


def test_the_plan_valid_on_the_arrival_date_applies(client_factory, plan_factory):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 1, 1))
    plan_factory(client=client, windows=[(day, 0, 24) for day in range(7)], valid_from=date(2026, 4, 1))
    client = Client.objects.get(pk=client.pk)

    assert client_sla_due_at(client=client, received_at=berlin(2026, 3, 10, 23, 10)) == berlin(2026, 3, 11, 10, 0)
    assert client_sla_due_at(client=client, received_at=berlin(2026, 4, 7, 23, 10)) == berlin(2026, 4, 8, 0, 10)


ALWAYS = [(day, 0, 24) for day in range(7)]


@pytest.mark.parametrize(
    ("before", "after", "received", "due"),
    [
        # Office hours until Friday 6 March 2026, around the clock from Saturday: Friday 18:00 is
        # after office hours, the new plan covers Saturday from midnight.
        (
            {"windows": OFFICE},
            {"windows": ALWAYS, "holidays_covered": True},
            berlin(2026, 3, 6, 18, 0),
            berlin(2026, 3, 7, 1, 0),
        ),
        # Around the clock until Friday, office hours from Saturday, 4 hours each: Friday
        # 23:00-24:00 under the old plan, the other 3 hours on Monday from 09:00 under the new one.
        (
            {"windows": ALWAYS, "response_minutes": 240},
            {"windows": OFFICE, "response_minutes": 240},
            berlin(2026, 3, 6, 23, 0),
            berlin(2026, 3, 9, 12, 0),
        ),
        # 60 minutes promised at 23:30 on Friday hold after the change to 4 hours: 30 minutes that
        # night, 30 on Monday morning.
        (
            {"windows": ALWAYS, "response_minutes": 60},
            {"windows": OFFICE, "response_minutes": 240},
            berlin(2026, 3, 6, 23, 30),
            berlin(2026, 3, 9, 9, 30),
        ),
    ],
    ids=["hours-open", "hours-close", "promise-on-arrival"],
)
def test_a_plan_change_while_an_item_waits_moves_its_due_time(
    client_factory, plan_factory, before, after, received, due
):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, valid_from=date(2026, 1, 1), **before)
    plan_factory(client=client, valid_from=date(2026, 3, 7), **after)
    client = Client.objects.get(pk=client.pk)

    assert client_sla_due_at(client=client, received_at=received) == due


def test_coverage_ends_where_a_plan_change_ends_it(client_factory, plan_factory):
    # Round the clock until Friday, office hours from Saturday 7 March: covered until midnight.
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=ALWAYS, valid_from=date(2026, 1, 1))
    plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 3, 7))

    noon = coverage_now(client, berlin(2026, 3, 6, 12, 0))

    assert (noon.covered, noon.covered_until) == (True, berlin(2026, 3, 7, 0, 0))


def test_overview_looks_past_a_plan_change_with_one_query(client_factory, plan_factory, django_assert_num_queries):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 1, 1))
    plan_factory(client=client, windows=ALWAYS, holidays_covered=True, valid_from=date(2026, 3, 7))

    with django_assert_num_queries(1):
        [entry] = clients_coverage_overview(clients=[client], at=berlin(2026, 3, 6, 18, 0))

    assert (entry.status.covered, entry.status.next_start, entry.plan.valid_from) == (
        False,
        berlin(2026, 3, 7, 0, 0),
        date(2026, 1, 1),
    )


def test_a_response_longer_than_three_weeks_of_coverage_counts_only_covered_hours(client_factory, plan_factory):
    # Mondays 10-11 only, 4 hours to answer: Mondays 9, 16, 23 and 30 March 2026.
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=[(0, 10, 11)], response_minutes=240)

    assert client_sla_due_at(client=client, received_at=berlin(2026, 3, 3, 12, 0)) == berlin(2026, 3, 30, 11, 0)


def test_uncovered_holidays_on_the_only_covered_weekday_push_the_due_time_on(client_factory, plan_factory):
    # Mondays 10-11 only; 25 December 2023 and 1 January 2024 are Mondays and holidays.
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=[(0, 10, 11)], response_minutes=240, valid_from=date(2023, 1, 1))

    due = client_sla_due_at(client=client, received_at=berlin(2023, 12, 19, 12, 0))

    assert due == berlin(2024, 1, 29, 11, 0)  # 8, 15, 22 and 29 January


def test_a_plan_without_covered_hours_makes_nothing_due(client_factory, plan_factory):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=[])

    assert client_sla_due_at(client=client, received_at=berlin(2026, 3, 3, 12, 0)) is None
    status = coverage_now(client, berlin(2026, 3, 3, 12, 0))
    assert (status.covered, status.covered_until, status.next_start) == (False, None, None)


def test_a_plan_without_covered_hours_waits_for_the_next_plan(client_factory, plan_factory):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=[], valid_from=date(2026, 1, 1))
    plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 6, 1))

    # Tuesday 3 March: nothing covered until Monday 1 June, 09:00.
    assert client_sla_due_at(client=client, received_at=berlin(2026, 3, 3, 12, 0)) == berlin(2026, 6, 1, 10, 0)


def test_many_items_of_one_client_cost_one_query(client_factory, plan_factory, django_assert_num_queries):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE)
    client = Client.objects.get(pk=client.pk)

    with django_assert_num_queries(1):
        for minute in range(50):
            client_sla_due_at(client=client, received_at=berlin(2026, 3, 10, 12, 0) + timedelta(minutes=minute))


def test_coverage_now_and_next_start(client_factory, plan_factory):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE)

    before = coverage_now(client, berlin(2026, 3, 13, 8, 15))
    during = coverage_now(client, berlin(2026, 3, 13, 10, 0))
    after = coverage_now(client, berlin(2026, 3, 13, 18, 0))

    assert (before.covered, before.next_start) == (False, berlin(2026, 3, 13, 9, 0))
    assert (during.covered, during.covered_until) == (True, berlin(2026, 3, 13, 17, 0))
    assert (after.covered, after.next_start) == (False, berlin(2026, 3, 16, 9, 0))


def test_overview_lists_covered_clients_first_with_one_query(client_factory, plan_factory, django_assert_num_queries):
    office = client_factory(name="Office", federal_state="BY")
    evenings = client_factory(name="Evenings", federal_state="BY")
    always = client_factory(name="Always", federal_state="BY")
    plan_factory(client=office, windows=OFFICE)
    plan_factory(client=evenings, windows=[(day, 17, 22) for day in range(5)])
    clients = [office, evenings, always]

    with django_assert_num_queries(1):
        overview = clients_coverage_overview(clients=clients, at=berlin(2026, 3, 13, 12, 0))

    assert [(entry.client.name, entry.status.covered, entry.has_plan) for entry in overview] == [
        ("Office", True, True),  # until 17:00
        ("Always", True, False),  # no plan: covered by the fallback, and the entry says so
        ("Evenings", False, True),
    ]
    assert overview[2].status.next_start == berlin(2026, 3, 13, 17, 0)


def test_a_new_plan_closes_the_open_one(client_factory, plan_factory):
    client = client_factory()
    first = plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 1, 1))

    second = plan_factory(client=client, windows=[(5, 10, 20)], valid_from=date(2026, 5, 1))

    first.refresh_from_db()
    assert first.valid_until == date(2026, 5, 1)
    assert second.valid_until is None
    assert BillingEvent.objects.filter(coverage_plan=first, kind=BillingEvent.Kind.PLAN_CLOSED).exists()


def test_accepting_a_quote_makes_it_the_clients_plan(client_factory, user_factory, plan_factory):
    client = client_factory(federal_state="NW")
    old = plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 1, 1))
    start = date(timezone.localdate().year + 1, 6, 1)
    quote = quote_create(
        pricing_input=pricing_input(
            windows=[(day, 17, 22) for day in range(5)], state="NW", start=start, response_minutes=30
        ),
        name="Prospect",
    )
    lead = user_factory(role=User.Role.SHIFT_LEAD)

    plan = quote_accept(acting_user=lead, quote=quote, client=client)

    old.refresh_from_db()
    quote.refresh_from_db()
    assert old.valid_until == start
    assert (plan.valid_from, plan.response_minutes, plan.federal_state) == (start, 30, "NW")
    assert plan.windows == [[day, 17, 22] for day in range(5)]
    assert plan.rate_card == quote.rate_card
    assert (quote.client, quote.accepted_by) == (client, lead)
    with pytest.raises(QuoteAlreadyAccepted):
        quote_accept(acting_user=lead, quote=quote, client=client)


def test_a_quote_is_not_accepted_into_the_past(client_factory, plan_factory, user_factory):
    today = timezone.localdate()
    client = client_factory(federal_state="BY")
    old = plan_factory(client=client, windows=OFFICE, valid_from=date(2025, 1, 1))
    quote = quote_create(pricing_input=pricing_input(windows=ALWAYS, start=today + timedelta(days=10)))

    with pytest.raises(PlanStartInThePast, match="kann nicht in der Vergangenheit beginnen"):
        quote_accept(
            acting_user=user_factory(role=User.Role.ADMIN),
            quote=quote,
            client=client,
            valid_from=today - timedelta(days=1),
        )

    old.refresh_from_db()
    quote.refresh_from_db()
    assert (old.valid_until, quote.accepted_at) == (None, None)
    assert CoveragePlan.objects.filter(client=client).count() == 1


def test_a_quote_whose_start_has_passed_starts_its_plan_today(client_factory, plan_factory, user_factory):
    today = timezone.localdate()
    client = client_factory(federal_state="BY")
    old = plan_factory(client=client, windows=OFFICE, valid_from=date(2025, 1, 1))
    quote = quote_create(pricing_input=pricing_input(windows=ALWAYS, start=today - timedelta(days=40)))

    plan = quote_accept(acting_user=user_factory(role=User.Role.ADMIN), quote=quote, client=client)

    old.refresh_from_db()
    assert (plan.valid_from, old.valid_until) == (today, today)
    event = BillingEvent.objects.get(quote=quote, kind=BillingEvent.Kind.QUOTE_ACCEPTED)
    assert event.data == {
        "valid_from": today.isoformat(),
        "quoted_start": (today - timedelta(days=40)).isoformat(),
    }


def test_a_quote_can_be_accepted_from_today(client_factory, user_factory):
    today = timezone.localdate()
    quote = quote_create(pricing_input=pricing_input(windows=ALWAYS, start=today + timedelta(days=10)))

    plan = quote_accept(
        acting_user=user_factory(role=User.Role.ADMIN), quote=quote, client=client_factory(), valid_from=today
    )

    assert plan.valid_from == today


def test_agents_may_not_accept_quotes(client_factory, user_factory):
    quote = quote_create(pricing_input=pricing_input(windows=OFFICE, start=date(2026, 6, 1)))

    with pytest.raises(PermissionError):
        quote_accept(acting_user=user_factory(role=User.Role.AGENT), quote=quote, client=client_factory())
    assert not CoveragePlan.objects.exists()


def test_quote_acceptance_counts_the_start_in_the_clients_days(client_factory, user_factory):
    """At 00:30 in Berlin (the agency) it is still the evening before in New York (the client)."""
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)  # Berlin: 25 November; New York: 24 November
    new_york, berlin = client_factory(time_zone="America/New_York"), client_factory(time_zone="Europe/Berlin")
    admin = user_factory(role=User.Role.ADMIN)
    quotes = [quote_create(pricing_input=pricing_input(windows=ALWAYS, start=date(2026, 12, 1))) for _ in range(2)]

    for_new_york = quote_accept(
        acting_user=admin, quote=quotes[0], client=new_york, valid_from=date(2026, 11, 24), now=now
    )
    with pytest.raises(PlanStartInThePast, match="25.11.2026"):
        quote_accept(acting_user=admin, quote=quotes[1], client=berlin, valid_from=date(2026, 11, 24), now=now)

    assert for_new_york.valid_from == date(2026, 11, 24)
    assert not CoveragePlan.objects.filter(client=berlin).exists()
