"""Billing: versioned rate cards, saved quotes, clients' coverage plans and their history."""

from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from communityops.alphabetical import alphabetical
from communityops.models import Client, FederalState

from .pricing import RESPONSE_TIME_CHOICES, PricingInput, RateTerms, WeeklyPattern

RESPONSE_TIME_FIELD_CHOICES = [
    (15, _("15 minutes")),
    (30, _("30 minutes")),
    (60, _("1 hour")),
    (240, _("4 hours")),
]
assert tuple(minutes for minutes, _label in RESPONSE_TIME_FIELD_CHOICES) == RESPONSE_TIME_CHOICES


CATEGORY_LABELS = {
    "weekday_day": _("Weekday, day (06–20)"),
    "weekday_night": _("Weekday, night (20–06)"),
    "weekday_deep_night": _("Weekday, 00–04 after a shift from before midnight"),
    "sunday_day": _("Sunday, day"),
    "sunday_night": _("Sunday, night"),
    "sunday_deep_night": _("Sunday, 00–04 after a shift from before midnight"),
    "holiday_day": _("Public holiday / 31 Dec afternoon, day"),
    "holiday_night": _("Public holiday / 31 Dec afternoon, night"),
    "holiday_deep_night": _("Public holiday, 00–04 after a shift from before midnight"),
    "special_holiday_day": _("24 Dec afternoon / 25–26 Dec / 1 May, day"),
    "special_holiday_night": _("24 Dec afternoon / 25–26 Dec / 1 May, night"),
    "special_holiday_deep_night": _("25–26 Dec / 1 May, 00–04 after a shift from before midnight"),
}


def euro_amount(value: Decimal | str) -> str:
    """An amount in euros as the active language writes it, without the sign: "7.729,38"."""
    return number_format(Decimal(value), decimal_pos=2, use_l10n=True, force_grouping=True)


def _money(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal(0))], **kwargs
    )


def _percent(verbose_name, default):
    return models.DecimalField(
        verbose_name,
        max_digits=6,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1000))],
    )


