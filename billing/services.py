"""Writes of billing: rate card versions, saved quotes, a prospect's request, accepting a quote into a
coverage plan, deleting a quote never accepted."""

import secrets
from datetime import date, datetime

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_q.tasks import async_task

from communityops.models import Client, FederalState, User

from .lock_objects import (
    client_plans_changing_lock,
    coverage_plan_qs_select_for_update,
    quote_qs_select_for_update,
    rate_cards_publishing_lock,
)
from .models import BillingEvent, CoveragePlan, Quote, RateCard, euro_amount
from .pricing import PriceQuote, PricingInput, WeeklyPattern, price_coverage
from .selectors import client_local_date, rate_card_current


class QuoteDeleteRefused(Exception):
    """quotes_delete refused: an accepted quote is a business record; the message is for the user."""


class QuoteAcceptRefused(Exception):
    """quote_accept refused to accept; the message is for the user."""


class QuoteAlreadyAccepted(QuoteAcceptRefused):
    """quote_accept on a quote that was accepted before."""


class PlanStartInThePast(QuoteAcceptRefused):
    """quote_accept with a start before today: the plan would rewrite past statements and due times."""


class QuoteForAnotherState(QuoteAcceptRefused):
    """quote_accept for a client in another federal state than the quote was priced for: its plan
    would count that state's public holidays, while the client's page and escalation go by its own."""


def quote_price(*, pricing_input: PricingInput, rate_card: RateCard | None = None) -> tuple[RateCard, PriceQuote]:
    """Price an input with the given (default: the current) rate card. Reads only; the page,
    the API and saved quotes all go through here so they cannot disagree."""
    rate_card = rate_card or rate_card_current()
    return rate_card, price_coverage(pricing_input, rate_card.terms())


@transaction.atomic
def rate_card_publish(*, acting_user: User | None, terms: dict, note: str = "") -> RateCard:
    """Create the next rate card version; older versions stay as they were (quotes point at them).

    Of two admins publishing at once, the second waits for the first (lock_objects.
    rate_cards_publishing_lock) and publishes the version after it.
    """
    rate_cards_publishing_lock()
    newest = RateCard.objects.order_by("-version").first()
    rate_card = RateCard.objects.create(
        version=(newest.version + 1) if newest else 1,
        note=note,
        created_by=acting_user,
        **{name: terms[name] for name in RateCard.TERM_FIELDS},
    )
    BillingEvent.objects.create(
        kind=BillingEvent.Kind.RATE_CARD_PUBLISHED,
        actor=acting_user,
        rate_card=rate_card,
        data={"version": rate_card.version},
    )
    return rate_card


@transaction.atomic
def quote_create(*, pricing_input: PricingInput, name: str = "", email: str = "") -> Quote:
    """Save a priced quote under an unguessable token (anyone may call: the calculator is public)."""
    rate_card, result = quote_price(pricing_input=pricing_input)
    quote = Quote.objects.create(
        token=secrets.token_urlsafe(24),
        name=name,
        email=email,
        pricing_input=pricing_input.to_dict(),
        result=result.to_dict(),
        rate_card=rate_card,
        net=result.net,
        vat=result.vat,
        gross=result.gross,
        monthly_average_net=result.monthly_average_net,
    )
    BillingEvent.objects.create(kind=BillingEvent.Kind.QUOTE_SAVED, quote=quote, data={"gross": str(result.gross)})
    return quote


QUOTE_REQUEST_NOTIFY_TASK = "billing.tasks.quote_request_notify_task"


@transaction.atomic
def quote_request(*, quote: Quote, name: str, email: str, message: str = "") -> bool:
    """The prospect asks the agency to take the quote up: who to answer is kept with the quote (beside
    the name and email it was saved with, which stay) and the agency's admins get an email (after
    commit). Returns False for a quote already requested or accepted (nothing is sent twice)."""
    quote = quote_qs_select_for_update().get(pk=quote.pk)
    if quote.requested_at is not None or quote.accepted_at is not None:
        return False
    quote.requester_name, quote.requester_email = name.strip(), email.strip()
    quote.request_message = message.strip()
    quote.requested_at = timezone.now()
    quote.save(update_fields=["requester_name", "requester_email", "request_message", "requested_at"])
    BillingEvent.objects.create(
        kind=BillingEvent.Kind.QUOTE_REQUESTED, quote=quote, data={"email": quote.requester_email}
    )
    quote_id = quote.pk
    transaction.on_commit(lambda: async_task(QUOTE_REQUEST_NOTIFY_TASK, quote_id))
    return True


