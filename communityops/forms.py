"""Form helpers shared by the apps' admin and page forms."""

from django import forms


def choices_limit(field: forms.ModelChoiceField, *, queryset) -> None:
    """Offer only `queryset`. The field itself still accepts any row, so that the model's or the
    form's clean refuses a wrong one by name (the field would name only its id)."""
    choices = field.iterator(field)
    choices.queryset = queryset
    field.widget.choices = choices
