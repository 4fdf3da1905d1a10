"""The calculator's forms: a 7 x 24 grid of hours plus the other pricing inputs, and who saves the quote.
The grid's field (WeekHoursField) is also the coverage plan admin's."""

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from communityops.models import FederalState
from communityops.weekdays import WEEKDAY_SHORT

from .models import RESPONSE_TIME_FIELD_CHOICES
from .pricing import (
    MAX_CHANNELS,
    MAX_COMMENTS_PER_MONTH,
    MAX_MONTHS,
    PRESETS,
    PricingInput,
    WeeklyPattern,
    first_of_next_month,
)
from .validators import validate_quote_start

WEEKDAY_NAMES = (
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
)
HOUR_CHOICES = [(f"{day}-{hour}", f"{day}-{hour}") for day in range(7) for hour in range(24)]
PRESET_LABELS = {
    "office": _("Office hours Mon–Fri 9–17"),
    "evenings": _("Evenings Mon–Fri 17–22"),
    "weekends": _("Weekends"),
    "always": _("24/7"),
}


def cell_values(pattern: WeeklyPattern) -> list[str]:
    return [f"{day}-{hour}" for day, hour in pattern.cells()]


def week_grid(selected: set[str]) -> list[dict]:
    """The rows of billing/_week_grid.html: a day each, its 24 hours checked if their value
    ("weekday-hour") is in `selected`."""
    return [
        {
            "index": day,
            "name": WEEKDAY_NAMES[day],
            "short": WEEKDAY_SHORT[day],
            "cells": [
                {
                    "value": f"{day}-{hour}",
                    "hour": hour,
                    "checked": f"{day}-{hour}" in selected,
                    "label": f"{WEEKDAY_NAMES[day]} {hour:02d}:00–{hour + 1:02d}:00",
                }
                for hour in range(24)
            ],
        }
        for day in range(7)
    ]


def week_grid_context(selected: set[str], *, editable: bool) -> dict:
    return {"grid": week_grid(selected), "hours": range(24), "editable": editable}


class WeekGridWidget(forms.Widget):
    """The week's hours as billing/_week_grid.html's checkboxes; a day's name toggles the day
    (week_grid.js)."""

    template_name = "billing/_week_grid.html"
    use_fieldset = True  # a group of checkboxes: the admin names it by a legend, not a label for one box

    class Media:
        css = {"all": ["css/week_grid.css"]}
        js = ["js/week_grid.js"]

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # no box checked sends nothing: an empty week, not a missing field

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template loader, not the form renderer's (which knows only Django's and the
        # apps' widget templates), so the public pages and the admin render one partial.
        return render_to_string(
            self.template_name, {**week_grid_context(set(value or []), editable=True), "name": name}
        )


class WeekHoursField(forms.MultipleChoiceField):
    """The hours of a week checked in the grid ("weekday-hour" values), cleaned to a WeeklyPattern."""

    widget = WeekGridWidget
    default_error_messages = {"required": _("Choose at least one hour.")}

    def __init__(self, **kwargs):
        super().__init__(choices=HOUR_CHOICES, **kwargs)

    def clean(self, value) -> WeeklyPattern:
        values = super().clean(value)
        return WeeklyPattern.from_cells(tuple(int(part) for part in cell.split("-")) for cell in values)


def default_calculator_data() -> dict:
    """What a first-time visitor sees: evenings and weekends, the hours the agency is about."""
    return {
        "hours": cell_values(PRESETS["evenings"] | PRESETS["weekends"]),
        "federal_state": FederalState.BY,
        "holidays_covered": "on",
        "channels": 3,
        "comments_per_month": 3000,
        "response_minutes": 60,
        "months": 12,
    }


class CalculatorForm(forms.Form):
    hours = WeekHoursField(label=_("Covered hours"))
    federal_state = forms.ChoiceField(
        label=_("Federal state (for public holidays)"), choices=FederalState.choices, initial=FederalState.BY
    )
    holidays_covered = forms.BooleanField(label=_("Public holidays covered"), required=False)
    channels = forms.IntegerField(
        label=_("Channels"), initial=3, validators=[MinValueValidator(1), MaxValueValidator(MAX_CHANNELS)]
    )
    comments_per_month = forms.IntegerField(
        label=_("Expected comments per month"),
        initial=3000,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_COMMENTS_PER_MONTH)],
    )
    response_minutes = forms.TypedChoiceField(
        label=_("Promised response time"), choices=RESPONSE_TIME_FIELD_CHOICES, coerce=int, initial=60
    )
    crisis_on_call = forms.BooleanField(label=_("Crisis on-call"), required=False)
    start = forms.DateField(
        label=_("Start"),
        required=False,
        help_text=_("Default: the first day of next month."),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_quote_start],
    )
    months = forms.IntegerField(
        label=_("Months"), initial=12, validators=[MinValueValidator(1), MaxValueValidator(MAX_MONTHS)]
    )

    def pricing_input(self, *, today: date) -> PricingInput:
        data = self.cleaned_data
        return PricingInput.from_fields(data, pattern=data["hours"], start=data["start"] or first_of_next_month(today))


class QuoteContactForm(forms.Form):
    """Who saves the calculator's quote: no pricing input, so it is checked when the quote is saved,
    never for the live price (CalculatorForm)."""

    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(label=_("Your email (optional)"), required=False)


class QuoteRequestForm(forms.Form):
    """The prospect asks the agency to take the quote up: who to answer, and anything to add.

    A quote saved with an email address (`saved_email`) needs none typed again: left empty, the
    request is answered there. The address itself is not shown (whoever holds the link sees the
    page), only the browser that saved the quote finds it filled in (the view's initial data).
    """

    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("Your email address"))
    message = forms.CharField(
        label=_("Anything we should know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, saved_email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.saved_email = saved_email
        if saved_email:
            self.fields["email"].required = False
            self.fields["email"].help_text = _("Leave it empty and we answer at the address this quote was saved with.")

    def clean_email(self) -> str:
        return self.cleaned_data["email"] or self.saved_email

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())  # one line: it goes into a mail's subject
        if any(not character.isprintable() for character in name):
            raise forms.ValidationError(_("Use letters, digits and punctuation only."))
        return name
