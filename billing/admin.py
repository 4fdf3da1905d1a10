"""Admin: rate card edits publish a new version; quotes are read-only (in words) and accepted for a
client; plans are versioned."""

from datetime import timedelta
from itertools import groupby

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from communityops.admin_columns import short_column
from communityops.durations import duration_text
from communityops.models import Client, FederalState
from communityops.permissions import ReadOnlyAdminMixin, ShiftLeadAdminActionsMixin

from .forms import WEEKDAY_NAMES, WeekHoursField
from .models import BillingEvent, CoveragePlan, Quote, RateCard, euro_amount
from .pricing import WeeklyPattern
from .services import (
    PlanStartInThePast,
    QuoteAcceptRefused,
    QuoteDeleteRefused,
    coverage_plan_create,
    plan_start_check,
    quote_accept,
    quotes_deletable_check,
    quotes_delete,
    rate_card_publish,
)


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


def weekly_hours_in_words(pattern: WeeklyPattern) -> str:
    """The covered hours of a week, a line per run of days with the same hours:
    "Monday–Friday 17:00–22:00", "Saturday 10:00–14:00, 18:00–23:00" (a window past midnight shows
    on both days)."""
    hours_of_day = [[(start, end) for day, start, end in pattern.windows() if day == weekday] for weekday in range(7)]
    lines = []
    for hours, run in groupby(range(7), key=lambda weekday: hours_of_day[weekday]):
        if not hours:
            continue
        days = list(run)
        first, last = WEEKDAY_NAMES[days[0]], WEEKDAY_NAMES[days[-1]]
        day_names = first if len(days) == 1 else f"{first}–{last}"
        lines.append(f"{day_names} {', '.join(f'{start:02d}:00–{end:02d}:00' for start, end in hours)}")
    return "\n".join(lines)


