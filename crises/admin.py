"""Admin: the configuration (policies, roster, settings, statements) is edited here; the
timeline, notifications and approvals are audit rows and read-only."""

from collections.abc import Iterable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

from communityops.admin_columns import short_column
from communityops.alphabetical import alphabetical
from communityops.forms import choices_limit
from communityops.models import Client, ClientContact
from communityops.permissions import ReadOnlyAdminMixin

from .forms import OnCallShiftForm
from .lock_objects import on_call_roster_lock
from .models import (
    Approval,
    ApprovalSettings,
    ChannelUnansweredThreshold,
    Crisis,
    CrisisEvent,
    DetectionSettings,
    EscalationPolicy,
    EscalationStep,
    HoldingStatement,
    Notification,
    NotificationChannel,
    OnCallShift,
    RecipientLanguage,
    SpikeAlert,
)
from .selectors import clients_without_escalation_policy


def contacts_of_other_clients(*, contacts: Iterable[ClientContact], client: Client) -> list[ValidationError]:
    """One error for each contact who is not the client's own, naming them and their client.

    Such a contact would be mailed the client's unpublished drafts and crisis alerts. The crises
    code leaves them out as well (draft_approvers, step_contacts); the configuration must not name them.
    """
    return [
        ValidationError(
            _(
                "%(contact)s is a contact of %(other_client)s, not of %(client)s: "
                "only the client's own contacts can be named here."
            ),
            code="contact_of_other_client",
            params={"contact": contact.name, "other_client": contact.client.name, "client": client.name},
        )
        for contact in contacts
        if contact.client_id != client.pk
    ]


def contact_choices_limit(field: forms.ModelChoiceField, *, client_id: int | None) -> None:
    """Offer only the client's contacts; before a client is chosen (the add page), none, and say
    when they come: listing every client's contacts there would show them to one another's setup."""
    if client_id is None:
        choices_limit(field, queryset=field.queryset.none())
        note = _(
            "The client's contacts are offered once the client is chosen: choose it and click "
            "“Save and continue editing”."
        )
        field.help_text = format_lazy("{} {}", field.help_text, note) if field.help_text else note
        return
    choices_limit(field, queryset=field.queryset.filter(client_id=client_id))


def chosen_client_id(value) -> int | None:
    """The client id in a form's client value (submitted, saved or ?client= on the add page), or None."""
    return int(value) if str(value or "").isdigit() else None


