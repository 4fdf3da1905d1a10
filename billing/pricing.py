"""The pricing engine: pure, deterministic functions from a weekly coverage pattern to euros.

No database, no clock: everything arrives as arguments (the rate card as `RateTerms`),
so the calculator page, the JSON API, statements and the tests share one code path.

Rule set
========

Expansion
    The weekly pattern (a set of local wall-clock hours per weekday) is laid over the
    period day by day in the client's time zone (Europe/Berlin). Ordinary days have the
    local hours 0..23. On a day whose UTC offset changes, the hours are found by walking
    that day in UTC and converting each hour to local time: the last Sunday of March has
    23 hours (02:00 does not exist and is never counted), the last Sunday of October has
    25 (02:00 happens twice and, if covered, is counted twice).

Holidays
    Public holidays are those of the chosen federal state according to the `holidays`
    package (public category): e.g. Easter Sunday and Whit Sunday only in BB, Frauentag
    (8 March) only in BE, Corpus Christi in BW/BY/HE/NW/RP/SL. 24 and 31 December are not
    public holidays. If holidays are not covered, every pattern hour that falls on a public
    holiday of the state is dropped (24/31 December afternoons stay covered).

Classification of every covered hour (surcharges on the base hourly rate, §3b EStG)
    day class (highest applicable wins, they never add up):
        weekday                                          0 %
        Sunday                                          50 %
        public holiday of the state, 31 Dec from 14:00 125 %  (a holiday on a Sunday is the holiday)
        24 Dec from 14:00, 25 Dec, 26 Dec, 1 May       150 %
    time band (adds to the day class):
        day            06:00-20:00                       0 %
        night          20:00-06:00                      25 %
        deep night     00:00-04:00 when the previous day's 23:00 hour is also covered
                       (the shift began before midnight)  40 % instead of 25 %
    A shift is a run of covered hours without a gap: an uncovered hour after midnight ends
    the shift from the evening before, and a later window (Mon 03:00-04:00 after Sun
    23:00-24:00) began after midnight, so it is plain night.
    A deep-night hour also keeps the previous evening's day class if that is higher
    (Sunday 23:00 -> Monday 00:00-04:00 is paid as Sunday + 40 %), as §3b does for
    shifts that began before midnight.
    The day before the period is not priced. A quote starts with no shift running; a
    statement month inside a running plan (`carry_in`) looks at the last day of the month
    before, so the 1st's 00:00-04:00 are paid as they are in the quote.

Staffing (agents per covered hour)
    Expected comments per month are spread over the week with `ARRIVAL_PROFILE` (quiet
    nights, a peak in the evening, busier weekends; public holidays use the Sunday
    profile): arrivals per hour = comments * 12/52 * weight / sum of weights.
    Each covered hour gets the smallest number of agents N >= 1 for which an M/M/N
    queue (Erlang C) answers at least the rate card's service-level target (80 %) of the
    items within the promised response time. Comments that arrive outside covered hours
    are worked off by the first agents on shift and are not sized separately (sizing them
    would make adding coverage cheaper, which a price list must never do).

Money
    Agent-hours are integers; base labour = agent-hours * base rate is exact in cents.
    Surcharges are computed exactly (Decimal, no rounding) per calendar month and rounded
    to cents once there (half up): a month is what a statement bills, so each month of a
    quote is what its statement will say, and the period's total is the sum of the months.
    (Rounding the period's total instead drifts from the statements by up to half a cent
    a month when the rate makes sub-cent surcharges, e.g. 25 % of 42.50.) Fees are whole
    amounts: channels * per-channel fee and the crisis on-call fee once per contract month,
    the setup fee once in the first month. VAT is rounded once from the net total.

Contract months and calendar months
    A period of N months runs from the start to `add_months(start, N)` (BGB §188). Hours
    are shown and billed by calendar month, so a period that does not start on the 1st has
    N + 1 calendar-month rows: a partial first month from the start and a partial last one
    up to the end. The monthly fees are charged N times, once in each calendar month from
    the start month on; the last, partial calendar month finishes the N-th contract month
    and carries hours but no fees (as the monthly statement charges a plan's fees in the
    month it starts, in full). The monthly average divides by N.
"""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from communityops.public_holidays import public_holidays

