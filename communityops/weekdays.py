"""Weekday short names as the UI shows them, Monday first (the calculator's grid, the reports)."""

from django.utils.translation import gettext_lazy as _

WEEKDAY_SHORT = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
