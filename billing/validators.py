"""The rules for pricing input that need more than the engine's limits: one place for the
calculator form and the API."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pricing import LATEST_START


def validate_window_hours(start_hour: int, end_hour: int) -> None:
    """A coverage window (weekday, start hour, end hour) needs an end other than its start: the
    engine reads an earlier end as running past midnight, an equal one would be 0 or 24 hours."""
    if start_hour == end_hour:
        raise ValidationError(
            _("A window needs different start and end hours; for a whole day give 0 to 24."), code="empty_window"
        )


def validate_quote_start(start: date) -> None:
    """A quoted period starts today (the agency's local date) or later, and by LATEST_START."""
    if start < timezone.localdate():
        raise ValidationError(_("The start cannot be in the past."), code="past")
    if start > LATEST_START:
        raise ValidationError(_("The start cannot be later than 1 January 2099."), code="too_late")
