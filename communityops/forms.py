"""Form helpers shared by the apps' admin and page forms."""

from django import forms


def choices_limit(field: forms.ModelChoiceField, *, queryset) -> None:
    """Offer only `queryset`. The field itself still accepts any row, so that the model's or the
    form's clean refuses a wrong one by name (the field would name only its id)."""
    choices = field.iterator(field)
    choices.queryset = queryset
    field.widget.choices = choices


def whole_number(value: str) -> int | None:
    """The number a query, form field or header holds as digits, or None for anything else. At most 18
    digits (any id fits PostgreSQL's bigint): int() refuses more than 4,300 with a ValueError (a 500)."""
    return int(value) if value.isdecimal() and len(value) <= 18 else None
