"""A report table: the one shape the page renders and the CSV export writes, so both show the same cells."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from communityops.durations import duration_text

# Decimals of each kind of number, the same in every table: scores from -1 to 1 (average sentiment,
# spam score, fake suspicion) two; percentages, minutes and a spike's usual count and z-score one.
SCORE_DECIMALS = 2
FIGURE_DECIMALS = 1


@dataclass(frozen=True)
class Column:
    label: str  # the CSV's and the API's header
    numeric: bool = False
    # Cells are durations in minutes: the page writes "9 h 55 min", the CSV and the API the number.
    minutes: bool = False
    page_label: str = ""  # the page's header where it differs (the CSV's names the unit, "(min)")
    # False: a number the CSV and the API carry for a spreadsheet, which the page says in words in
    # another column ("40 in one hour, usually about 5").
    on_page: bool = True
    # Cells are numbers with this many decimals: the page and the CSV write them all ("0.70" beside
    # "0.21", never "0.7"), the API rounds to them.
    decimals: int | None = None

    @property
    def shown_label(self) -> str:
        return self.page_label or self.label


@dataclass(frozen=True)
class Linked:
    """A cell the page shows as a link to what it counts (a colleague's held items in the inbox);
    the CSV and the API carry its value alone."""

    value: object
    url: str


def page_cell(cell, column: Column):
    """A cell as the page shows it, in the active language: dates as it writes them (German
    24.11.2026 10:00), durations in hours and minutes, counts grouped (German 1.250.000), other
    numbers with their column's decimals (German 0,70), a negative one with a minus sign (−0,35)."""
    if cell is None:
        return None
    if isinstance(cell, Linked):
        return Linked(page_cell(cell.value, column), cell.url)
    if column.minutes:
        return duration_text(cell)
    if column.decimals is not None:
        return _with_minus_sign(
            number_format(rounded(cell, column.decimals), decimal_pos=column.decimals, force_grouping=True)
        )
    if isinstance(cell, date):
        return shown_date(cell)
    if isinstance(cell, int) and not isinstance(cell, bool):
        return _with_minus_sign(number_format(cell, force_grouping=True))
    return cell


def _with_minus_sign(number: str) -> str:
    """A formatted negative number with the minus sign (U+2212) for reading: the hyphen-minus is
    shorter, sits lower and lets a line break after it. Only on the page: the CSV and the API keep
    "-", which spreadsheets and programs read as a number."""
    return f"\u2212{number[1:]}" if number.startswith("-") else number


def shown_date(value: date) -> str:
    """A day, or a local time on the 24-hour clock the app uses, as the active language writes it."""
    if isinstance(value, datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")


def export_cell(cell, column: Column):
    """A cell as the CSV and the API carry it: dates and local times sortable, YYYY-MM-DD HH:MM,
    numbers rounded to their column's decimals."""
    if isinstance(cell, Linked):
        cell = cell.value
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    if column.decimals is not None:
        return rounded(cell, column.decimals)
    return cell


def fixed_point(cell, column: Column):
    """An exported cell for the CSV: a number with every decimal of its column, as the page shows it
    (the CSV writer prints a float's shortest form, 0.7, but a Decimal's places, 0.70)."""
    if column.decimals is None or cell is None:
        return cell
    return Decimal(f"{cell:.{column.decimals}f}")


@dataclass
class ReportTable:
    """Rows of plain cells (str, int, float, None, a local datetime or a date); `data` keeps the
    selector rows for charts. The page shows `cells` (of its `page_columns`), the CSV and the API
    `export_rows` (every column)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[list]
    data: object = None
    csv_url: str = ""
    note: str = ""  # how to read the table, shown under its title (not exported)

    @property
    def page_columns(self) -> list[Column]:
        return [column for column in self.columns if column.on_page]

    @property
    def cells(self) -> list[list[tuple[object, bool]]]:
        """Rows of the page's columns as (cell, numeric) pairs, so the template can right-align number columns."""
        return [
            [
                (page_cell(cell, column), column.numeric)
                for cell, column in zip(row, self.columns, strict=True)
                if column.on_page
            ]
            for row in self.rows
        ]

    @property
    def export_rows(self) -> list[list]:
        return [
            [export_cell(cell, column) for cell, column in zip(row, self.columns, strict=True)] for row in self.rows
        ]

    @property
    def csv_rows(self) -> list[list]:
        return [
            [fixed_point(cell, column) for cell, column in zip(row, self.columns, strict=True)]
            for row in self.export_rows
        ]

    empty_text: str = field(default_factory=lambda: str(_("Nothing in this period.")))


def rounded(value: float | None, digits: int) -> float | None:
    """`value` to `digits` decimals; one that rounds to zero is 0.0, never "-0.0" (an average of -0.001)."""
    return None if value is None else round(value, digits) + 0.0


def minutes(seconds: float | None) -> float | None:
    """Seconds as minutes with one decimal, the unit response times are read in."""
    return None if seconds is None else rounded(seconds / 60.0, 1)


def local_time(moment: datetime | None, time_zone: ZoneInfo) -> datetime | None:
    """`moment` on the clock of `time_zone`, a table cell (page_cell, export_cell write it)."""
    return None if moment is None else moment.astimezone(time_zone)