class RateCard(models.Model):
    """One version of the price list. Rows are never edited: a change is a new version."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    base_hourly_rate = _money(_("base rate per agent hour (EUR)"), default=Decimal("42.00"))
    night_pct = _percent(_("night surcharge 20:00–06:00 (%)"), "25")
    deep_night_pct = _percent(_("night surcharge 00:00–04:00 after a shift began before midnight (%)"), "40")
    sunday_pct = _percent(_("Sunday surcharge (%)"), "50")
    holiday_pct = _percent(_("public holiday and 31 Dec from 14:00 surcharge (%)"), "125")
    special_holiday_pct = _percent(_("24 Dec from 14:00, 25/26 Dec and 1 May surcharge (%)"), "150")
    channel_monthly_fee = _money(_("fee per channel and month (EUR)"), default=Decimal("90.00"))
    setup_fee = _money(_("one-off setup fee (EUR)"), default=Decimal("490.00"))
    crisis_on_call_monthly_fee = _money(_("crisis on-call fee per month (EUR)"), default=Decimal("350.00"))
    handling_minutes_per_item = models.DecimalField(
        _("handling minutes per item"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("4.00"),
        validators=[MinValueValidator(Decimal("0.25"))],
    )
    service_level_target_pct = models.DecimalField(
        _("service level target (% answered within the promised time)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80.00"),
        validators=[MinValueValidator(Decimal(1)), MaxValueValidator(Decimal("99.9"))],
    )
    vat_pct = _percent(_("VAT (%)"), "19")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    TERM_FIELDS = (
        "base_hourly_rate",
        "night_pct",
        "deep_night_pct",
        "sunday_pct",
        "holiday_pct",
        "special_holiday_pct",
        "channel_monthly_fee",
        "setup_fee",
        "crisis_on_call_monthly_fee",
        "handling_minutes_per_item",
        "service_level_target_pct",
        "vat_pct",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("rate card")
        verbose_name_plural = _("rate cards")

    def __str__(self) -> str:
        # The word outside the f-string, where makemessages finds it.
        label = _("Rate card")
        return f"{label} v{self.version}"

    def terms(self) -> RateTerms:
        return RateTerms(version=self.version, **{name: getattr(self, name) for name in self.TERM_FIELDS})


class Quote(models.Model):
    """A price worked out in the calculator and saved; reachable by whoever holds the token."""

    token = models.CharField(_("token"), max_length=64, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    pricing_input = models.JSONField(_("input"))
    result = models.JSONField(_("result"))
    rate_card = models.ForeignKey(
        RateCard, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("rate card")
    )
    net = _money(_("net (EUR)"))
    vat = _money(_("VAT (EUR)"))
    gross = _money(_("gross (EUR)"))
    monthly_average_net = _money(_("monthly average net (EUR)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The prospect asked the agency to take it up (the quote page's request form), maybe someone
    # else than who saved it: name and email above stay as saved.
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    requester_name = models.CharField(_("requested by"), max_length=200, blank=True)
    requester_email = models.EmailField(_("email of who requested it"), blank=True)
    request_message = models.TextField(_("message with the request"), blank=True, max_length=2000)
    # The admins' email about the request went out (the notify task may be delivered twice).
    notified_at = models.DateTimeField(_("admins notified"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="quotes", verbose_name=_("client")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")

    def __str__(self) -> str:
        gross = euro_amount(self.gross)
        # The word outside the f-string, where makemessages finds it.
        label = _("Quote")
        who = self.name or self.requester_name or self.email or self.requester_email or "—"
        return f"{label} {self.pk} · {who} · {gross} EUR"

    @cached_property
    def pricing(self) -> PricingInput:
        """The stored pricing input, read (ValueError for one that does not read)."""
        return PricingInput.from_dict(self.pricing_input)


class CoveragePlan(models.Model):
    """The hours a client has booked. Versioned: a new plan closes the open one the day it starts."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="coverage_plans", verbose_name=_("client")
    )
    windows = models.JSONField(
        _("weekly windows"),
        help_text=_("List of [weekday (0 = Monday), start hour, end hour], e.g. [[0, 18, 24]] for Monday 18:00–24:00."),
    )
    federal_state = models.CharField(_("federal state"), max_length=2, choices=FederalState.choices)
    holidays_covered = models.BooleanField(_("public holidays covered"), default=False)
    response_minutes = models.PositiveSmallIntegerField(
        _("promised response time"), choices=RESPONSE_TIME_FIELD_CHOICES, default=60
    )
    channels = models.PositiveSmallIntegerField(_("channels"), default=1)
    comments_per_month = models.PositiveIntegerField(_("expected comments per month"), default=1000)
    crisis_on_call = models.BooleanField(_("crisis on-call"), default=False)
    rate_card = models.ForeignKey(
        RateCard, on_delete=models.PROTECT, related_name="coverage_plans", verbose_name=_("rate card")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until (exclusive)"), null=True, blank=True)
    quote = models.ForeignKey(
        Quote, on_delete=models.SET_NULL, null=True, blank=True, related_name="coverage_plans", verbose_name=_("quote")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = [alphabetical("client__name"), "client__name", "-valid_from"]
        verbose_name = _("coverage plan")
        verbose_name_plural = _("coverage plans")
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(valid_until__isnull=True), name="coverage_plan_one_open_per_client"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("valid_from")),
                name="coverage_plan_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["client", "valid_from"], name="coverage_plan_lookup")]

    def __str__(self) -> str:
        return f"{self.client} · {self.period}"

    @property
    def period(self) -> str:
        """From and until as the active language writes them, "01.01.2026 – …" (admin lists, messages)."""
        until = date_format(self.valid_until, "SHORT_DATE_FORMAT") if self.valid_until else "…"
        return f"{date_format(self.valid_from, 'SHORT_DATE_FORMAT')} – {until}"

    @property
    def pattern(self) -> WeeklyPattern:
        return WeeklyPattern.from_windows(tuple(window) for window in self.windows)

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


class BillingEvent(models.Model):
    """Append-only history of quotes, plans and rate cards: who did what, when."""

    class Kind(models.TextChoices):
        RATE_CARD_PUBLISHED = "rate_card_published", _("Rate card published")
        QUOTE_SAVED = "quote_saved", _("Quote saved")
        QUOTE_REQUESTED = "quote_requested", _("Quote requested")
        QUOTE_REQUEST_NOTIFIED = "quote_request_notified", _("Admins notified of the request")
        QUOTE_ACCEPTED = "quote_accepted", _("Quote accepted")
        PLAN_CREATED = "plan_created", _("Coverage plan created")
        PLAN_CLOSED = "plan_closed", _("Coverage plan closed")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("actor")
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("client")
    )
    quote = models.ForeignKey(
        Quote, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("quote")
    )
    coverage_plan = models.ForeignKey(
        CoveragePlan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("coverage plan"),
    )
    rate_card = models.ForeignKey(
        RateCard, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("rate card")
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("billing event")
        verbose_name_plural = _("billing events")

    def __str__(self) -> str:
        created = date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} · {created}"