CENT = Decimal("0.01")
HOURS_PER_WEEK = 168
WEEKS_PER_MONTH = 52 / 12
RESPONSE_TIME_CHOICES = (15, 30, 60, 240)
# Input limits shared by the calculator form and the API.
MAX_CHANNELS = 50
MAX_COMMENTS_PER_MONTH = 500_000
MAX_MONTHS = 36
LATEST_START = date(2099, 1, 1)
DEFAULT_TIME_ZONE = "Europe/Berlin"


# --- the weekly pattern --------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyPattern:
    """Covered local hours of a week as a 168-bit mask: bit weekday*24 + hour (Monday = 0)."""

    mask: int = 0

    @classmethod
    def from_cells(cls, cells: Iterable[tuple[int, int]]) -> WeeklyPattern:
        mask = 0
        for weekday, hour in cells:
            if not (0 <= weekday < 7 and 0 <= hour < 24):
                raise ValueError(f"no such hour of the week: {weekday}/{hour}")
            mask |= 1 << (weekday * 24 + hour)
        return cls(mask)

    @classmethod
    def from_windows(cls, windows: Iterable[tuple[int, int, int]]) -> WeeklyPattern:
        """Windows (weekday, start hour 0-23, end hour 1-24); an end before the start runs past
        midnight into the next weekday (Mon 23-2 covers Mon 23:00 to Tue 02:00). An end equal
        to the start is refused: it could mean no hour or 24, and a whole day is 0-24."""
        cells = []
        for weekday, start, end in windows:
            if not (0 <= weekday < 7 and 0 <= start < 24 and 0 <= end <= 24) or start == end:
                raise ValueError(f"invalid window: {weekday} {start}-{end}")
            length = end - start if end > start else end + 24 - start
            for offset in range(length):
                absolute = weekday * 24 + start + offset
                cells.append(((absolute // 24) % 7, absolute % 24))
        return cls.from_cells(cells)

    def covers(self, weekday: int, hour: int) -> bool:
        return bool(self.mask >> (weekday * 24 + hour) & 1)

    @property
    def covers_every_hour(self) -> bool:
        return self.mask == (1 << HOURS_PER_WEEK) - 1

    def cells(self) -> list[tuple[int, int]]:
        return [(bit // 24, bit % 24) for bit in range(HOURS_PER_WEEK) if self.mask >> bit & 1]

    def windows(self) -> list[tuple[int, int, int]]:
        """The same hours as contiguous (weekday, start, end) ranges within each day."""
        result = []
        for weekday in range(7):
            hour = 0
            while hour < 24:
                if self.covers(weekday, hour):
                    start = hour
                    while hour < 24 and self.covers(weekday, hour):
                        hour += 1
                    result.append((weekday, start, hour))
                hour += 1
        return result

    def hours_per_week(self) -> int:
        return self.mask.bit_count()

    def __or__(self, other: WeeklyPattern) -> WeeklyPattern:
        return WeeklyPattern(self.mask | other.mask)


PRESETS: dict[str, WeeklyPattern] = {
    "office": WeeklyPattern.from_windows((day, 9, 17) for day in range(5)),
    "evenings": WeeklyPattern.from_windows((day, 17, 22) for day in range(5)),
    "weekends": WeeklyPattern.from_windows((day, 0, 24) for day in (5, 6)),
    "always": WeeklyPattern.from_windows((day, 0, 24) for day in range(7)),
}


# --- classification ------------------------------------------------------------------------


class DayClass(IntEnum):
    """Ordered: a higher class wins where several apply."""

    WEEKDAY = 0
    SUNDAY = 1
    HOLIDAY = 2
    SPECIAL_HOLIDAY = 3


class TimeBand(IntEnum):
    DAY = 0
    NIGHT = 1
    DEEP_NIGHT = 2


CATEGORIES: tuple[str, ...] = tuple(
    f"{day_class.name.lower()}_{band.name.lower()}" for day_class in DayClass for band in TimeBand
)
SPECIAL_HOLIDAY_DATES = ((12, 25), (12, 26), (5, 1))
_DATES_WITH_OWN_CLASSES = frozenset({(12, 24), (12, 31), *SPECIAL_HOLIDAY_DATES})
# Time band of each local hour when it is not deep night: 20:00-06:00 is night.
_BAND_OF_HOUR = tuple(TimeBand.NIGHT if hour >= 20 or hour < 6 else TimeBand.DAY for hour in range(24))


@lru_cache(maxsize=64)
def _hour_classes(base: int, month: int, day: int) -> tuple[int, ...]:
    """Day class of each local hour 0..23 of a date, given the date's own class (plain ints: fast)."""
    if (month, day) in SPECIAL_HOLIDAY_DATES:
        return (int(DayClass.SPECIAL_HOLIDAY),) * 24
    if (month, day) == (12, 24):
        return (base,) * 14 + (int(DayClass.SPECIAL_HOLIDAY),) * 10
    if (month, day) == (12, 31):
        return (base,) * 14 + (max(base, int(DayClass.HOLIDAY)),) * 10
    return (base,) * 24


def hour_classes_key(day: date, holiday: bool) -> tuple[int, int, int]:
    """A small key that decides the day class of every hour of `day` (see `_hour_classes`)."""
    if holiday:
        base = DayClass.HOLIDAY
    elif day.weekday() == 6:
        base = DayClass.SUNDAY
    else:
        base = DayClass.WEEKDAY
    # Only 24/25/26 Dec, 31 Dec and 1 May differ by hour or class; other dates share one key.
    if (day.month, day.day) in _DATES_WITH_OWN_CLASSES:
        return int(base), day.month, day.day
    return int(base), 1, 2


@lru_cache(maxsize=32)
def _offset_change_dates(time_zone: str, year: int) -> frozenset[date]:
    """Dates of `year` whose local day is not 24 hours long (daylight-saving changes)."""
    zone = ZoneInfo(time_zone)
    changes = set()
    day = date(year, 1, 1)
    offset = zone.utcoffset(datetime(year, 1, 1))
    while day.year == year:
        following = day + timedelta(days=1)
        next_offset = zone.utcoffset(datetime(following.year, following.month, following.day))
        if next_offset != offset:
            changes.add(day)
        day, offset = following, next_offset
    return frozenset(changes)


_ORDINARY_DAY_HOURS = tuple(range(24))


def local_hours_of(day: date, time_zone: str = DEFAULT_TIME_ZONE) -> tuple[int, ...]:
    """The local wall-clock hours that happen on `day`, in order (23, 24 or 25 of them)."""
    if day not in _offset_change_dates(time_zone, day.year):
        return _ORDINARY_DAY_HOURS
    zone = ZoneInfo(time_zone)
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=zone).astimezone(UTC)
    hours = []
    moment = start
    while moment < end:
        hours.append(moment.astimezone(zone).hour)
        moment += timedelta(hours=1)
    return tuple(hours)


# --- staffing: Erlang C ---------------------------------------------------------------------

# Relative arrival weight per local hour (index 0 = 00:00-01:00) on a Monday; other days scale it.
_HOURLY_WEIGHTS = (
    0.30, 0.20, 0.15, 0.10, 0.10, 0.15, 0.30, 0.50, 0.70, 0.90, 0.90, 0.90,
    1.00, 1.00, 0.90, 0.90, 0.90, 1.10, 1.40, 1.40, 1.40, 1.40, 1.10, 0.70,
)  # fmt: skip
_DAY_FACTORS = (1.0, 1.0, 1.0, 1.0, 1.1, 1.25, 1.3)  # Mon..Sun: busier Friday and weekend
ARRIVAL_PROFILE: tuple[float, ...] = tuple(
    _DAY_FACTORS[weekday] * _HOURLY_WEIGHTS[hour] for weekday in range(7) for hour in range(24)
)
_PROFILE_TOTAL = sum(ARRIVAL_PROFILE)
SUNDAY = 6


def erlang_c(agents: int, load: float) -> float:
    """Probability that an arrival has to wait in an M/M/N queue (Erlang C).

    Uses the Erlang B recursion B(0) = 1, B(n) = A*B(n-1) / (n + A*B(n-1)), which never
    forms A**N or N! and so stays stable for large loads, then C = N*B / (N - A*(1 - B)).
    """
    if load <= 0:
        return 0.0
    if agents <= load:
        return 1.0
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = load * blocking / (n + load * blocking)
    return agents * blocking / (agents - load * (1 - blocking))


def service_level(agents: int, load: float, handling_minutes: float, response_minutes: float) -> float:
    """Share of arrivals answered within `response_minutes`: 1 - C * exp(-(N - A) * t / AHT)."""
    if load <= 0:
        return 1.0
    if agents <= load:
        return 0.0
    return 1 - erlang_c(agents, load) * math.exp(-(agents - load) * response_minutes / handling_minutes)


@lru_cache(maxsize=4096)
def agents_needed(arrivals_per_hour: float, handling_minutes: float, response_minutes: int, target: float) -> int:
    """The smallest number of agents (at least 1) that meets the service-level target."""
    load = arrivals_per_hour * handling_minutes / 60
    agents = max(1, math.floor(load) + 1)
    while service_level(agents, load, handling_minutes, response_minutes) < target:
        agents += 1
    return agents


@lru_cache(maxsize=256)
def staffing_table(
    comments_per_month: int, handling_minutes: float, response_minutes: int, target: float
) -> tuple[int, ...]:
    """Agents needed for each hour of the week (168 entries, Monday 00:00 first)."""
    weekly = comments_per_month / WEEKS_PER_MONTH
    return tuple(
        agents_needed(round(weekly * weight / _PROFILE_TOTAL, 6), handling_minutes, response_minutes, target)
        for weight in ARRIVAL_PROFILE
    )


# --- rates, input, output -------------------------------------------------------------------


@dataclass(frozen=True)
class RateTerms:
    """The numbers of one rate card version, detached from the database."""

    version: int
    base_hourly_rate: Decimal
    night_pct: Decimal
    deep_night_pct: Decimal
    sunday_pct: Decimal
    holiday_pct: Decimal
    special_holiday_pct: Decimal
    channel_monthly_fee: Decimal
    setup_fee: Decimal
    crisis_on_call_monthly_fee: Decimal
    handling_minutes_per_item: Decimal
    service_level_target_pct: Decimal
    vat_pct: Decimal

    def surcharge_pct(self, category: int) -> Decimal:
        day_class, band = divmod(category, 3)
        day_pct = (Decimal(0), self.sunday_pct, self.holiday_pct, self.special_holiday_pct)[day_class]
        band_pct = (Decimal(0), self.night_pct, self.deep_night_pct)[band]
        return day_pct + band_pct


# A quote's terms besides its hours and its start, by name: the same in PricingInput, a saved
# quote's JSON, the API's input and the calculator's form (PricingInput.from_fields, to_dict).
QUOTE_TERMS = (
    "federal_state",
    "holidays_covered",
    "channels",
    "comments_per_month",
    "response_minutes",
    "crisis_on_call",
    "months",
)


@dataclass(frozen=True)
class PricingInput:
    pattern: WeeklyPattern
    federal_state: str
    holidays_covered: bool
    channels: int
    comments_per_month: int
    response_minutes: int
    crisis_on_call: bool
    start: date
    months: int = 12
    time_zone: str = DEFAULT_TIME_ZONE
    until: date | None = None  # an explicit end (exclusive) instead of `months`, for statements
    # The same coverage ran the day before `start` (a statement month of a running plan): its covered
    # 23:00 hour makes the start's 00:00-04:00 deep night. That day is only looked at, never priced.
    carry_in: bool = False

    @property
    def contract_months(self) -> int:
        """How many months the period has: `months`, or for an explicit end the months begun before it."""
        if self.until is None:
            return self.months
        count = 0
        while add_months(self.start, count) < self.until:
            count += 1
        return count

    @property
    def end(self) -> date:
        """The first day after the period (`months` months from the start, see add_months; or `until`)."""
        return self.until or add_months(self.start, self.months)

    def to_dict(self) -> dict:
        """JSON-safe form, as stored with a saved quote and accepted by the API."""
        return {
            "coverage": [
                {"weekday": weekday, "start_hour": start, "end_hour": end}
                for weekday, start, end in self.pattern.windows()
            ],
            **{name: getattr(self, name) for name in QUOTE_TERMS},
            "start": self.start.isoformat(),
        }

    @classmethod
    def from_fields(cls, data: Mapping, *, pattern: WeeklyPattern, start: date) -> PricingInput:
        """A quote's input: its terms taken by name from `data` (QUOTE_TERMS; other keys are ignored),
        the hours and the start given already parsed (each source holds them its own way)."""
        return cls(pattern=pattern, start=start, **{name: data[name] for name in QUOTE_TERMS})

    @classmethod
    def from_dict(cls, data: dict) -> PricingInput:
        return cls.from_fields(
            data,
            pattern=WeeklyPattern.from_windows(
                (window["weekday"], window["start_hour"], window["end_hour"]) for window in data["coverage"]
            ),
            start=date.fromisoformat(data["start"]),
        )


@dataclass(frozen=True)
class MonthBreakdown:
    month: date  # first day of the month (or the period start in a partial first month)
    hours: dict[str, int]
    agent_hours: int
    labour: Decimal
    surcharges: Decimal
    channel_fees: Decimal
    crisis_fee: Decimal
    setup_fee: Decimal

    @property
    def covered_hours(self) -> int:
        return sum(self.hours.values())

    @property
    def net(self) -> Decimal:
        return self.labour + self.surcharges + self.channel_fees + self.crisis_fee + self.setup_fee


@dataclass(frozen=True)
class PriceQuote:
    rate_card_version: int
    months: tuple[MonthBreakdown, ...]
    hours_by_category: dict[str, int]
    agent_hours_by_category: dict[str, int]
    surcharge_pct_by_category: dict[str, Decimal]
    peak_agents: int
    labour: Decimal
    surcharges: Decimal
    channel_fees: Decimal
    crisis_fees: Decimal
    setup_fee: Decimal
    net: Decimal
    vat_pct: Decimal
    vat: Decimal
    gross: Decimal
    monthly_average_net: Decimal
    monthly_recurring_net: Decimal
    period_start: date
    period_end: date
    contract_months: int  # N of "N months"; `months` has one more row when the start is not the 1st

    @property
    def covered_hours(self) -> int:
        return sum(self.hours_by_category.values())

    @property
    def agent_hours(self) -> int:
        return sum(self.agent_hours_by_category.values())

    def to_dict(self) -> dict:
        """JSON-safe form (money as strings with two decimals), the shape the API returns."""
        return {
            "rate_card_version": self.rate_card_version,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "contract_months": self.contract_months,
            "months": [
                {
                    "month": month.month.isoformat(),
                    "hours": dict(month.hours),
                    "covered_hours": month.covered_hours,
                    "agent_hours": month.agent_hours,
                    "labour": str(month.labour),
                    "surcharges": str(month.surcharges),
                    "channel_fees": str(month.channel_fees),
                    "crisis_fee": str(month.crisis_fee),
                    "setup_fee": str(month.setup_fee),
                    "net": str(month.net),
                }
                for month in self.months
            ],
            "categories": [
                {
                    "category": name,
                    "hours": self.hours_by_category[name],
                    "agent_hours": self.agent_hours_by_category[name],
                    "surcharge_pct": str(self.surcharge_pct_by_category[name]),
                }
                for name in CATEGORIES
            ],
            "covered_hours": self.covered_hours,
            "agent_hours": self.agent_hours,
            "peak_agents": self.peak_agents,
            "labour": str(self.labour),
            "surcharges": str(self.surcharges),
            "channel_fees": str(self.channel_fees),
            "crisis_fees": str(self.crisis_fees),
            "setup_fee": str(self.setup_fee),
            "net": str(self.net),
            "vat_pct": str(self.vat_pct),
            "vat": str(self.vat),
            "gross": str(self.gross),
            "monthly_average_net": str(self.monthly_average_net),
            "monthly_recurring_net": str(self.monthly_recurring_net),
        }


def add_months(day: date, months: int) -> date:
    """The first day after a period of `months` months that begins on `day` (BGB §188(2), (3)).

    The period ends before the day with the same number `months` later; where that month has no
    such day, it ends with the month's last day: a month from 31 January runs to 28 February
    (the result is 1 March), twelve months from 29 February 2028 to 28 February 2029.
    """
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    if day.day <= 28 or day.day <= monthrange(year, month)[1]:
        return date(year, month, day.day)
    return date(year + month // 12, month % 12 + 1, 1)


def first_of_next_month(today: date) -> date:
    return add_months(today.replace(day=1), 1)


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# --- the engine ----------------------------------------------------------------------------


def _expand(pricing: PricingInput, staffing: tuple[int, ...]):
    """Covered hours and agent-hours per category and month over the period.

    Returns (month starts, hours[month][category], agent-hours[month][category], peak agents).
    Ordinary days are classified once per distinct (weekday, hour classes, evening before)
    and afterwards only added up, which keeps a year of 24/7 at about a millisecond.
    """
    pattern = pricing.pattern
    state = pricing.federal_state
    count = len(CATEGORIES)
    month_starts: list[date] = []
    hours_by_month: list[list[int]] = []
    agents_by_month: list[list[int]] = []
    day_cache: dict[tuple, tuple[tuple[tuple[int, int, int], ...], int | None, int]] = {}
    peak = 0
    # Class of yesterday's 23:00 hour if it was covered.
    previous_23 = _evening_class(pricing, pricing.start - timedelta(days=1)) if pricing.carry_in else None
    month_key = None
    month_hours: list[int] = []
    month_agents: list[int] = []
    day = pricing.start
    end = pricing.end
    one_day = timedelta(days=1)
    year = None
    year_holidays: frozenset[date] = frozenset()
    year_changes: frozenset[date] = frozenset()
    while day < end:
        if (day.year, day.month) != month_key:
            month_key = (day.year, day.month)
            month_starts.append(day)
            month_hours, month_agents = [0] * count, [0] * count
            hours_by_month.append(month_hours)
            agents_by_month.append(month_agents)
            if day.year != year:
                year = day.year
                year_holidays = public_holidays(state, year)
                year_changes = _offset_change_dates(pricing.time_zone, year)
        holiday = day in year_holidays
        if holiday and not pricing.holidays_covered:
            previous_23 = None
            day += one_day
            continue
        weekday = day.weekday()
        classes_key = hour_classes_key(day, holiday)
        profile_day = SUNDAY if holiday else weekday
        # Days with a daylight-saving change are rare: they key on their own hour list.
        if day in year_changes:
            local_hours = hours_key = local_hours_of(day, pricing.time_zone)
        else:
            local_hours, hours_key = _ORDINARY_DAY_HOURS, None
        key = (weekday, classes_key, previous_23, profile_day, hours_key)
        cached = day_cache.get(key)
        if cached is None:
            cached = _classify_day(
                pattern, staffing, weekday, _hour_classes(*classes_key), previous_23, profile_day, local_hours
            )
            day_cache[key] = cached
        contributions, previous_23, day_peak = cached
        for category, hours, agent_hours in contributions:
            month_hours[category] += hours
            month_agents[category] += agent_hours
        if day_peak > peak:
            peak = day_peak
        day += one_day
    return month_starts, hours_by_month, agents_by_month, peak


def _evening_class(pricing: PricingInput, day: date) -> int | None:
    """The day class of `day`'s 23:00 hour if the pattern covers it there (what _expand carries over)."""
    holiday = day in public_holidays(pricing.federal_state, day.year)
    if holiday and not pricing.holidays_covered:
        return None
    if not pricing.pattern.covers(day.weekday(), 23) or 23 not in local_hours_of(day, pricing.time_zone):
        return None
    return _hour_classes(*hour_classes_key(day, holiday))[23]


def _classify_day(
    pattern: WeeklyPattern,
    staffing: tuple[int, ...],
    weekday: int,
    classes: tuple[int, ...],
    previous_23: int | None,
    profile_day: int,
    local_hours: tuple[int, ...],
) -> tuple[tuple[tuple[int, int, int], ...], int | None, int]:
    """(category, hours, agent-hours) of one day, the class of its 23:00 hour if covered, peak agents."""
    day_bits = pattern.mask >> (weekday * 24) & 0xFFFFFF
    staff_offset = profile_day * 24
    totals: dict[int, list[int]] = {}
    peak = 0
    # The shift from yesterday evening runs on until the first uncovered hour.
    shift_from_yesterday = previous_23 is not None
    for hour in local_hours:
        if not day_bits >> hour & 1:
            shift_from_yesterday = False
            continue
        day_class = classes[hour]
        if shift_from_yesterday and hour < 4:
            category = max(day_class, previous_23) * 3 + TimeBand.DEEP_NIGHT
        else:
            category = day_class * 3 + _BAND_OF_HOUR[hour]
        agents = staffing[staff_offset + hour]
        entry = totals.get(category)
        if entry is None:
            totals[category] = [1, agents]
        else:
            entry[0] += 1
            entry[1] += agents
        if agents > peak:
            peak = agents
    contributions = tuple((category, hours, agents) for category, (hours, agents) in sorted(totals.items()))
    covers_23 = day_bits >> 23 & 1 and 23 in local_hours
    return contributions, classes[23] if covers_23 else None, peak


def price_coverage(pricing: PricingInput, rates: RateTerms, *, include_setup_fee: bool = True) -> PriceQuote:
    """Price a coverage pattern over its period with one rate card version."""
    staffing = staffing_table(
        pricing.comments_per_month,
        float(rates.handling_minutes_per_item),
        pricing.response_minutes,
        float(rates.service_level_target_pct) / 100,
    )
    month_starts, hours_by_month, agents_by_month, peak = _expand(pricing, staffing)
    surcharge_factors = [rates.surcharge_pct(category) / 100 for category in range(len(CATEGORIES))]

    # Rounded once per calendar month, as the month's statement rounds it (see the rule set).
    surcharges_by_month = [
        to_cents(
            sum((rates.base_hourly_rate * agents * surcharge_factors[c] for c, agents in enumerate(row)), Decimal(0))
        )
        for row in agents_by_month
    ]
    total_surcharges = sum(surcharges_by_month, Decimal("0.00"))
    channel_fee = to_cents(rates.channel_monthly_fee * pricing.channels)
    crisis_fee = to_cents(rates.crisis_on_call_monthly_fee if pricing.crisis_on_call else Decimal(0))
    no_fee = Decimal("0.00")
    # One fee per contract month, in the calendar months from the start month on (see the rule set).
    contract_months = pricing.contract_months

    months = tuple(
        MonthBreakdown(
            month=month_start,
            hours={name: hours_by_month[i][c] for c, name in enumerate(CATEGORIES) if hours_by_month[i][c]},
            agent_hours=sum(agents_by_month[i]),
            labour=to_cents(rates.base_hourly_rate * sum(agents_by_month[i])),
            surcharges=surcharges_by_month[i],
            channel_fees=channel_fee if i < contract_months else no_fee,
            crisis_fee=crisis_fee if i < contract_months else no_fee,
            setup_fee=to_cents(rates.setup_fee) if include_setup_fee and i == 0 else Decimal("0.00"),
        )
        for i, month_start in enumerate(month_starts)
    )
    labour = sum((month.labour for month in months), Decimal("0.00"))
    channel_fees = sum((month.channel_fees for month in months), Decimal("0.00"))
    crisis_fees = sum((month.crisis_fee for month in months), Decimal("0.00"))
    setup_fee = sum((month.setup_fee for month in months), Decimal("0.00"))
    net = labour + total_surcharges + channel_fees + crisis_fees + setup_fee
    vat = to_cents(net * rates.vat_pct / 100)
    month_count = max(contract_months, 1)
    return PriceQuote(
        rate_card_version=rates.version,
        months=months,
        hours_by_category={name: sum(row[c] for row in hours_by_month) for c, name in enumerate(CATEGORIES)},
        agent_hours_by_category={name: sum(row[c] for row in agents_by_month) for c, name in enumerate(CATEGORIES)},
        surcharge_pct_by_category={name: rates.surcharge_pct(c) for c, name in enumerate(CATEGORIES)},
        peak_agents=peak,
        labour=labour,
        surcharges=total_surcharges,
        channel_fees=channel_fees,
        crisis_fees=crisis_fees,
        setup_fee=setup_fee,
        net=net,
        vat_pct=rates.vat_pct,
        vat=vat,
        gross=net + vat,
        monthly_average_net=to_cents(net / month_count),
        monthly_recurring_net=to_cents((net - setup_fee) / month_count),
        period_start=pricing.start,
        period_end=pricing.end,
        contract_months=contract_months,
    )
