"""Booked coverage as a clock: is a moment covered, when does coverage start, when is a reply due.

Pure functions over a `CoverageSchedule`; the selectors load the schedule from a client's plan.
Time is walked in local wall-clock hours of the client's zone, found from UTC, so a 23- or
25-hour day needs no special case: the repeated 02:00 in October is two covered slots, the
missing 02:00 in March is none.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from communityops.public_holidays import is_public_holiday

from .pricing import DEFAULT_TIME_ZONE, PRESETS, WeeklyPattern

ONE_HOUR = timedelta(hours=1)
# A plan covers at least one hour a week, and no run of public holidays lasts longer than a
# few days, so three weeks of hours always reaches coverage when there is any.
MAX_SLOTS = 24 * 7 * 3


@dataclass(frozen=True)
class CoverageSchedule:
    pattern: WeeklyPattern
    federal_state: str
    holidays_covered: bool
    response_minutes: int
    time_zone: str = DEFAULT_TIME_ZONE

    def covers_local(self, day: date, hour: int) -> bool:
        if not self.pattern.covers(day.weekday(), hour):
            return False
        return self.holidays_covered or not is_public_holiday(self.federal_state, day)


# What a client without a plan gets: the inbox's previous behaviour. Pages that show coverage say
# that it is this fallback (ClientCoverage.has_plan), not booked hours.
ALWAYS_COVERED = CoverageSchedule(
    pattern=PRESETS["always"], federal_state="BE", holidays_covered=True, response_minutes=60
)


@dataclass(frozen=True)
class CoverageStatus:
    covered: bool
    covered_until: datetime | None  # end of the current covered stretch, when covered
    next_start: datetime | None  # start of the next covered stretch, when not covered


def _slot(moment: datetime, zone: ZoneInfo) -> tuple[datetime, date, int]:
    """The local hour `moment` falls in: its start (UTC), local date and local hour."""
    local = moment.astimezone(zone)
    # replace() keeps `fold`, so the second 02:00 of an October night maps back correctly.
    start = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    return start, local.date(), local.hour


def sla_due_at(schedule: CoverageSchedule, received_at: datetime) -> datetime:
    """received_at + response time, counting only covered time."""
    # Arithmetic in UTC: adding to a zone-aware datetime would add wall-clock time across DST.
    remaining = timedelta(minutes=schedule.response_minutes)
    moment = received_at.astimezone(UTC)
    if schedule.pattern.mask == 0:
        return (moment + remaining).astimezone(received_at.tzinfo)
    zone = ZoneInfo(schedule.time_zone)
    for _ in range(MAX_SLOTS):
        start, day, hour = _slot(moment, zone)
        end = start + ONE_HOUR
        if schedule.covers_local(day, hour):
            available = end - moment
            if remaining <= available:
                return (moment + remaining).astimezone(received_at.tzinfo)
            remaining -= available
        moment = end
    return (received_at.astimezone(UTC) + timedelta(minutes=schedule.response_minutes)).astimezone(received_at.tzinfo)


def coverage_status(schedule: CoverageSchedule, at: datetime) -> CoverageStatus:
    """Whether `at` is covered, and until when; otherwise when coverage next starts (None: never)."""
    if schedule.pattern.mask == 0:
        return CoverageStatus(covered=False, covered_until=None, next_start=None)
    if schedule.pattern.covers_every_hour and schedule.holidays_covered:
        return CoverageStatus(covered=True, covered_until=None, next_start=None)  # around the clock, no walk
    zone = ZoneInfo(schedule.time_zone)
    start, day, hour = _slot(at.astimezone(UTC), zone)
    covered = schedule.covers_local(day, hour)
    for _ in range(MAX_SLOTS):
        start += ONE_HOUR
        local = start.astimezone(zone)
        if schedule.covers_local(local.date(), local.hour) != covered:
            if covered:
                return CoverageStatus(covered=True, covered_until=start.astimezone(at.tzinfo), next_start=None)
            return CoverageStatus(covered=False, covered_until=None, next_start=start.astimezone(at.tzinfo))
    return CoverageStatus(covered=covered, covered_until=None, next_start=None)
