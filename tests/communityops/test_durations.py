"""Durations as pages show them (communityops.durations, the `duration` template filter)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from communityops.durations import duration_text


@pytest.mark.parametrize(
    ("minutes", "english", "german"),
    [
        (595, "9 h 55 min", "9 Std. 55 Min."),
        (508.0, "8 h 28 min", "8 Std. 28 Min."),
        (60, "1 h", "1 Std."),
        (20.0, "20 min", "20 Min."),
        (12.5, "13 min", "13 Min."),  # whole minutes, half up
        (Decimal("0.4"), "< 1 min", "< 1 Min."),
        (0, "0 min", "0 Min."),
        (1500, "25 h", "25 Std."),
        (-5, "0 min", "0 Min."),  # below zero (clocks apart) counts as none, not "-1 h 55 min"
    ],
)
def test_a_duration_is_written_in_hours_and_minutes_in_the_active_language(minutes, english, german):
    with translation.override("en"):
        assert duration_text(minutes) == english
    with translation.override("de"):
        assert duration_text(minutes) == german


def test_the_filter_leaves_no_duration_to_the_page_s_dash():
    template = Template('{% load durations %}{{ none|duration|default_if_none:"—" }} {{ wait|duration }}')

    with translation.override("en"):
        assert template.render(Context({"none": None, "wait": 595})) == "— 9 h 55 min"
