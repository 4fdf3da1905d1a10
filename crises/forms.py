"""Input parsing for the crisis pages; the services do the checking that needs the database."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from communityops.forms import choices_limit, whole_number
from communityops.models import Channel
from inbox.connectors import connector_class

from .models import Approval, OnCallShift, Severity
from .selectors import on_call_candidates
from .services import MANUAL_TARGETS, Crisis


class OnCallShiftForm(forms.ModelForm):
    """A shift on the roster (the admin's and the rota page's): only active shift leads and admins
    are offered; OnCallShift.clean refuses anyone else by name, and a shift overlapping another."""

    class Meta:
        model = OnCallShift
        fields = ["lead", "starts_at", "ends_at", "label"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices_limit(self.fields["lead"], queryset=on_call_candidates())


class RotaShiftForm(OnCallShiftForm):
    """The rota page's form: the browser's date and time pickers, in the agency's time zone."""

    class Meta(OnCallShiftForm.Meta):
        widgets = {
            name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
            for name in ("starts_at", "ends_at")
        }


class CrisisCreateForm(forms.Form):
    """The board's "open crisis" form; it is sent from the board, which shows its errors as messages."""

    client = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": _("Choose a client.")})
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give the crisis a title.")}
    )
    severity = forms.TypedChoiceField(label=_("Severity"), choices=Severity.choices, coerce=int, initial=Severity.HIGH)
    # A new key each time the form is rendered: a double click, or the form sent again after a
    # timeout, opens one crisis (services.crisis_create_for_request), as the API's Idempotency-Key.
    # Only a tampered form sends one that does not fit; the person can only reload the page.
    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        max_length=255,
        initial=uuid.uuid4,
        error_messages={"max_length": _("This form is damaged; reload the page and open the crisis again.")},
    )

    def error_list(self) -> list[str]:
        """Every error of the form, for the board's messages (it has no field to show them beside)."""
        return [error for errors in self.errors.values() for error in errors]


class ItemIdsField(forms.Field):
    """Item ids from repeated fields (item_ids=1&item_ids=2) or one field "1, 2 3"."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value or ""]
        ids = [whole_number(part) for raw in values for part in str(raw).replace(",", " ").split()]
        if not ids or None in ids:
            raise forms.ValidationError(_("Enter item ids (numbers)."))
        return list(dict.fromkeys(ids))


class CrisisFromItemsForm(forms.Form):
    item_ids = ItemIdsField()
    title = forms.CharField(max_length=200, required=False)
    severity = forms.TypedChoiceField(choices=Severity.choices, coerce=int, empty_value=Severity.HIGH, required=False)


class TransitionForm(forms.Form):
    # No status preselected: a default would move a crisis backwards with one careless click.
    to_status = forms.ChoiceField(
        label=_("New status"),
        choices=[("", _("Choose…")), *((value, Crisis.Status(value).label) for value in sorted(MANUAL_TARGETS))],
    )
    post_mortem = forms.CharField(label=_("Post-mortem"), widget=forms.Textarea, required=False)


class LinkItemsForm(forms.Form):
    item_ids = ItemIdsField(label=_("Item ids"), widget=forms.TextInput, help_text=_("Separated by commas or spaces."))


class DraftForm(forms.Form):
    """A new version of the response. Each text field carries the most characters a reply may have
    where it goes (data-max-chars: the page counts as one types, as the composer does; the service
    refuses a longer one): the main text the lowest of the linked items' platforms (none without
    linked items), a platform's own text that platform's."""

    text = forms.CharField(
        label=_("Response (all platforms)"),
        widget=forms.Textarea,
        error_messages={"required": _("The response needs a text.")},
    )

    def __init__(self, *args, linked_platforms: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in Channel.Platform.choices:
            self.fields[f"platform_{value}"] = forms.CharField(
                label=_("Only for %(platform)s (optional)") % {"platform": label},
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
            self._max_chars_set(f"platform_{value}", connector_class(value).reply_max_length())
        if linked_platforms:
            self._max_chars_set("text", min(connector_class(value).reply_max_length() for value in linked_platforms))

    def _max_chars_set(self, name: str, limit: int) -> None:
        counter_id = f"{self[name].auto_id}-count"  # the page's counter (templates/_char_count.html)
        self.fields[name].widget.attrs.update({"data-max-chars": limit, "aria-describedby": counter_id})

    def platform_texts(self) -> dict:
        return {
            value: self.cleaned_data.get(f"platform_{value}", "")
            for value, _label in Channel.Platform.choices
            if self.cleaned_data.get(f"platform_{value}")
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Approval.Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Approval.Decision.REJECT and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say what should change: a rejection needs a comment."))
        return cleaned


class PortalDecisionForm(DecisionForm):
    """The portal's decision names the version it was made on: a newer one may have come since."""

    draft = forms.IntegerField(widget=forms.HiddenInput)


class PostMortemForm(forms.Form):
    post_mortem = forms.CharField(label=_("Post-mortem"), widget=forms.Textarea)


class HoldingForm(forms.Form):
    statement = forms.IntegerField()
