"""Changelist columns that keep an admin list within a laptop's width (1366 px), in German as well.

Django draws a column's header, a date's cell and a foreign key's cell on one line, so a long header
("Unbeantwortete Beiträge pro Kanal"), a full date ("25. November 2026 02:45") or a related object's
long name ("Brauhaus Isartal GmbH · Facebook (Facebook-Seite)") widens the table until the list
scrolls sideways. These columns show the same values shorter, and as text that wraps between words.
"""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.utils import display_for_field
from django.db import models
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.timezone import localtime

from .alphabetical import AlphabeticalKey, alphabetical
from .models import User


def short_column(
    model: type[models.Model],
    field_name: str,
    description: str | None = None,
    *,
    label_field: str | None = None,
) -> Callable:
    """A field's column for list_display, sortable by the field: under `description` (a shorter
    header than the field's name), dates in the short format ("24.11.2026 20:13"), and a foreign key
    as text that wraps, named by its str or by its `label_field` alone (and then sorted by that, in
    German alphabetical order, as the column shows it; a user by what its str shows). The admin's
    list_select_related must load the foreign key."""
    field = model._meta.get_field(field_name)
    is_boolean = isinstance(field, models.BooleanField)
    if label_field:
        ordering = alphabetical(f"{field_name}__{label_field}")
    elif field.is_relation and field.related_model is User:  # shown by name, or address (User.__str__)
        ordering = AlphabeticalKey(User.shown_as(f"{field_name}__")).asc()
    else:
        ordering = field_name

    @admin.display(description=description or field.verbose_name, ordering=ordering, boolean=is_boolean)
    def column(obj: models.Model):
        value = getattr(obj, field_name)
        if is_boolean or value in field.empty_values:
            return value  # the admin draws the icon, or its sign for "empty"
        if field.is_relation:
            return getattr(value, label_field) if label_field else str(value)
        if isinstance(field, models.DateTimeField):
            return date_format(localtime(value), "SHORT_DATETIME_FORMAT")
        if isinstance(field, models.DateField):
            return date_format(value, "SHORT_DATE_FORMAT")
        return display_for_field(value, field, "")

    column.__name__ = field_name  # the cell's class and the sort parameter name it, as for the field
    return column


def excerpt_column(
    model: type[models.Model], field_name: str, description: str | None = None, *, length: int = 60
) -> Callable:
    """A free-text field's column for list_display: the text cut to `length` characters, the whole of
    it in the title (shown on hover). Its long words (links, tokens) wrap anywhere in the cell
    (css/admin.css) rather than widen the list."""
    field = model._meta.get_field(field_name)

    @admin.display(description=description or field.verbose_name)
    def column(obj: models.Model) -> SafeString | None:
        if not (text := getattr(obj, field_name)):
            return None
        return format_html('<span class="free-text" title="{}">{}</span>', text, Truncator(text).chars(length))

    column.__name__ = field_name
    return column