def _quote_amount(name: str, label):
    """A readonly field of the quote's admin page: the amount `name` of its result, "7.729,38 €"."""

    @admin.display(description=label)
    def amount(model_admin, quote: Quote) -> str:
        return f"{euro_amount(quote.result[name])} €"

    return amount


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
    # The admins' email about a request links here: what was asked for in words, how to accept it (the
    # page's "Accept for a client" button, offered to shift leads and admins) and, once accepted, for whom.
    change_form_template = "admin/billing/quote/change_form.html"
    fieldsets = [
        (_("Acceptance"), {"fields": ["acceptance"]}),
        (
            _("Request"),
            {
                "fields": [
                    "requester_name",
                    "requester_email",
                    "request_message",
                    "requested_at",
                    "notified_at",
                    "name",
                    "email",
                    "created_at",
                    "prospect_page",
                ]
            },
        ),
        (
            _("What is covered"),
            {
                "fields": [
                    "weekly_hours",
                    "hours_per_week",
                    "federal_state",
                    "public_holidays",
                    "response_time",
                    "channels",
                    "comments_per_month",
                    "crisis_on_call",
                    "period",
                ]
            },
        ),
        (
            _("Price"),
            {
                "fields": [
                    "monthly_recurring_net",
                    "setup_fee",
                    "net_total",
                    "vat_total",
                    "gross_total",
                    "monthly_average",
                    "rate_card",
                ]
            },
        ),
        # As stored, for a look at a quote that does not read (the fields above then show "-").
        (_("Stored data"), {"fields": ["pricing_input", "result", "token"], "classes": ["collapse"]}),
    ]
    readonly_fields = flatten_fieldsets(fieldsets)
    actions = ["accept_for_client", "delete_selected"]
    # The price as the quote's page words it (the stored result's amounts).
    monthly_recurring_net = _quote_amount("monthly_recurring_net", _("per month, net"))
    setup_fee = _quote_amount("setup_fee", _("One-off setup"))
    net_total = _quote_amount("net", _("Net total"))
    vat_total = _quote_amount("vat", _("VAT"))
    gross_total = _quote_amount("gross", _("Gross total"))
    monthly_average = _quote_amount("monthly_average_net", _("Monthly average incl. setup, net"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # A quote never accepted may be deleted (the prospect's personal data goes with it); an accepted
    # one is a business record (quotes_deletable_check): no delete link, refused in the bulk action.

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.accepted_at is None)

    def get_deleted_objects(self, objs, request):
        # A quote's billing events go with it (one holds the requester's address): their admin being
        # read-only does not stop that.
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(BillingEvent._meta.verbose_name)
        return deleted, model_count, perms_needed, protected

    @admin.action(description=django_delete_selected.short_description, permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's bulk delete, refused in words for a selection with an accepted quote (Django's page
        would say the account lacks the permission to delete quotes)."""
        try:
            quotes_deletable_check(quotes=list(queryset))
        except QuoteDeleteRefused as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        # Django logs the deletions before delete_queryset, whose service may still refuse (a quote
        # accepted a moment ago): then no log entry claims a deletion that did not happen.
        with transaction.atomic():
            return django_delete_selected(self, request, queryset)

    def delete_model(self, request, obj):
        self.delete_queryset(request, Quote.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        try:
            quotes_delete(acting_user=request.user, quote_ids=list(queryset.values_list("pk", flat=True)))
        except QuoteDeleteRefused as error:  # accepted after the confirmation page was shown
            raise PermissionDenied(str(error)) from error

    def get_urls(self):
        accept = path(
            "<path:object_id>/accept/", self.admin_site.admin_view(self.accept_view), name="billing_quote_accept"
        )
        return [accept, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        may_accept = self.has_shift_lead_permission(request)
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "may_accept": may_accept})

    def accept_view(self, request, object_id: str) -> HttpResponse:
        """The quote page's button: the action's form for this one quote, then back to its page."""
        quote = self.get_object(request, object_id)
        if quote is None:
            raise Http404
        if not (self.has_view_permission(request, quote) and self.has_shift_lead_permission(request)):
            raise PermissionDenied
        return self.accept_quotes(request, [quote]) or redirect("admin:billing_quote_change", quote.pk)

    @admin.action(description=_("Accept for a client (creates its coverage plan)"), permissions=["shift_lead"])
    def accept_for_client(self, request, queryset):
        return self.accept_quotes(request, queryset, action_checkbox_name=ACTION_CHECKBOX_NAME)

    def accept_quotes(self, request, quotes, **template_context) -> HttpResponse | None:
        """The accept form for `quotes`; once sent valid, quote_accept for each, its outcome a message
        (None: the caller redirects)."""
        form = AcceptQuoteForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for quote in quotes:
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
                **template_context,
                "title": ngettext("Accept quote", "Accept quotes", len(quotes)),
                "quotes": quotes,
                "form": form,
                "opts": self.model._meta,
            },
        )

    @admin.display(description=_("status"))
    def acceptance(self, quote: Quote) -> str:
        """Not accepted yet, or for which client and into which coverage plan (both linked)."""
        if quote.accepted_at is None:
            return _("Not accepted yet.")
        client = format_html(
            '<a href="{}">{}</a>', reverse("admin:communityops_client_change", args=[quote.client_id]), quote.client
        )
        accepted = {
            "date": date_format(timezone.localtime(quote.accepted_at), "SHORT_DATETIME_FORMAT"),
            "user": quote.accepted_by,
            "client": client,
        }
        plan = quote.coverage_plans.first()
        if plan is None:  # replaced by a plan starting no later, before it began (coverage_plan_create)
            return format_html(
                _("Accepted on {date} by {user} for {client}; its coverage plan was replaced before it began."),
                **accepted,
            )
        return format_html(
            _("Accepted on {date} by {user} for {client}: coverage plan {plan}."),
            **accepted,
            plan=format_html(
                '<a href="{}">{}</a>', reverse("admin:billing_coverageplan_change", args=[plan.pk]), plan.period
            ),
        )

    @admin.display(description=_("quote as the prospect sees it"))
    def prospect_page(self, quote: Quote) -> str:
        url = reverse("billing:quote_detail", kwargs={"token": quote.token})
        return format_html('<a href="{}">{}</a>', url, _("Open the quote page"))

    # The pricing input in words (Quote.pricing raises ValueError for a quote that does not
    # read, which the admin shows as "-").

    @admin.display(description=_("Weekly hours"))
    def weekly_hours(self, quote: Quote) -> str:
        return weekly_hours_in_words(quote.pricing.pattern)

    @admin.display(description=_("Hours per week"))
    def hours_per_week(self, quote: Quote) -> int:
        return quote.pricing.pattern.hours_per_week()

    @admin.display(description=_("Federal state"))
    def federal_state(self, quote: Quote) -> str:
        return FederalState(quote.pricing.federal_state).label

    @admin.display(description=_("Public holidays"))
    def public_holidays(self, quote: Quote) -> str:
        return _("covered") if quote.pricing.holidays_covered else _("not covered")

    @admin.display(description=_("Promised response time"))
    def response_time(self, quote: Quote) -> str:
        return duration_text(quote.pricing.response_minutes)

    @admin.display(description=_("Channels"))
    def channels(self, quote: Quote) -> int:
        return quote.pricing.channels

    @admin.display(description=_("Expected comments per month"))
    def comments_per_month(self, quote: Quote) -> str:
        return number_format(quote.pricing.comments_per_month, force_grouping=True)

    @admin.display(description=_("Crisis on-call"))
    def crisis_on_call(self, quote: Quote) -> str:
        return _("yes") if quote.pricing.crisis_on_call else _("no")

    @admin.display(description=_("Period"))
    def period(self, quote: Quote) -> str:
        pricing_input = quote.pricing
        months = pricing_input.contract_months
        return ngettext("%(months)s month, %(start)s to %(end)s", "%(months)s months, %(start)s to %(end)s", months) % {
            "months": months,
            "start": date_format(pricing_input.start, "SHORT_DATE_FORMAT"),
            "end": date_format(pricing_input.end - timedelta(days=1), "SHORT_DATE_FORMAT"),
        }


class CoveragePlanForm(forms.ModelForm):
    # The calculator's week grid, not the stored windows' JSON: the hours checked become the plan's
    # windows (coverage_plan_create).
    hours = WeekHoursField(
        label=_("Covered hours"),
        help_text=_("Tip: use Tab and Space to toggle hours; a day's name toggles the whole day."),
    )

    class Meta:
        model = CoveragePlan
        fields = [
            "client",
            "hours",
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

    def get_readonly_fields(self, request, obj=None):
        # A saved plan's page (view-only, linked from its accepted quote) says its windows in words.
        return ["weekly_hours"] if obj else []

    def get_fields(self, request, obj=None):
        # ... instead of the grid, which is for adding a plan (shown read-only it said "None").
        fields = super().get_fields(request, obj)
        return [field for field in fields if field != "hours"] if obj else fields

    @admin.display(description=_("Weekly hours"))
    def weekly_hours(self, plan: CoveragePlan) -> str:
        return weekly_hours_in_words(plan.pattern)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = coverage_plan_create(
            acting_user=request.user,
            client=data["client"],
            pattern=data["hours"],
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