class EscalationStepFormSet(BaseInlineFormSet):
    """The steps of one policy name only contacts of the policy's client."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        contact_choices_limit(form.fields["contacts"], client_id=self.instance.client_id)

    def clean(self):
        super().clean()
        if not self.instance.client_id:  # the policy form reports the missing client
            return
        steps = [form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        first_position = min((form.cleaned_data.get("position") or 0 for form in steps), default=0)
        for form in steps:
            contacts = form.cleaned_data.get("contacts", ())
            if errors := contacts_of_other_clients(contacts=contacts, client=self.instance.client):
                form.add_error("contacts", errors)
            step_reach_check(form, contacts=contacts, first=form.cleaned_data.get("position") == first_position)


def step_reach_check(form: forms.Form, *, contacts: Iterable[ClientContact], first: bool) -> None:
    """A step reaches whom it names: a webhook step has its address (the alert is posted there), an
    SMS / phone step a phone number for each contact (escalation.step_recipients leaves out a
    contact without one, who would then never hear of the crisis), and a later step names someone
    (the first always alerts the shift lead on call, a chat step its channel)."""
    channel = form.cleaned_data.get("channel")
    if not (first or contacts or form.cleaned_data.get("agency_roles") or channel == NotificationChannel.CHAT_WEBHOOK):
        form.add_error(None, _("This step alerts nobody: choose client contacts or agency roles, or remove it."))
    webhooks = (NotificationChannel.OUTGOING_WEBHOOK, NotificationChannel.CHAT_WEBHOOK)
    if channel in webhooks and not form.cleaned_data.get("webhook_url") and "webhook_url" not in form.errors:
        form.add_error("webhook_url", _("A step that alerts through a webhook needs its address."))
    if channel == NotificationChannel.OUTGOING_WEBHOOK and (
        without_phone := [contact.name for contact in contacts if not contact.phone]
    ):
        form.add_error(
            "contacts",
            ValidationError(
                _("An SMS / phone step reaches a contact by their phone number; none is stored for %(names)s."),
                code="contact_without_phone",
                params={"names": ", ".join(without_phone)},
            ),
        )


class ApprovalSettingsForm(forms.ModelForm):
    """Approvers and the fallback approver are contacts of the settings' client."""

    class Meta:
        model = ApprovalSettings
        fields = [
            "client",
            "rule",
            "approvers",
            "reminder_minutes",
            "deadline_minutes",
            "fallback_approver",
            "link_valid_hours",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The client submitted, else the saved one (change page) or ?client= (add page).
        client_id = chosen_client_id(self["client"].value())
        for name in ("approvers", "fallback_approver"):
            contact_choices_limit(self.fields[name], client_id=client_id)

    def clean(self):
        cleaned = super().clean()
        client, fallback = cleaned.get("client"), cleaned.get("fallback_approver")
        if client is None:  # the client field reports its own error
            return cleaned
        for name, contacts in (
            ("approvers", cleaned.get("approvers", ())),
            ("fallback_approver", [fallback] if fallback else []),
        ):
            if errors := contacts_of_other_clients(contacts=contacts, client=client):
                self.add_error(name, errors)
        return cleaned


class EscalationStepInline(admin.StackedInline):
    model = EscalationStep
    formset = EscalationStepFormSet
    extra = 0
    ordering = ("position",)
    fields = (
        "position",
        "contacts",
        "agency_roles",
        "channel",
        "webhook_url",
        "wait_minutes",
        "severities",
        "business_hours",
    )
    filter_horizontal = ("contacts",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Ticked by their names: an array field's own widget is a text box that wants the stored
        # codes typed in ("on_call_lead, crisis_owner"; "1, 2"), which no page shows.
        if db_field.name in ("agency_roles", "severities"):
            return forms.TypedMultipleChoiceField(
                label=capfirst(db_field.verbose_name),
                choices=db_field.base_field.choices,
                coerce=db_field.base_field.to_python,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "client", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "client__name")
    list_select_related = ("client",)
    # By client, as German readers expect (umlauts beside their vowel); the model has no order.
    ordering = (alphabetical("client__name"), "client__name")
    inlines = [EscalationStepInline]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        # The add page opened for a client (?client=, the crisis page's link): its steps offer that
        # client's contacts at once. The unsaved policy only carries the id for the formset.
        if obj.pk is None and obj.client_id is None and request.method == "GET":
            obj.client_id = chosen_client_id(self.get_changeform_initial_data(request).get("client"))
        return super().get_formset_kwargs(request, obj, inline, prefix)

    def changelist_view(self, request, extra_context=None):
        # Said where policies are made: a client without one escalates to the agency only.
        missing = clients_without_escalation_policy(user=request.user)
        names = list(missing.values_list("name", flat=True)[:50])
        if names:
            messages.warning(
                request,
                _(
                    "Without an active escalation policy (their crises alert only the shift lead on call, "
                    "never the client's contacts): %(clients)s"
                )
                % {"clients": ", ".join(names)},
            )
        return super().changelist_view(request, extra_context)


@admin.register(OnCallShift)
class OnCallShiftAdmin(admin.ModelAdmin):
    form = OnCallShiftForm
    list_display = (
        short_column(OnCallShift, "starts_at"),
        short_column(OnCallShift, "ends_at"),
        "label",
        short_column(OnCallShift, "lead"),
        "counts",
    )
    list_filter = ("label", ("lead", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "starts_at"
    list_select_related = ("lead",)

    @admin.display(boolean=True, description=_("valid"))
    def counts(self, shift: OnCallShift) -> bool:
        """A shift stored before its holder was checked: held by anyone but an active shift lead or
        admin, it is ignored (nobody is on call then), so the roster shows the gap."""
        return shift.lead.may_be_on_call

    def changeform_view(self, request, *args, **kwargs):
        # A save holds the roster lock from the form's validation (the overlap check) to the
        # commit; the admin's own transaction around the view keeps it.
        with transaction.atomic():
            if request.method == "POST":
                on_call_roster_lock()
            return super().changeform_view(request, *args, **kwargs)


class ChannelThresholdInline(admin.TabularInline):
    model = ChannelUnansweredThreshold
    extra = 0


@admin.register(DetectionSettings)
class DetectionSettingsAdmin(admin.ModelAdmin):
    list_display = (
        short_column(DetectionSettings, "client"),
        "is_active",
        "window_minutes",
        "baseline_days",
        short_column(DetectionSettings, "z_threshold", _("z threshold")),
        "minimum_count",
        short_column(DetectionSettings, "unanswered_threshold", _("unanswered per channel")),
    )
    list_select_related = ("client",)
    ordering = (alphabetical("client__name"), "client__name")
    inlines = [ChannelThresholdInline]


@admin.register(ApprovalSettings)
class ApprovalSettingsAdmin(admin.ModelAdmin):
    form = ApprovalSettingsForm
    list_display = (
        short_column(ApprovalSettings, "client"),
        "rule",
        "reminder_minutes",
        "deadline_minutes",
        short_column(ApprovalSettings, "fallback_approver", label_field="name"),
    )
    list_select_related = ("client", "fallback_approver")
    ordering = (alphabetical("client__name"), "client__name")
    filter_horizontal = ("approvers",)


@admin.register(HoldingStatement)
class HoldingStatementAdmin(admin.ModelAdmin):
    list_display = ("title", "client", "is_pre_approved", "is_active")
    list_filter = ("is_pre_approved", "is_active", "client")
    search_fields = ("title", "text")


@admin.register(RecipientLanguage)
class RecipientLanguageAdmin(admin.ModelAdmin):
    list_display = ("__str__", "language")
    raw_id_fields = ("contact", "user")


class CrisisEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CrisisEvent
    fields = ("created_at", "kind", "actor", "actor_label", "data")
    readonly_fields = fields
    extra = 0


class NotificationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Notification
    fields = ("step", "round", "recipient_label", "channel", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields
    extra = 0


@admin.register(Crisis)
class CrisisAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: every change goes through the crisis page (services, events)."""

    list_display = (
        "title",
        short_column(Crisis, "client"),
        "severity",
        "status",
        short_column(Crisis, "owner", _("owner")),
        short_column(Crisis, "created_at"),
    )
    list_filter = ("status", "severity", "client")
    search_fields = ("title",)
    list_select_related = ("client", "owner")
    inlines = [NotificationInline, CrisisEventInline]


@admin.register(CrisisEvent)
class CrisisEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (short_column(CrisisEvent, "created_at"), short_column(CrisisEvent, "crisis"), "kind", "acted_by")
    list_filter = ("kind",)
    list_select_related = ("crisis", "actor")

    @admin.display(description=_("actor"))
    def acted_by(self, event: CrisisEvent) -> str:
        """The user, or for someone without an account here (a contact, the system) their label."""
        return str(event.actor) if event.actor else event.actor_label


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # The round, the attempts and the last error are on the notification's page.
    list_display = (
        short_column(Notification, "created_at"),
        short_column(Notification, "crisis"),
        "recipient_label",
        "channel",
        "status",
        short_column(Notification, "sent_at"),
    )
    list_filter = ("status", "channel")
    list_select_related = ("crisis",)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        short_column(Approval, "decided_at"),
        "draft",
        short_column(Approval, "contact", label_field="name"),
        "decision",
        "via",
    )
    list_select_related = ("draft", "contact")


@admin.register(SpikeAlert)
class SpikeAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # The z-score and when it calmed down are on the alert's page.
    list_display = (
        short_column(SpikeAlert, "created_at"),
        short_column(SpikeAlert, "client"),
        short_column(SpikeAlert, "channel", label_field="name"),
        "kind",
        "observed",
        short_column(SpikeAlert, "baseline", _("expected")),
        "status",
    )
    list_filter = ("kind", "status", "client")
    list_select_related = ("client", "channel")
