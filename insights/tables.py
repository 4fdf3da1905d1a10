"""A report table: the one shape the page renders and the CSV export writes, so both show the same cells."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False


@dataclass
class ReportTable:
    """Rows of plain cells (str, int, float, None); `data` keeps the selector rows for charts."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    data: object = None
    csv_url: str = ""
    note: str = ""  # how to read the table, shown under its title (not exported)

    @property
    def cells(self) -> list[list[tuple[object, bool]]]:
        """Rows as (cell, numeric) pairs, so the template can right-align number columns."""
        numeric = [column.numeric for column in self.columns]
        return [list(zip(row, numeric, strict=True)) for row in self.rows]

    empty_text: str = field(default_factory=lambda: str(_("Nothing in this period.")))


def rounded(value: float | None, digits: int) -> float | None:
    """`value` to `digits` decimals; one that rounds to zero is 0.0, never "-0.0" (an average of -0.001)."""
    return None if value is None else round(value, digits) + 0.0


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes with one decimal, the unit response times are read in."""
    return None if seconds is None else rounded(seconds / 60.0, 1)


def local_time(moment: datetime | None, time_zone: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(time_zone).strftime("%Y-%m-%d %H:%M")


def iso_day(day: date) -> str:
    return day.isoformat()
