import csv
import io

import pytest

from communityops.csv_export import FORMULA_TRIGGERS, csv_response


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_text_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(trigger):
    response = csv_response(filename="x.csv", header=["name", "count"], rows=[[f"{trigger}cmd|' /C calc'!A0", -3]])

    rows = list(csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff"), newline="")))

    assert rows[1] == [f"'{trigger}cmd|' /C calc'!A0", "-3"]
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
