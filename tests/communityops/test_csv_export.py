import csv
import io
from decimal import Decimal

import pytest
from django.utils import translation

from communityops.csv_export import FORMULA_TRIGGERS, csv_response


def read(response, *, delimiter: str) -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff"), newline=""), delimiter=delimiter)
    )


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(trigger):
    with translation.override("en"):
        response = csv_response(filename="x.csv", header=["name", "count"], rows=[[f"{trigger}cmd|' /C calc'!A0", -3]])

    rows = read(response, delimiter=",")

    assert rows[1] == [f"'{trigger}cmd|' /C calc'!A0", "-3"]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'


@pytest.mark.parametrize(
    ("language", "delimiter", "numbers"),
    [
        # German Excel splits at its list separator ";" and reads decimal commas as numbers.
        ("de", ";", ["-3", "1,5", "7482,00", "12345", "-0,25"]),
        ("en", ",", ["-3", "1.5", "7482.00", "12345", "-0.25"]),
    ],
)
def test_numbers_and_separators_follow_the_active_language(language, delimiter, numbers):
    with translation.override(language):
        response = csv_response(
            filename="x.csv", header=["a", "b", "c", "d", "e"], rows=[[-3, 1.5, Decimal("7482.00"), 12345, -0.25]]
        )

    assert response.content.decode().startswith("\ufeff")
    assert read(response, delimiter=delimiter) == [["a", "b", "c", "d", "e"], numbers]
