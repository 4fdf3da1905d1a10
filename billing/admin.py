"""Admin: rate card edits publish a new version; quotes are read-only; plans are versioned."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from communityops.admin_columns import short_column
from communityops.models import Client
from communityops.permissions import ReadOnlyAdminMixin, ShiftLeadAdminActionsMixin

from .models import BillingEvent, CoveragePlan, Quote, RateCard
from .pricing import WeeklyPattern
from .services import (
    PlanStartInThePast,
    QuoteAcceptRefused,
    coverage_plan_create,
    plan_start_check,
    quote_accept,
    rate_card_publish,
)
from .validators import validate_window_hours


@admin.register(RateCard)
class RateCardAdmin(admin.ModelAdmin):
    list_display = ["version", "is_active", "base_hourly_rate", "channel_monthly_fee", "vat_pct", "created_at"]
    readonly_fields = ["version", "created_by", "created_at"]
    fields = ["version", "note", *RateCard.TERM_FIELDS, "created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        # Never overwrite a version that quotes and plans point at: publish the edit as a new one.
        published = rate_card_publish(
            acting_user=request.user,
            terms={name: form.cleaned_data[name] for name in RateCard.TERM_FIELDS},
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk, obj.version = published.pk, published.version
        messages.info(request, _("Saved as rate card version %(version)s.") % {"version": published.version})

    def has_delete_permission(self, request, obj=None):
        return False


def plan_start_form_check(form: forms.Form) -> None:
    """The form's start against its client's today (plan_start_check, the rule quote_accept keeps)."""
    client, valid_from = form.cleaned_data.get("client"), form.cleaned_data.get("valid_from")
    if client is None or valid_from is None:  # their fields report a missing value
        return
    try:
        plan_start_check(client=client, valid_from=valid_from)
    except PlanStartInThePast as error:
        form.add_error("valid_from", forms.ValidationError(str(error), code="past"))


class AcceptQuoteForm(forms.Form):
    client = forms.ModelChoiceField(label=_("client"), queryset=Client.objects.filter(is_active=True))
    valid_from = forms.DateField(
        label=_("valid from"),
        required=False,
        help_text=_(
            "Default: the start of the quoted period, or today if that has passed. Not before today "
            "(in the client's time zone)."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        plan_start_form_check(self)
        return cleaned


@admin.register(Quote)
class QuoteAdmin(ShiftLeadAdminActionsMixin, admin.ModelAdmin):
    # The email, the monthly average, the rate card and when it was requested are on the quote's
    # page (the search finds the email; the latter two are filters); who requested it says it was.
    list_display = [
        "pk",
        "name",
        "gross",
        short_column(Quote, "created_at"),
        "requester_name",
        short_column(Quote, "accepted_at"),
    ]
    list_filter = ["requested_at", "accepted_at", "rate_card"]
    search_fields = ["name", "email", "requester_name", "requester_email", "token"]
    readonly_fields = [field.name for field in Quote._meta.fields]
    actions = ["accept_for_client"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Accept for a client (creates its coverage plan)"), permissions=["shift_lead"])
    def accept_for_client(self, request, queryset):
        form = AcceptQuoteForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for quote in queryset:
                try:
                    plan = quote_accept(
                        acting_user=request.user,
                        quote=quote,
                        client=form.cleaned_data["client"],
                        valid_from=form.cleaned_data["valid_from"],
                    )
                except (QuoteAcceptRefused, PermissionError) as error:
                    self.message_user(request, f"{quote}: {error}", messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("%(quote)s accepted; the coverage plan starts on %(start)s.")
                        % {"quote": quote, "start": date_format(plan.valid_from, "SHORT_DATE_FORMAT")},
                        messages.SUCCESS,
                    )
            return None
        return render(
            request,
            "admin/billing/quote/accept.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Accept quotes"),
                "quotes": queryset,
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


class CoveragePlanForm(forms.ModelForm):
    class Meta:
        model = CoveragePlan
        fields = [
            "client",
            "windows",
            "federal_state",
            "holidays_covered",
            "response_minutes",
            "channels",
            "comments_per_month",
            "crisis_on_call",
            "rate_card",
            "valid_from",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A saved plan's page is view-only (no change permission): its form has no fields then.
        if "rate_card" in self.fields:
            self.fields["rate_card"].required = False
            self.fields["rate_card"].help_text = _("Default: the current rate card.")

    def clean(self):
        cleaned = super().clean()
        plan_start_form_check(self)
        return cleaned

    def clean_windows(self):
        windows = self.cleaned_data["windows"]
        try:
            windows = [tuple(int(part) for part in window) for window in windows]
            for _weekday, start_hour, end_hour in windows:
                validate_window_hours(start_hour, end_hour)
            pattern = WeeklyPattern.from_windows(windows)
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(_("Give windows as [[weekday, start hour, end hour], ...].")) from error
        if pattern.mask == 0:
            raise forms.ValidationError(_("Cover at least one hour."))
        return [list(window) for window in pattern.windows()]


@admin.register(CoveragePlan)
class CoveragePlanAdmin(admin.ModelAdmin):
    form = CoveragePlanForm
    list_display = [
        short_column(CoveragePlan, "client"),
        short_column(CoveragePlan, "valid_from"),
        short_column(CoveragePlan, "valid_until", _("until (exclusive)")),
        short_column(CoveragePlan, "response_minutes", _("response time")),
        short_column(CoveragePlan, "holidays_covered", _("holidays")),
        "federal_state",
    ]
    list_filter = ["client", "holidays_covered", "response_minutes"]
    list_select_related = ["client"]

    def has_change_permission(self, request, obj=None):
        # A plan is never edited: adding a new one closes the open plan on its start date.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = coverage_plan_create(
            acting_user=request.user,
            client=data["client"],
            pattern=WeeklyPattern.from_windows(tuple(window) for window in data["windows"]),
            federal_state=data["federal_state"],
            holidays_covered=data["holidays_covered"],
            response_minutes=data["response_minutes"],
            valid_from=data["valid_from"],
            channels=data["channels"],
            comments_per_month=data["comments_per_month"],
            crisis_on_call=data["crisis_on_call"],
            rate_card=data["rate_card"],
        )
        obj.pk = created.pk


@admin.register(BillingEvent)
class BillingEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        short_column(BillingEvent, "created_at"),
        "kind",
        short_column(BillingEvent, "actor"),
        short_column(BillingEvent, "client"),
        "subject",
    ]
    list_filter = ["kind"]
    list_select_related = ["actor", "client", "quote", "coverage_plan", "rate_card"]
    readonly_fields = [field.name for field in BillingEvent._meta.fields]

    @admin.display(description=_("concerns"))
    def subject(self, event: BillingEvent) -> str | None:
        """What the event is about, by a short name: its quote, else its coverage plan (by its dates:
        the client has its own column), else its rate card."""
        if event.quote_id:
            return f"{capfirst(Quote._meta.verbose_name)} {event.quote_id}"
        if event.coverage_plan_id:
            return f"{capfirst(CoveragePlan._meta.verbose_name)} {event.coverage_plan.period}"
        return str(event.rate_card) if event.rate_card_id else None
