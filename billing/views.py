"""The public calculator, shared quotes and monthly statements: thin views over services/selectors."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST
from rest_framework.throttling import ScopedRateThrottle

from communityops.csv_export import csv_response
from communityops.models import FederalState
from communityops.selectors import client_get_for_user

from .forms import (
    PRESET_LABELS,
    CalculatorForm,
    QuoteContactForm,
    QuoteRequestForm,
    cell_values,
    default_calculator_data,
    week_grid_context,
)
from .models import CATEGORY_LABELS
from .pricing import PRESETS
from .selectors import quote_get_by_token, rate_card_current
from .services import quote_create, quote_price, quote_request
from .statements import Statement, client_statement

CALCULATOR_TEMPLATE = "billing/calculator.html"
# The tokens of the quotes this browser saved (the latest few), whose request form it finds filled in.
SAVED_QUOTES_SESSION_KEY = "billing_saved_quotes"
SAVED_QUOTES_REMEMBERED = 20


def breakdown_context(result: dict) -> dict:
    """Template context for a priced result in its JSON form (live or saved: the same shape)."""
    # Quotes saved before contract months were counted priced each calendar month as a month.
    contract_months = result.get("contract_months", len(result["months"]))
    return {
        "result": result,
        "contract_months": contract_months,
        "partial_last_month": len(result["months"]) > contract_months,
        # The period's first and last day (the result's end is the day after it), shown as dates.
        "period_first": date.fromisoformat(result["period_start"]),
        "period_last": date.fromisoformat(result["period_end"]) - timedelta(days=1),
        "category_rows": [
            {**row, "label": CATEGORY_LABELS[row["category"]]} for row in result["categories"] if row["hours"]
        ],
        "month_rows": [
            {
                **month,
                "date": date.fromisoformat(month["month"]),
                "fees": sum(Decimal(month[name]) for name in ("channel_fees", "crisis_fee", "setup_fee")),
            }
            for month in result["months"]
        ],
    }


def _calculator_context(form: CalculatorForm) -> dict:
    context = {
        "form": form,
        "presets": [
            {"key": key, "label": PRESET_LABELS[key], "cells": " ".join(cell_values(pattern))}
            for key, pattern in PRESETS.items()
        ],
        "nav": "pricing",
    }
    if form.is_valid():
        _rate_card, result = quote_price(pricing_input=form.pricing_input(today=timezone.localdate()))
        context.update(breakdown_context(result.to_dict()))
    return context


def _calculator_page(request, form: CalculatorForm, contact_form: QuoteContactForm, *, status: int = 200):
    return render(
        request, CALCULATOR_TEMPLATE, {**_calculator_context(form), "contact_form": contact_form}, status=status
    )


def calculator(request):
    """GET: the calculator with sensible defaults. POST (no JavaScript): recalculate the page, the
    name and email kept as typed (checked when the quote is saved, like the live price ignores them)."""
    if request.method == "POST":
        return _calculator_page(request, CalculatorForm(data=request.POST), QuoteContactForm(initial=request.POST))
    return _calculator_page(request, CalculatorForm(data=default_calculator_data()), QuoteContactForm())


@require_POST
def calculator_preview(request):
    """The HTMX fragment: the breakdown (or the errors) for the form as it stands."""
    form = CalculatorForm(data=request.POST)
    return TemplateResponse(request, f"{CALCULATOR_TEMPLATE}#breakdown", _calculator_context(form))


class _PublicScope:
    """What REST framework's scoped throttle reads from a view: the rate's name in the settings."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


