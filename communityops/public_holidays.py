"""German public holidays per federal state: the one calendar pricing, coverage and escalation use."""

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def public_holidays(federal_state: str, year: int) -> frozenset[date]:
    """The state's public holidays of one year (cached: building them costs ~1 ms)."""
    return frozenset(holidays.country_holidays("DE", subdiv=federal_state, years=year).keys())


def is_public_holiday(federal_state: str, day: date) -> bool:
    return day in public_holidays(federal_state, day.year)
