"""CSV downloads, safe to open in a spreadsheet: the one writer every export uses."""

import csv
import io

from django.http import HttpResponse

# A cell starting with one of these is read as a formula by spreadsheet programs
# (CSV injection); such text gets a leading apostrophe. Numbers are written as they are.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_text(*, header: list, rows) -> str:
    """Header and rows as CSV text, UTF-8 with a BOM so spreadsheet programs detect the encoding."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(str(label)) for label in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(*, filename: str, header: list, rows) -> HttpResponse:
    response = HttpResponse(csv_text(header=header, rows=rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