class _EveryoneThrottle(ScopedRateThrottle):
    """One counter for all clients together (a cap however many addresses a script uses)."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": "everyone"}


def _throttled(request, scope: str, *, also_everyone: bool = False) -> bool:
    """The public pages' share of the API's rate limits (per client address, REST framework's
    cache-backed counter; `also_everyone`: and a cap for all together, scope + "_everyone"), so a
    script cannot save quotes or mail the agency without end."""
    if not ScopedRateThrottle().allow_request(request, _PublicScope(scope)):
        return True
    return also_everyone and not _EveryoneThrottle().allow_request(request, _PublicScope(f"{scope}_everyone"))


@require_POST
def quote_save(request):
    if _throttled(request, "public_quote"):
        return HttpResponse(_("Too many requests from your address; please try again in a minute."), status=429)
    form = CalculatorForm(data=request.POST)
    contact_form = QuoteContactForm(data=request.POST)
    if not all([form.is_valid(), contact_form.is_valid()]):  # both, so every error shows at once
        return _calculator_page(request, form, contact_form, status=400)
    quote = quote_create(
        pricing_input=form.pricing_input(today=timezone.localdate()),
        name=contact_form.cleaned_data["name"],
        email=contact_form.cleaned_data["email"],
    )
    saved = request.session.get(SAVED_QUOTES_SESSION_KEY, [])
    request.session[SAVED_QUOTES_SESSION_KEY] = [*saved, quote.token][-SAVED_QUOTES_REMEMBERED:]
    return redirect("billing:quote_detail", token=quote.token)


def _quote_page(request, quote, *, request_form: QuoteRequestForm | None = None, status: int = 200):
    pricing_input = quote.pricing
    # Whoever holds the link sees the page and the name the quote was saved with ("For ..."), but not
    # the creator's address: only the browser that saved the quote finds it filled in (elsewhere the
    # form may be sent without one, QuoteRequestForm).
    saved_here = quote.token in request.session.get(SAVED_QUOTES_SESSION_KEY, [])
    context = {
        "quote": quote,
        "pricing_input": pricing_input,
        "federal_state_name": FederalState(pricing_input.federal_state).label,
        **week_grid_context(set(cell_values(pricing_input.pattern)), editable=False),
        "nav": "pricing",
        "is_current_rate_card": quote.rate_card_id == rate_card_current().pk,
        "open_months": True,
        "request_form": request_form
        or QuoteRequestForm(
            initial={"name": quote.name, "email": quote.email if saved_here else ""}, saved_email=quote.email
        ),
        **breakdown_context(quote.result),
    }
    return render(request, "billing/quote_detail.html", context, status=status)


@require_GET
def quote_detail(request, token: str):
    return _quote_page(request, quote_get_by_token(token=token))


@require_POST
def quote_request_view(request, token: str):
    """The prospect asks the agency to take the quote up (public, like the quote itself)."""
    quote = quote_get_by_token(token=token)
    form = QuoteRequestForm(data=request.POST, saved_email=quote.email)
    if not form.is_valid():  # a typo costs no share of the limit
        return _quote_page(request, quote, request_form=form, status=400)
    if quote.requested_at is not None or quote.accepted_at is not None:  # nor a second click
        messages.info(request, _("This quote was requested already; we will get back to you."))
        return redirect("billing:quote_detail", token=quote.token)
    if _throttled(request, "public_quote_request", also_everyone=True):
        return HttpResponse(_("Too many requests; please try again later or call us."), status=429)
    quote_request(quote=quote, **form.cleaned_data)
    messages.success(request, _("Thank you. We will get back to you within one working day."))
    return redirect("billing:quote_detail", token=quote.token)


def _statement_for_request(request, client_id: int, year: int, month: int) -> Statement:
    """Agency admins and shift leads see every client's statement, a client contact only their own
    (another client's is a 404, as for every scoped lookup); agents have no business here."""
    user = request.user
    if user.is_agency_staff and not user.is_shift_lead_or_admin:
        raise PermissionDenied
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    client = client_get_for_user(user=user, client_id=client_id)
    return client_statement(client=client, year=year, month=month)


@login_required
def statement_current(request, client_id: int):
    today = timezone.localdate()
    return redirect("billing:statement", client_id=client_id, year=today.year, month=today.month)


@login_required
def statement_detail(request, client_id: int, year: int, month: int):
    statement = _statement_for_request(request, client_id, year, month)
    previous_month = date(year - (month == 1), 12 if month == 1 else month - 1, 1)
    next_month = date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return render(
        request,
        "billing/statement.html",
        {
            "statement": statement,
            "category_rows": [(CATEGORY_LABELS[name], hours) for name, hours in statement.category_rows()],
            "previous_month": previous_month,
            "next_month": next_month,
            "base_template": "agent_base.html" if request.user.is_agency_staff else "portal_base.html",
            "nav": "clients" if request.user.is_agency_staff else "portal",
        },
    )


@login_required
def statement_csv(request, client_id: int, year: int, month: int):
    statement = _statement_for_request(request, client_id, year, month)
    state = _("Forecast") if statement.is_future else _("Preliminary") if statement.is_running else _("Final")
    rows = [(_("Statement"), _("Status"), state)]
    rows += [(_("Booked hours"), CATEGORY_LABELS[name], hours) for name, hours in statement.category_rows()]
    rows += [
        (_("Price"), label, value)
        for label, value in [
            (_("Covered hours"), statement.covered_hours),
            (_("Agent hours"), statement.agent_hours),
            (_("Labour (EUR)"), statement.labour),
            (_("Surcharges (EUR)"), statement.surcharges),
            (_("Channel fees (EUR)"), statement.channel_fees),
            (_("Crisis on-call (EUR)"), statement.crisis_fee),
            (_("One-off setup (EUR)"), statement.setup_fee),
            (_("Net (EUR)"), statement.net),
        ]
    ]
    rows += [
        (_("Service"), label, value)
        for label, value in [
            (_("Items received"), statement.items_received),
            (_("Items handled"), statement.items_handled),
            (_("Items answered"), statement.items_answered),
            (_("Replies sent"), statement.replies_sent),
            (_("Promised response time (minutes)"), statement.promised_minutes),
            (_("Median first response (minutes)"), statement.median_minutes),
            (_("90th percentile first response (minutes)"), statement.p90_minutes),
            (_("Items due within the statement"), statement.sla_due),
            (_("Answered within SLA"), statement.sla_met),
            (_("Share within SLA (%)"), statement.sla_share),
        ]
    ]
    rows += [(_("Other"), row.label, row.value) for row in statement.extra_rows]
    return csv_response(
        filename=f"statement-{statement.client.slug}-{year:04d}-{month:02d}.csv",
        # "item" alone is the inbox's word for a comment (Beitrag); here it is a statement line (Posten).
        header=[_("Section"), pgettext("statement line", "Item"), _("Value")],
        rows=rows,
    )
