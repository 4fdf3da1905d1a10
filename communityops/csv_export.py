"""CSV downloads, safe to open in a spreadsheet: the one writer every export uses.

A CSV is written for a spreadsheet in the active language, the page's: numbers carry that
language's decimal separator (German: 1,5; English: 1.5; never a thousands separator), and the
cells are split by ";" where the decimal separator is a comma (German Excel's list separator;
its "," would split every number) and by "," otherwise. The text is UTF-8 with a BOM, so Excel
detects the encoding (a "sep=" line would make it ignore the BOM). Machines read the JSON API.
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.formats import get_format, number_format

# A cell starting with one of these is read as a formula by spreadsheet programs
# (CSV injection); such text gets a leading apostrophe. Numbers are written as they are.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_delimiter() -> str:
    """ ";" where the active language writes decimals with a comma, else ","."""
    return ";" if get_format("DECIMAL_SEPARATOR") == "," else ","


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return number_format(value, use_l10n=True, force_grouping=False)
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_text(*, header: list, rows) -> str:
    """Header and rows as CSV text in the active language, UTF-8 with a BOM so spreadsheet programs detect the encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=csv_delimiter())
    writer.writerow([csv_cell(str(label)) for label in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(*, filename: str, header: list, rows) -> HttpResponse:
    response = HttpResponse(csv_text(header=header, rows=rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
