"""Moments as each UI language writes them (communityops/formats, FORMAT_MODULE_PATH)."""

from datetime import datetime

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

MOMENT = datetime(2026, 11, 24, 20, 13, 5)


@pytest.mark.parametrize(
    ("language", "day_time", "with_seconds", "with_year"),
    [
        ("de", "24.11. 20:13", "24.11. 20:13:05", "24.11.2026 20:13"),
        # English pages showed the German "24.11." and Django's 12-hour "8:13 p.m.".
        ("en", "Nov 24, 20:13", "Nov 24, 20:13:05", "Nov 24, 2026, 20:13"),
    ],
)
def test_a_moment_is_written_as_the_pages_language_writes_it(language, day_time, with_seconds, with_year):
    with translation.override(language):
        assert date_format(MOMENT, "DAY_TIME_FORMAT") == day_time
        assert date_format(MOMENT, "DAY_TIME_SECONDS_FORMAT") == with_seconds
        assert date_format(MOMENT, "SHORT_DATETIME_FORMAT") == with_year
        assert (
            date_format(MOMENT, "WEEKDAY_DAY_TIME_FORMAT")
            == {"de": "Di 24.11. 20:13", "en": "Tue Nov 24, 20:13"}[language]
        )
        assert Template('{{ at|date:"DAY_TIME_FORMAT" }}').render(Context({"at": MOMENT})) == day_time


def test_english_full_dates_and_times_keep_the_24_hour_clock():
    """The saved quote ("Created …") and the admin's lists use Django's DATETIME_FORMAT: in English it
    read "Nov. 24, 2026, 8:13 p.m." (and "… 8:13 p.m.. We will get back" in a sentence)."""
    with translation.override("en"):
        assert date_format(MOMENT, "DATETIME_FORMAT") == "Nov 24, 2026, 20:13"
        assert date_format(MOMENT, "DATE_FORMAT") == "Nov 24, 2026"
        assert date_format(MOMENT, "TIME_FORMAT") == "20:13"
    with translation.override("de"):
        assert date_format(MOMENT, "DATETIME_FORMAT") == "24. November 2026 20:13"
