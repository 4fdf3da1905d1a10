"""The pricing engine: hand-checked euros, Erlang C, and properties that must always hold."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.pricing import (
    CATEGORIES,
    PRESETS,
    WeeklyPattern,
    add_months,
    agents_needed,
    erlang_c,
    local_hours_of,
    price_coverage,
    service_level,
)

from .conftest import DEFAULTS, HOURS_ONLY, pricing_input

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)

# (case, windows, state, first day, day after, expected hours by category, expected net euros)
# One agent per covered hour at 42.00 EUR; the euros are worked out by hand in the comment.
HAND_CHECKED = [
    (
        "24 Dec 20-24 in Bavaria: 150 % + 25 % night",  # 4 h x 42 x 2.75
        [(THU, 20, 24)],
        "BY",
        date(2026, 12, 24),
        date(2026, 12, 25),
        {"special_holiday_night": 4},
        "462.00",
    ),
    (
        "24 Dec before 14:00 is an ordinary weekday",  # 12-14 plain, 14-16 at 150 %: 2 x 42 + 2 x 42 x 2.5
        [(THU, 12, 16)],
        "BY",
        date(2026, 12, 24),
        date(2026, 12, 25),
        {"weekday_day": 2, "special_holiday_day": 2},
        "294.00",
    ),
    (
        "31 Dec from 14:00 is paid as a holiday",  # 2 x 42 + 2 x 42 x 2.25
        [(THU, 12, 16)],
        "BY",
        date(2026, 12, 31),
        date(2027, 1, 1),
        {"weekday_day": 2, "holiday_day": 2},
        "273.00",
    ),
    (
        "Easter Sunday is a holiday in Brandenburg",  # 4 x 42 x 2.25
        [(SUN, 10, 14)],
        "BB",
        date(2026, 4, 5),
        date(2026, 4, 6),
        {"holiday_day": 4},
        "378.00",
    ),
    (
        "Easter Sunday is just a Sunday in Bavaria",  # 4 x 42 x 1.5
        [(SUN, 10, 14)],
        "BY",
        date(2026, 4, 5),
        date(2026, 4, 6),
        {"sunday_day": 4},
        "252.00",
    ),
    (
        "Whit Sunday is a holiday in Brandenburg",
        [(SUN, 10, 14)],
        "BB",
        date(2026, 5, 24),
        date(2026, 5, 25),
        {"holiday_day": 4},
        "378.00",
    ),
    (
        "Whit Sunday is just a Sunday in Berlin",
        [(SUN, 10, 14)],
        "BE",
        date(2026, 5, 24),
        date(2026, 5, 25),
        {"sunday_day": 4},
        "252.00",
    ),
    (
        "Corpus Christi is a holiday in North Rhine-Westphalia",  # 8 x 42 x 2.25
        [(THU, 9, 17)],
        "NW",
        date(2026, 6, 4),
        date(2026, 6, 5),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        "Corpus Christi is a working day in Berlin",  # 8 x 42
        [(THU, 9, 17)],
        "BE",
        date(2026, 6, 4),
        date(2026, 6, 5),
        {"weekday_day": 8},
        "336.00",
    ),
    (
        "8 March 2027 (a Monday) is Frauentag in Berlin",
        [(MON, 9, 17)],
        "BE",
        date(2027, 3, 8),
        date(2027, 3, 9),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        "8 March 2026 is a Sunday and a holiday in Berlin: the holiday rate only",  # 8 x 42 x 2.25
        [(SUN, 9, 17)],
        "BE",
        date(2026, 3, 8),
        date(2026, 3, 9),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        "8 March 2026 in Bavaria: a plain Sunday",  # 8 x 42 x 1.5
        [(SUN, 9, 17)],
        "BY",
        date(2026, 3, 8),
        date(2026, 3, 9),
        {"sunday_day": 8},
        "504.00",
    ),
    (
        "1 May: 150 %",  # 8 x 42 x 2.5
        [(FRI, 9, 17)],
        "HH",
        date(2026, 5, 1),
        date(2026, 5, 2),
        {"special_holiday_day": 8},
        "840.00",
    ),
    (
        "clocks go forward: 00-06 has only five hours",  # 5 x 42 x 1.75 (Sunday + night)
        [(SUN, 0, 6)],
        "BY",
        date(2026, 3, 29),
        date(2026, 3, 30),
        {"sunday_night": 5},
        "367.50",
    ),
    (
        "clocks go back: 00-06 has seven hours, 02:00 counts twice",  # 7 x 42 x 1.75
        [(SUN, 0, 6)],
        "BY",
        date(2026, 10, 25),
        date(2026, 10, 26),
        {"sunday_night": 7},
        "514.50",
    ),
    (
        "a 23:00-02:00 shift crossing midnight on a weekday",  # 42 x 1.25 + 2 x 42 x 1.40
        [(TUE, 23, 2)],
        "BY",
        date(2026, 3, 10),
        date(2026, 3, 12),
        {"weekday_night": 1, "weekday_deep_night": 2},
        "170.10",
    ),
    (
        "a shift from Sunday 23:00 keeps the Sunday rate until 04:00",  # 42 x 1.75 + 2 x 42 x 1.90
        [(SUN, 23, 2)],
        "BY",
        date(2026, 3, 15),
        date(2026, 3, 17),
        {"sunday_night": 1, "sunday_deep_night": 2},
        "233.10",
    ),
    (
        "00-02 without the hour before midnight is plain night",  # 2 x 42 x 1.25
        [(WED, 0, 2)],
        "BY",
        date(2026, 3, 11),
        date(2026, 3, 12),
        {"weekday_night": 2},
        "105.00",
    ),
    # --- where several rules meet (42.00 an hour; factor = 1 + day class + time band) ----------
    (
        "24 Dec 2028 is a Sunday: Sunday until 14:00, then 150 %",  # 2 x 42 x 1.5 + 2 x 42 x 2.5
        [(SUN, 12, 16)],
        "BY",
        date(2028, 12, 24),
        date(2028, 12, 25),
        {"sunday_day": 2, "special_holiday_day": 2},
        "336.00",
    ),
    (
        "31 Dec 2028 is a Sunday: Sunday until 14:00, then 125 %",  # 2 x 42 x 1.5 + 2 x 42 x 2.25
        [(SUN, 12, 16)],
        "BY",
        date(2028, 12, 31),
        date(2029, 1, 1),
        {"sunday_day": 2, "holiday_day": 2},
        "315.00",
    ),
    (
        "31 Dec 22-24: 125 % + 25 % night",  # 2 x 42 x 2.5
        [(THU, 22, 24)],
        "BY",
        date(2026, 12, 31),
        date(2027, 1, 1),
        {"holiday_night": 2},
        "210.00",
    ),
    (
        "1 May 2033 is a Sunday: 150 %, not 150 % + 50 %",  # 4 x 42 x 2.5
        [(SUN, 10, 14)],
        "BY",
        date(2033, 5, 1),
        date(2033, 5, 2),
        {"special_holiday_day": 4},
        "420.00",
    ),
    (
        "a Corpus Christi evening shift keeps 125 % + 40 % until 04:00",  # 2 x 42 x 2.5 + 4 x 42 x 2.65
        [(THU, 22, 4)],
        "NW",
        date(2026, 6, 4),
        date(2026, 6, 6),
        {"holiday_night": 2, "holiday_deep_night": 4},
        "655.20",
    ),
    (
        "26 Dec 22:00 to Sunday 27 Dec 04:00: 150 % carries, + 40 %",  # 2 x 42 x 2.75 + 4 x 42 x 2.9
        [(SAT, 22, 4)],
        "BY",
        date(2026, 12, 26),
        date(2026, 12, 28),
        {"special_holiday_night": 2, "special_holiday_deep_night": 4},
        "718.20",
    ),
    (
        "24 Dec 23:00 into Christmas Day",  # 42 x 2.75 + 2 x 42 x 2.9
        [(THU, 23, 2)],
        "BY",
        date(2026, 12, 24),
        date(2026, 12, 26),
        {"special_holiday_night": 1, "special_holiday_deep_night": 2},
        "359.10",
    ),
    (
        "31 Dec 23:00 into New Year's Day",  # 42 x 2.5 + 2 x 42 x 2.65
        [(THU, 23, 2)],
        "BY",
        date(2026, 12, 31),
        date(2027, 1, 2),
        {"holiday_night": 1, "holiday_deep_night": 2},
        "327.60",
    ),
    (
        "a 22:00-06:00 shift: 40 % stops at 04:00",  # 4 x 42 x 1.25 + 4 x 42 x 1.4
        [(TUE, 22, 6)],
        "BY",
        date(2026, 3, 10),
        date(2026, 3, 12),
        {"weekday_night": 4, "weekday_deep_night": 4},
        "445.20",
    ),
    (
        "clocks go forward under a shift from Saturday 23:00: 00-04 are three hours",  # 42 x 1.25 + 3 x 42 x 1.9
        [(SAT, 23, 4)],
        "BY",
        date(2026, 3, 28),
        date(2026, 3, 30),
        {"weekday_night": 1, "sunday_deep_night": 3},
        "291.90",
    ),
    (
        "clocks go back under a shift from Saturday 23:00: 00-04 are five hours",  # 42 x 1.25 + 5 x 42 x 1.9
        [(SAT, 23, 4)],
        "BY",
        date(2026, 10, 24),
        date(2026, 10, 26),
        {"weekday_night": 1, "sunday_deep_night": 5},
        "451.50",
    ),
    # --- what a shift is: a run of covered hours without a gap ------------------------------------
    (
        "a window at 03:00 after a Sunday evening is a shift of its own",  # 42 x 1.75 + 42 x 1.25
        [(SUN, 23, 24), (MON, 3, 4)],
        "BY",
        date(2026, 3, 15),
        date(2026, 3, 17),
        {"sunday_night": 1, "weekday_night": 1},
        "126.00",
    ),
    (
        "a break at 02:00 ends the shift that began on Sunday",  # 42 x 1.75 + 2 x 42 x 1.9 + 42 x 1.25
        [(SUN, 23, 2), (MON, 3, 4)],
        "BY",
        date(2026, 3, 15),
        date(2026, 3, 17),
        {"sunday_night": 1, "sunday_deep_night": 2, "weekday_night": 1},
        "285.60",
    ),
    (
        "a break at midnight: 01-03 is a shift begun after midnight",  # 3 x 42 x 1.25
        [(MON, 23, 24), (TUE, 1, 3)],
        "BY",
        date(2026, 3, 16),
        date(2026, 3, 18),
        {"weekday_night": 3},
        "157.50",
    ),
    # --- holidays of one state (8 x 42 x 2.25 = 756.00 on a holiday, 8 x 42 = 336.00 if not) -----
    (
        "Buß- und Bettag in Saxony",
        [(WED, 9, 17)],
        "SN",
        date(2026, 11, 18),
        date(2026, 11, 19),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        "Buß- und Bettag is a working day in Bavaria",
        [(WED, 9, 17)],
        "BY",
        date(2026, 11, 18),
        date(2026, 11, 19),
        {"weekday_day": 8},
        "336.00",
    ),
    (
        "Weltkindertag in Thuringia",
        [(MON, 9, 17)],
        "TH",
        date(2027, 9, 20),
        date(2027, 9, 21),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        "Frauentag in Mecklenburg-Western Pomerania since 2023",
        [(MON, 9, 17)],
        "MV",
        date(2027, 3, 8),
        date(2027, 3, 9),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        "no Frauentag in Mecklenburg-Western Pomerania in 2022",
        [(TUE, 9, 17)],
        "MV",
        date(2022, 3, 8),
        date(2022, 3, 9),
        {"weekday_day": 8},
        "336.00",
    ),
    (
        "Reformationstag 2017 was a holiday in Bavaria too",
        [(TUE, 9, 17)],
        "BY",
        date(2017, 10, 31),
        date(2017, 11, 1),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        "Reformationstag 2025 is a working day in Bavaria",
        [(FRI, 9, 17)],
        "BY",
        date(2025, 10, 31),
        date(2025, 11, 1),
        {"weekday_day": 8},
        "336.00",
    ),
    (
        "8 May 2025 (80 years since the end of the war) was a holiday in Berlin",
        [(THU, 9, 17)],
        "BE",
        date(2025, 5, 8),
        date(2025, 5, 9),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        "Mariä Himmelfahrt in Saarland",
        [(SAT, 9, 17)],
        "SL",
        date(2026, 8, 15),
        date(2026, 8, 16),
        {"holiday_day": 8},
        "756.00",
    ),
    (
        # A holiday only in Bavaria's mainly Catholic municipalities ("catholic" in the holidays
        # package, not "public"): the state's price does not assume it.
        "Mariä Himmelfahrt is not priced in Bavaria",
        [(SAT, 9, 17)],
        "BY",
        date(2026, 8, 15),
        date(2026, 8, 16),
        {"weekday_day": 8},
        "336.00",
    ),
    (
        "the Augsburger Friedensfest (Augsburg only) is not priced in Bavaria",
        [(SAT, 9, 17)],
        "BY",
        date(2026, 8, 8),
        date(2026, 8, 9),
        {"weekday_day": 8},
        "336.00",
    ),
]


@pytest.mark.parametrize(
    ("windows", "state", "start", "until", "hours", "net"),
    [case[1:] for case in HAND_CHECKED],
    ids=[case[0] for case in HAND_CHECKED],
)
def test_hand_checked_cases(windows, state, start, until, hours, net):
    quote = price_coverage(pricing_input(windows=windows, state=state, start=start, until=until), HOURS_ONLY)

    assert {name: count for name, count in quote.hours_by_category.items() if count} == hours
    assert quote.net == Decimal(net)
    assert quote.gross == (Decimal(net) * Decimal("1.19")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("carry_in", "hours"),
    [
        (False, {"weekday_night": 4, "weekday_day": 1}),
        # Sunday 31 May ran until midnight: Monday 00:00-04:00 is Sunday + 40 %, not priced itself
        (True, {"sunday_deep_night": 4, "weekday_day": 1}),
    ],
)
def test_a_carry_in_continues_the_shift_of_the_day_before(carry_in, hours):
    quote = price_coverage(
        pricing_input(
            windows=[(SUN, 23, 24), (MON, 0, 4), (MON, 9, 10)],
            start=date(2026, 6, 1),
            until=date(2026, 6, 2),
            carry_in=carry_in,
        ),
        HOURS_ONLY,
    )

    assert {name: count for name, count in quote.hours_by_category.items() if count} == hours


@pytest.mark.parametrize(
    ("holidays_covered", "hours"),
    [
        (False, {"weekday_night": 4}),  # Good Friday was not worked: no shift ran into Saturday
        (True, {"holiday_deep_night": 4}),  # Good Friday's class carries into Saturday 00:00-04:00
    ],
)
def test_a_carry_in_from_a_public_holiday(holidays_covered, hours):
    quote = price_coverage(
        pricing_input(
            windows=[(FRI, 23, 24), (SAT, 0, 4)],
            start=date(2026, 4, 4),
            until=date(2026, 4, 5),
            holidays_covered=holidays_covered,
            carry_in=True,
        ),
        HOURS_ONLY,
    )

    assert {name: count for name, count in quote.hours_by_category.items() if count} == hours


def test_uncovered_holidays_drop_the_hours():
    quote = price_coverage(
        pricing_input(
            windows=[(THU, 9, 17)], state="NW", start=date(2026, 6, 4), until=date(2026, 6, 5), holidays_covered=False
        ),
        HOURS_ONLY,
    )

    assert quote.covered_hours == 0
    assert quote.net == Decimal("0.00")


def test_fees_setup_and_vat_on_top_of_the_hours():
    # 462.00 for the hours, 2 channels x 90.00, on-call 350.00, setup 490.00 once.
    quote = price_coverage(
        pricing_input(
            windows=[(THU, 20, 24)],
            start=date(2026, 12, 24),
            until=date(2026, 12, 25),
            channels=2,
            crisis_on_call=True,
        ),
        DEFAULTS,
    )

    assert quote.net == Decimal("1482.00")
    assert quote.vat == Decimal("281.58")
    assert quote.gross == Decimal("1763.58")


def test_a_period_from_the_15th_charges_the_monthly_fees_once_per_contract_month():
    # Mondays 9-11 from 15 July 2027 for 12 months: 52 Mondays, 104 hours at 42.00 = 4,368.00;
    # surcharges 441.00 on the Bavarian holidays that fall on a Monday (All Saints, Easter and
    # Whit Monday at 125 %, 1 May at 150 %); 12 x 90.00 channel fees; setup 490.00.
    quote = price_coverage(
        pricing_input(windows=[(MON, 9, 11)], start=date(2027, 7, 15), months=12, holidays_covered=True), DEFAULTS
    )

    assert (quote.period_end, quote.contract_months, len(quote.months)) == (date(2028, 7, 15), 12, 13)
    assert [month.channel_fees for month in quote.months] == [Decimal("90.00")] * 12 + [Decimal("0.00")]
    assert quote.months[-1].covered_hours == 4  # 3 and 10 July 2028 complete the 12th contract month
    assert (quote.labour, quote.surcharges, quote.channel_fees) == (
        Decimal("4368.00"),
        Decimal("441.00"),
        Decimal("1080.00"),
    )
    assert quote.net == Decimal("6379.00")
    assert quote.monthly_average_net == Decimal("531.58")  # 6,379.00 / 12
    assert quote.monthly_recurring_net == Decimal("490.75")  # (6,379.00 - 490.00) / 12
    assert quote.to_dict()["contract_months"] == 12


def test_one_month_from_31_january_is_charged_one_months_fees():
    # 2, 9, 16 and 23 February: 8 hours at 42.00; one channel fee, one on-call fee, setup.
    quote = price_coverage(
        pricing_input(windows=[(MON, 9, 11)], start=date(2026, 1, 31), months=1, crisis_on_call=True), DEFAULTS
    )

    assert len(quote.months) == 2
    assert (quote.channel_fees, quote.crisis_fees) == (Decimal("90.00"), Decimal("350.00"))
    assert quote.net == Decimal("1266.00")  # 336.00 + 90.00 + 350.00 + 490.00
    assert quote.monthly_average_net == Decimal("1266.00")


def test_a_year_of_24_7_has_every_hour_once_and_the_dst_hours_right():
    quote = price_coverage(
        pricing_input(windows=[(day, 0, 24) for day in range(7)], start=date(2026, 1, 1)), HOURS_ONLY
    )

    assert quote.covered_hours == 365 * 24  # one hour lost in March, one gained in October
    assert len(quote.months) == 12
    assert [month.covered_hours for month in quote.months][2] == 31 * 24 - 1
    assert [month.covered_hours for month in quote.months][9] == 31 * 24 + 1


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),  # runs to 14 February
        (date(2026, 1, 28), 1, date(2026, 2, 28)),
        # BGB §188(3): no 29th-31st in February 2026, so the month ends with 28 February
        (date(2026, 1, 29), 1, date(2026, 3, 1)),
        (date(2026, 1, 31), 1, date(2026, 3, 1)),
        (date(2028, 1, 31), 1, date(2028, 3, 1)),  # to 29 February in a leap year
        (date(2026, 3, 31), 1, date(2026, 5, 1)),  # to 30 April
        (date(2028, 2, 29), 12, date(2029, 3, 1)),  # to 28 February 2029
        (date(2026, 8, 31), 6, date(2027, 3, 1)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 11, 30), 3, date(2027, 3, 1)),
    ],
)
def test_a_period_of_months_ends_as_bgb_188_counts(start, months, end):
    assert add_months(start, months) == end


def test_one_month_from_31_january_covers_all_of_february():
    quote = price_coverage(
        pricing_input(windows=[(day, 0, 24) for day in range(7)], start=date(2026, 1, 31), months=1), HOURS_ONLY
    )

    assert (quote.period_start, quote.period_end) == (date(2026, 1, 31), date(2026, 3, 1))
    assert quote.covered_hours == (1 + 28) * 24


def test_twelve_months_from_29_february_2028_are_a_whole_year():
    quote = price_coverage(
        pricing_input(windows=[(day, 0, 24) for day in range(7)], start=date(2028, 2, 29), months=12), HOURS_ONLY
    )

    assert quote.period_end == date(2029, 3, 1)
    # 29 Feb 2028 to 28 Feb 2029 are 366 days; one DST hour lost, one gained
    assert quote.covered_hours == 366 * 24


def test_local_hours_of_the_clock_change_days():
    assert local_hours_of(date(2026, 3, 29)) == (0, 1, *range(3, 24))
    assert local_hours_of(date(2026, 10, 25)) == (0, 1, 2, 2, *range(3, 24))
    assert local_hours_of(date(2026, 7, 1)) == tuple(range(24))


def test_windows_past_midnight_wrap_into_the_next_day():
    pattern = WeeklyPattern.from_windows([(SUN, 22, 2)])

    assert pattern.cells() == [(MON, 0), (MON, 1), (SUN, 22), (SUN, 23)]
    assert pattern.windows() == [(MON, 0, 2), (SUN, 22, 24)]


# --- Erlang C -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agents", "load", "expected"),
    [
        (1, 0.5, 0.5),  # M/M/1: P(wait) = utilisation
        (2, 1.0, 1 / 3),  # M/M/2 at 50 %: 1/3
        (3, 2.0, 4 / 9),
        # The textbook call-centre example (10 erlangs: 360 calls/h, 100 s handling):
        (11, 10.0, 0.6821),
        (12, 10.0, 0.4494),
        (13, 10.0, 0.2853),
        (14, 10.0, 0.1741),
    ],
)
def test_erlang_c_matches_known_values(agents, load, expected):
    assert erlang_c(agents, load) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize(
    ("agents", "expected_service_level"),
    # 10 erlangs, 180 s handling, answer within 20 s: 39.0 %, 64.0 %, 79.6 %, 88.8 % -> 14 agents for 80/20.
    [(11, 0.3896), (12, 0.6402), (13, 0.7956), (14, 0.8884)],
)
def test_service_level_matches_the_textbook_example(agents, expected_service_level):
    assert service_level(agents, 10.0, 3.0, 20 / 60) == pytest.approx(expected_service_level, abs=1e-4)


def test_agents_needed_meets_the_target_with_the_fewest_agents():
    # 200 arrivals/h x 3 min = 10 erlangs, answer 80 % within 20 s -> 14 agents (13 reach 79.6 %).
    assert agents_needed(200.0, 3.0, 20 / 60, 0.8) == 14
    assert agents_needed(0.0, 4.0, 60, 0.8) == 1


def test_erlang_c_is_stable_for_large_loads():
    probability = erlang_c(600, 580.0)

    assert 0 < probability < 1


def test_more_comments_need_more_agent_hours():
    quiet = price_coverage(pricing_input(windows=[(MON, 18, 22)], start=date(2026, 3, 1)), HOURS_ONLY)
    busy = price_coverage(
        pricing_input(windows=[(MON, 18, 22)], start=date(2026, 3, 1), comments_per_month=200_000), HOURS_ONLY
    )

    assert busy.agent_hours > quiet.agent_hours
    assert busy.net > quiet.net


# --- properties -----------------------------------------------------------------------------

masks = st.integers(min_value=0, max_value=(1 << 168) - 1)
states = st.sampled_from(["BY", "BE", "BB", "NW", "HH", "SN"])
starts = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 1))
inputs = st.fixed_dictionaries(
    {
        "federal_state": states,
        "holidays_covered": st.booleans(),
        "channels": st.integers(1, 10),
        "comments_per_month": st.integers(0, 50_000),
        "response_minutes": st.sampled_from([15, 30, 60, 240]),
        "crisis_on_call": st.booleans(),
        "start": starts,
        "months": st.integers(1, 3),
    }
)


@settings(max_examples=60, deadline=None)
@given(base=masks, extra=masks, fields=inputs)
def test_adding_coverage_never_lowers_the_price(base, extra, fields):
    from billing.pricing import PricingInput

    smaller = price_coverage(PricingInput(pattern=WeeklyPattern(base), **fields), DEFAULTS)
    larger = price_coverage(PricingInput(pattern=WeeklyPattern(base | extra), **fields), DEFAULTS)

    assert larger.net >= smaller.net
    assert larger.covered_hours >= smaller.covered_hours


@settings(max_examples=60, deadline=None)
@given(mask=masks, fields=inputs)
def test_total_equals_the_sum_of_its_breakdown(mask, fields):
    from billing.pricing import PricingInput

    quote = price_coverage(PricingInput(pattern=WeeklyPattern(mask), **fields), DEFAULTS)

    assert quote.net == sum(month.net for month in quote.months)
    assert quote.net == quote.labour + quote.surcharges + quote.channel_fees + quote.crisis_fees + quote.setup_fee
    assert quote.labour == sum(month.labour for month in quote.months)
    assert quote.surcharges == sum(month.surcharges for month in quote.months)
    assert quote.gross == quote.net + quote.vat
    assert quote.covered_hours == sum(month.covered_hours for month in quote.months)
    assert set(quote.hours_by_category) == set(CATEGORIES)
    assert all(amount == amount.quantize(Decimal("0.01")) for amount in (quote.net, quote.vat, quote.gross))


@settings(max_examples=200, deadline=None)
@given(mask=masks)
def test_the_windows_of_any_grid_are_valid_and_give_the_grid_back(mask):
    # The calculator sends hours of the grid; a saved quote stores them as windows.
    windows = WeeklyPattern(mask).windows()

    assert all(start < end for _weekday, start, end in windows)
    assert WeeklyPattern.from_windows(windows) == WeeklyPattern(mask)


def test_a_window_that_ends_where_it_starts_is_refused():
    with pytest.raises(ValueError, match="invalid window"):
        WeeklyPattern.from_windows([(MON, 9, 9)])


def test_presets_have_the_advertised_hours():
    assert PRESETS["office"].hours_per_week() == 40
    assert PRESETS["evenings"].hours_per_week() == 25
    assert PRESETS["weekends"].hours_per_week() == 48
    assert PRESETS["always"].hours_per_week() == 168
