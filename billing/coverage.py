"""Booked coverage as a clock: is a moment covered, when does coverage start, when is a reply due.

Pure functions over a `CoverageTimeline`, a client's schedules over time (a plan can change while an
item waits); the selectors build it from the client's plans. Time is walked day by day in local
wall-clock hours of the client's zone, found from UTC, so a 23- or 25-hour day needs no special
case: the repeated 02:00 in October is two covered slots, the missing 02:00 in March is none.
"""

import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from communityops.public_holidays import is_public_holiday

from .pricing import DEFAULT_TIME_ZONE, PRESETS, WeeklyPattern, local_hours_of

ONE_HOUR = timedelta(hours=1)
ONE_DAY = timedelta(days=1)
_WHOLE_DAY = (1 << 24) - 1
# Public holidays a plan leaves uncovered take out a weekday's hours in only a few weeks in a row
# (Christmas and New Year's Day fall on the same weekday; Easter Monday, 1 May and Whit Monday lie
# within seven weeks), so this many weeks beyond the covered hours a response needs always suffice.
HOLIDAY_SLACK_WEEKS = 8
# How far ahead coverage_status looks for the end or the next start of coverage (pages show it as
# a weekday and a time, which means little further ahead).
STATUS_HORIZON = timedelta(weeks=3)


@dataclass(frozen=True)
class CoverageSchedule:
    pattern: WeeklyPattern
    federal_state: str
    holidays_covered: bool
    response_minutes: int
    time_zone: str = DEFAULT_TIME_ZONE

    def hours_on(self, day: date) -> int:
        """The covered local hours of `day` as a 24-bit mask (bit = hour); 0 on an uncovered holiday."""
        hours = self.pattern.mask >> (day.weekday() * 24) & _WHOLE_DAY
        if hours and not self.holidays_covered and is_public_holiday(self.federal_state, day):
            return 0
        return hours


# What a client without a plan gets: the inbox's previous behaviour. Pages that show coverage say
# that it is this fallback (ClientCoverage.has_plan), not booked hours.
ALWAYS_COVERED = CoverageSchedule(
    pattern=PRESETS["always"], federal_state="BE", holidays_covered=True, response_minutes=60
)


@dataclass(frozen=True)
class CoverageTimeline:
    """Which schedule applies on which local date: `schedules[i]` from `starts[i]` (ascending) until
    the next start, `initial` before the first. A day without a plan has ALWAYS_COVERED."""

    time_zone: str
    initial: CoverageSchedule
    starts: tuple[date, ...] = ()
    schedules: tuple[CoverageSchedule, ...] = ()

    @classmethod
    def constant(cls, schedule: CoverageSchedule) -> "CoverageTimeline":
        return cls(time_zone=schedule.time_zone, initial=schedule)

    def schedule_on(self, day: date) -> CoverageSchedule:
        index = bisect_right(self.starts, day)
        return self.schedules[index - 1] if index else self.initial

    @property
    def last_change(self) -> date | None:
        return self.starts[-1] if self.starts else None

    @property
    def final(self) -> CoverageSchedule:
        """The schedule from the last change on, for good."""
        return self.schedules[-1] if self.schedules else self.initial


@dataclass(frozen=True)
class CoverageStatus:
    covered: bool
    covered_until: datetime | None  # end of the current covered stretch, when covered
    next_start: datetime | None  # start of the next covered stretch, when not covered


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight of `day` in UTC; the day's hour slots follow it one UTC hour apart."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def _last_day_to_walk(timeline: CoverageTimeline, first_day: date, response: timedelta) -> date | None:
    """The last local date a walk needs to look at to count `response` of covered time from
    `first_day`, or None when it can never be counted (no covered hours from the last change on)."""
    settled_from = max(first_day, timeline.last_change or first_day)
    weekly_hours = timeline.final.pattern.hours_per_week()
    if weekly_hours == 0:
        # Only the days before the last change can cover anything.
        return settled_from - ONE_DAY if settled_from > first_day else None
    weeks = math.ceil(response / ONE_HOUR / weekly_hours) + HOLIDAY_SLACK_WEEKS
    return settled_from + timedelta(weeks=weeks)


def sla_due_at(coverage: CoverageTimeline | CoverageSchedule, received_at: datetime) -> datetime | None:
    """received_at + response time, counting only covered time.

    Each walked day counts the hours of the schedule in force that day; the response time is the
    one promised when the item arrived (its day's schedule). None: no covered hour ever follows
    (a plan without covered hours from then on), so nothing is due.
    """
    timeline = coverage if isinstance(coverage, CoverageTimeline) else CoverageTimeline.constant(coverage)
    zone = ZoneInfo(timeline.time_zone)
    # Arithmetic in UTC: adding to a zone-aware datetime would add wall-clock time across DST.
    moment = received_at.astimezone(UTC)
    day = moment.astimezone(zone).date()
    remaining = timedelta(minutes=timeline.schedule_on(day).response_minutes)
    last_day = _last_day_to_walk(timeline, day, remaining)
    while last_day is not None and day <= last_day:
        hours = timeline.schedule_on(day).hours_on(day)
        if hours:
            start = _day_start(day, zone)
            for index, hour in enumerate(local_hours_of(day, timeline.time_zone)):
                if not hours >> hour & 1:
                    continue
                slot_end = start + (index + 1) * ONE_HOUR
                if slot_end <= moment:
                    continue
                begin = max(moment, slot_end - ONE_HOUR)
                if remaining <= slot_end - begin:
                    return (begin + remaining).astimezone(received_at.tzinfo)
                remaining -= slot_end - begin
        day += ONE_DAY
    return None


def coverage_status(coverage: CoverageTimeline | CoverageSchedule, at: datetime) -> CoverageStatus:
    """Whether `at` is covered, and until when; otherwise when coverage next starts (None: not
    within STATUS_HORIZON, or never)."""
    timeline = coverage if isinstance(coverage, CoverageTimeline) else CoverageTimeline.constant(coverage)
    zone = ZoneInfo(timeline.time_zone)
    moment = at.astimezone(UTC)
    day = moment.astimezone(zone).date()
    start = _day_start(day, zone)
    index = int((moment - start) / ONE_HOUR)
    local_hours = local_hours_of(day, timeline.time_zone)
    hours = timeline.schedule_on(day).hours_on(day)
    covered = bool(hours >> local_hours[index] & 1)
    final = timeline.final
    # From the last change on, a plan that covers nothing (or everything) never changes state.
    settled = (not covered and final.pattern.mask == 0) or (
        covered and final.pattern.covers_every_hour and final.holidays_covered
    )
    horizon = moment + STATUS_HORIZON
    while True:
        for later in range(index + 1, len(local_hours)):
            if bool(hours >> local_hours[later] & 1) != covered:
                change = (start + later * ONE_HOUR).astimezone(at.tzinfo)
                if covered:
                    return CoverageStatus(covered=True, covered_until=change, next_start=None)
                return CoverageStatus(covered=False, covered_until=None, next_start=change)
        day += ONE_DAY
        if (settled and (timeline.last_change is None or day >= timeline.last_change)) or day > horizon.date():
            return CoverageStatus(covered=covered, covered_until=None, next_start=None)
        start = _day_start(day, zone)
        local_hours = local_hours_of(day, timeline.time_zone)
        hours = timeline.schedule_on(day).hours_on(day)
        index = -1