@transaction.atomic
def quote_request_notify(*, quote: Quote) -> int:
    """Email the agency's admins that a prospect asked to take `quote` up; returns how many were told.

    Called by the notify task, which django-q2 may deliver twice: the quote's row is locked
    and `notified_at` records the mail, so a second run (also one that waited for the lock)
    sends nothing and returns 0. Unlike other side effects the mail is sent inside the
    transaction, before `notified_at` is set: a failed send raises, nothing is marked, and the
    task's retry sends it. Should the commit fail after a send, the retry sends again (twice
    rather than never). With no active admin with an address nothing is sent or marked.
    Emits QUOTE_REQUEST_NOTIFIED.
    """
    quote = quote_qs_select_for_update().get(pk=quote.pk)
    if quote.notified_at is not None:
        return 0
    admins = list(
        User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not admins:
        return 0
    _quote_request_email(quote=quote, admins=admins).send()
    quote.notified_at = timezone.now()
    quote.save(update_fields=["notified_at"])
    BillingEvent.objects.create(
        kind=BillingEvent.Kind.QUOTE_REQUEST_NOTIFIED, quote=quote, data={"recipients": len(admins)}
    )
    return len(admins)


def _quote_request_email(*, quote: Quote, admins: list[str]) -> EmailMessage:
    """The admins' email about a request, in the agency's language; replies go to the prospect."""
    with translation.override(settings.LANGUAGE_CODE):
        # The figures as the quote's page labels them: its headline (per month, net, without the setup
        # fee) and its totals.
        amounts = {
            name: euro_amount(quote.result[name]) for name in ("monthly_recurring_net", "setup_fee", "net", "gross")
        }
        subject = _("Quote requested: %(name)s, %(monthly_recurring_net)s € per month, net") % {
            "name": quote.requester_name,
            **amounts,
        }
        body = _(
            "%(name)s <%(email)s> asks you to take up quote %(number)s: %(monthly_recurring_net)s € per month, net"
            " (plus a one-off setup of %(setup_fee)s €); net total %(net)s €, gross total %(gross)s €."
            "\n\n%(message)s\n\nThe quote: %(quote_url)s\nAccept it for a client in the admin: %(admin_url)s\n"
        ) % {
            "name": quote.requester_name,
            "email": quote.requester_email,
            "number": quote.pk,
            **amounts,
            "message": quote.request_message or "—",
            "quote_url": settings.SITE_URL + reverse("billing:quote_detail", kwargs={"token": quote.token}),
            "admin_url": settings.SITE_URL + reverse("admin:billing_quote_change", args=[quote.pk]),
        }
    return EmailMessage(subject, body, to=admins, reply_to=[quote.requester_email])


@transaction.atomic
def coverage_plan_create(
    *,
    acting_user: User | None,
    client: Client,
    pattern: WeeklyPattern,
    federal_state: str,
    holidays_covered: bool,
    response_minutes: int,
    valid_from: date,
    channels: int = 1,
    comments_per_month: int = 1000,
    crisis_on_call: bool = False,
    rate_card: RateCard | None = None,
    quote: Quote | None = None,
) -> CoveragePlan:
    """Start a new plan for `client` on `valid_from`, closing the plan that was open until then.

    Two changes for one client at once take turns (lock_objects.client_plans_changing_lock): the
    second closes the plan the first made.
    A plan that has not started yet when the new one begins is ended at its own start (it never
    applies). Emits PLAN_CLOSED for the closed plan and PLAN_CREATED for the new one.
    """
    client_plans_changing_lock(client_id=client.pk)
    plans = list(coverage_plan_qs_select_for_update().filter(client=client))
    for plan in plans:
        if plan.valid_until is None or plan.valid_until > valid_from:
            if plan.valid_from >= valid_from:
                # It would never apply; the event keeps what it said.
                BillingEvent.objects.create(
                    kind=BillingEvent.Kind.PLAN_CLOSED,
                    actor=acting_user,
                    client=client,
                    data={"replaced_plan": plan.pk, "valid_from": plan.valid_from.isoformat(), "windows": plan.windows},
                )
                plan.delete()
                continue
            plan.valid_until = valid_from
            plan.save(update_fields=["valid_until"])
            BillingEvent.objects.create(
                kind=BillingEvent.Kind.PLAN_CLOSED,
                actor=acting_user,
                client=client,
                coverage_plan=plan,
                data={"valid_until": valid_from.isoformat()},
            )
    plan = CoveragePlan.objects.create(
        client=client,
        windows=[list(window) for window in pattern.windows()],
        federal_state=federal_state,
        holidays_covered=holidays_covered,
        response_minutes=response_minutes,
        channels=channels,
        comments_per_month=comments_per_month,
        crisis_on_call=crisis_on_call,
        rate_card=rate_card or rate_card_current(),
        valid_from=valid_from,
        quote=quote,
        created_by=acting_user,
    )
    BillingEvent.objects.create(
        kind=BillingEvent.Kind.PLAN_CREATED,
        actor=acting_user,
        client=client,
        coverage_plan=plan,
        data={"valid_from": valid_from.isoformat(), "windows": plan.windows},
    )
    return plan


def plan_start_earliest(*, client: Client, now: datetime | None = None) -> date:
    """The first day a new plan of `client` may start: today in the client's time zone (its
    statements and due times are counted in its days)."""
    return client_local_date(client=client, at=now or timezone.now())


def plan_start_check(*, client: Client, valid_from: date, now: datetime | None = None) -> None:
    """PlanStartInThePast (a translated message) for a plan starting before plan_start_earliest:
    the rule of quote_accept and of the admin's plan and accept forms."""
    earliest = plan_start_earliest(client=client, now=now)
    if valid_from < earliest:
        raise PlanStartInThePast(plan_start_in_the_past_message(earliest))


@transaction.atomic
def quote_accept(
    *,
    acting_user: User,
    quote: Quote,
    client: Client,
    valid_from: date | None = None,
    now: datetime | None = None,
) -> CoveragePlan:
    """Turn a saved quote into `client`'s coverage plan (agency admins and shift leads only).

    The plan keeps the quote's rate card version. Starts on `valid_from`, which cannot be before
    the client's today (plan_start_check, PlanStartInThePast: a plan in the past would rewrite sent
    statements and due times); without it on the quote's period start, or the client's today when
    that has passed. A quote can be accepted once (QuoteAlreadyAccepted), and only for a client in the
    federal state it was priced for (QuoteForAnotherState: the holidays). The refusals carry a
    translated message to show.
    """
    if not acting_user.is_shift_lead_or_admin:
        raise PermissionError(_("Only admins and shift leads accept quotes."))
    now = now or timezone.now()
    if valid_from is not None:
        plan_start_check(client=client, valid_from=valid_from, now=now)
    today = plan_start_earliest(client=client, now=now)
    quote = quote_qs_select_for_update().get(pk=quote.pk)
    if quote.accepted_at is not None:
        raise QuoteAlreadyAccepted(_("This quote has already been accepted."))
    pricing_input = quote.pricing
    if pricing_input.federal_state != client.federal_state:
        raise QuoteForAnotherState(
            _(
                "This quote was priced with the public holidays of %(quoted)s, but %(client)s is in %(state)s: "
                "its coverage plan would count the wrong holidays. Price the pattern again for %(state)s, or "
                "correct the client's federal state."
            )
            % {
                "quoted": FederalState(pricing_input.federal_state).label,
                "client": client.name,
                "state": FederalState(client.federal_state).label,
            }
        )
    plan = coverage_plan_create(
        acting_user=acting_user,
        client=client,
        pattern=pricing_input.pattern,
        federal_state=pricing_input.federal_state,
        holidays_covered=pricing_input.holidays_covered,
        response_minutes=pricing_input.response_minutes,
        valid_from=valid_from or max(pricing_input.start, today),
        channels=pricing_input.channels,
        comments_per_month=pricing_input.comments_per_month,
        crisis_on_call=pricing_input.crisis_on_call,
        rate_card=quote.rate_card,
        quote=quote,
    )
    quote.accepted_at = now
    quote.accepted_by = acting_user
    quote.client = client
    quote.save(update_fields=["accepted_at", "accepted_by", "client"])
    BillingEvent.objects.create(
        kind=BillingEvent.Kind.QUOTE_ACCEPTED,
        actor=acting_user,
        client=client,
        quote=quote,
        coverage_plan=plan,
        data={"valid_from": plan.valid_from.isoformat(), "quoted_start": pricing_input.start.isoformat()},
    )
    return plan


def plan_start_in_the_past_message(today: date) -> str:
    """Why a plan cannot start before `today`, for the service's refusal and the admin's form."""
    return _(
        "A coverage plan cannot start in the past: it would change statements and due times already"
        " given. Choose %(today)s or a later date."
    ) % {"today": date_format(today, "SHORT_DATE_FORMAT")}


def quotes_deletable_check(*, quotes: list[Quote]) -> None:
    """QuoteDeleteRefused, naming them, if any of `quotes` was accepted: its client's coverage plan,
    statements (the setup fee) and billing events read it."""
    accepted = [str(quote) for quote in quotes if quote.accepted_at is not None]
    if accepted:
        raise QuoteDeleteRefused(
            ngettext(
                "An accepted quote is a business record and cannot be deleted: %(quotes)s.",
                "Accepted quotes are business records and cannot be deleted: %(quotes)s.",
                len(accepted),
            )
            % {"quotes": "; ".join(accepted)}
        )


@transaction.atomic
def quotes_delete(*, acting_user: User, quote_ids: list[int]) -> int:
    """Delete quotes that were never accepted, with their billing events: a prospect's name, email
    and message go with them (data protection: nothing else keeps a quote nobody took up). Needs
    the permission to delete quotes (PermissionError). Locks the quotes first
    (quote_qs_select_for_update, as quote_accept does), so one accepted meanwhile is found accepted:
    QuoteDeleteRefused, and nothing is deleted. Returns how many quotes were deleted."""
    if not acting_user.has_perm("billing.delete_quote"):
        raise PermissionError(_("You may not delete quotes."))
    quotes = list(quote_qs_select_for_update().filter(pk__in=quote_ids))
    quotes_deletable_check(quotes=quotes)
    Quote.objects.filter(pk__in=[quote.pk for quote in quotes]).delete()
    # The admin's history names a quote by its str(), the prospect's name or address among it: its
    # entries for these quotes (their deletion, logged just before, included) keep only the number.
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Quote), object_id__in=[str(quote.pk) for quote in quotes]
    ).update(object_repr=Concat(Value(f"{_('Quote')} "), F("object_id")))
    return len(quotes)
