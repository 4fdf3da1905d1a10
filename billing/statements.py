"""Monthly statements (a selector module): what a client booked and what the agency delivered.

Booked hours and their price come from the coverage plans in force during the month, priced
by the same engine as the calculator with each plan's rate card version. Delivery figures
come from the inbox's items, aggregated in PostgreSQL (counts and percentile_cont).

Hook for other apps: billing never imports crises. An app that wants rows on the statement
(e.g. "crises opened: 2") registers a provider once, in its AppConfig.ready():

    from billing.statements import register_statement_row_provider
    register_statement_row_provider(crisis_statement_rows)

A provider is called as provider(client=..., start=..., end=...) with the month's bounds as
aware datetimes and returns a list of StatementRow. Without providers there are no such rows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, DurationField, F, Q
from django.utils import timezone

from communityops.expressions import PercentileCont
from communityops.models import Client
from inbox.models import Item, OutboundAction
from inbox.sla import sla_met, sla_relevant

from .models import Quote
from .pricing import CATEGORIES, PricingInput, add_months, price_coverage
from .selectors import coverage_plans_overlapping


@dataclass(frozen=True)
class StatementRow:
    label: str
    value: str


StatementRowProvider = Callable[..., list[StatementRow]]
_row_providers: list[StatementRowProvider] = []


def register_statement_row_provider(provider: StatementRowProvider) -> None:
    if provider not in _row_providers:
        _row_providers.append(provider)


@dataclass
class Statement:
    client: Client
    month: date
    start: datetime
    end: datetime
    promised_minutes: int | None
    hours_by_category: dict[str, int]
    agent_hours: int
    labour: Decimal
    surcharges: Decimal
    channel_fees: Decimal
    crisis_fee: Decimal
    setup_fee: Decimal  # the one-off fee of an accepted quote whose plan starts this month
    items_received: int
    items_handled: int
    items_answered: int
    replies_sent: int
    median_response: timedelta | None
    p90_response: timedelta | None
    sla_due: int
    sla_met: int
    at: datetime  # when it was drawn up: a month not over by then is preliminary
    extra_rows: list[StatementRow] = field(default_factory=list)

    @property
    def is_running(self) -> bool:
        """The month is under way: its booked hours and price are the whole month's, its service
        figures so far."""
        return self.start <= self.at < self.end

    @property
    def is_future(self) -> bool:
        """The month has not begun: the booked hours and price are what the plans in force provide."""
        return self.at < self.start

    @property
    def covered_hours(self) -> int:
        return sum(self.hours_by_category.values())

    @property
    def net(self) -> Decimal:
        return self.labour + self.surcharges + self.channel_fees + self.crisis_fee + self.setup_fee

    @property
    def median_minutes(self) -> Decimal | None:
        return _minutes(self.median_response)

    @property
    def p90_minutes(self) -> Decimal | None:
        return _minutes(self.p90_response)

    @property
    def sla_share(self) -> Decimal | None:
        """Share of the items that needed an answer (inbox.sla) answered in time, in percent (1 decimal)."""
        if not self.sla_due:
            return None
        return (Decimal(self.sla_met) * 100 / self.sla_due).quantize(Decimal("0.1"))

    def category_rows(self) -> list[tuple[str, int]]:
        return [(name, self.hours_by_category[name]) for name in CATEGORIES if self.hours_by_category.get(name)]


def _minutes(duration: timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / 60).quantize(Decimal("0.1"))


def client_statement(*, client: Client, year: int, month: int, now: datetime | None = None) -> Statement:
    """The statement of `client` for one calendar month in the client's time zone.

    Items count in the month they arrived. The SLA counts are the client report's
    (inbox.sla): items that needed an answer and were answered, or are still open past their
    due time at `now`; met when the first response came by the due time.
    """
    now = now or timezone.now()
    zone = ZoneInfo(client.time_zone)
    first_day = date(year, month, 1)
    next_first = add_months(first_day, 1)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(next_first.year, next_first.month, 1, tzinfo=zone)

    hours = dict.fromkeys(CATEGORIES, 0)
    agent_hours = 0
    labour = surcharges = channel_fees = crisis_fee = Decimal("0.00")
    plans = coverage_plans_overlapping(client=client, start=first_day, end=next_first)
    for plan in plans:
        segment = PricingInput(
            pattern=plan.pattern,
            federal_state=plan.federal_state,
            holidays_covered=plan.holidays_covered,
            channels=plan.channels,
            comments_per_month=plan.comments_per_month,
            response_minutes=plan.response_minutes,
            crisis_on_call=plan.crisis_on_call,
            start=max(first_day, plan.valid_from),
            until=min(next_first, plan.valid_until) if plan.valid_until else next_first,
            time_zone=client.time_zone,
            # A plan that ran the day before the 1st continues its shift into the 1st, as in its quote.
            carry_in=plan.valid_from < first_day,
        )
        priced = price_coverage(segment, plan.rate_card.terms(), include_setup_fee=False)
        for name, value in priced.hours_by_category.items():
            hours[name] += value
        agent_hours += priced.agent_hours
        labour += priced.labour
        surcharges += priced.surcharges
    if plans:
        # Monthly fees once, from the plan in force at the end of the month.
        current = plans[-1]
        terms = current.rate_card.terms()
        channel_fees = terms.channel_monthly_fee * current.channels
        crisis_fee = terms.crisis_on_call_monthly_fee if current.crisis_on_call else Decimal("0.00")
    # The one-off setup fee as the accepted quote priced it, in the month its plan starts (a plan
    # entered by hand promised none). Read here, not with the plans: the inbox reads those for every
    # due time. (An empty id list asks the database nothing.)
    starting = [plan.quote_id for plan in plans if plan.quote_id and plan.valid_from >= first_day]
    fees = Quote.objects.filter(pk__in=starting).values_list("result__setup_fee", flat=True)
    setup_fee = sum((Decimal(fee) for fee in fees), Decimal("0.00"))

    items = Item.objects.filter(client=client, received_at__gte=start, received_at__lt=end)
    answered = Q(first_response_at__isnull=False)
    response_time = F("first_response_at") - F("received_at")
    figures = items.aggregate(
        received=Count("pk"),
        handled=Count("pk", filter=~Q(status__in=Item.OPEN_STATUSES)),
        answered=Count("pk", filter=answered),
        median=PercentileCont(response_time, percentile=0.5, filter=answered, output_field=DurationField()),
        p90=PercentileCont(response_time, percentile=0.9, filter=answered, output_field=DurationField()),
        sla_due=Count("pk", filter=sla_relevant(now=now)),
        sla_met=Count("pk", filter=sla_met(now=now)),
    )
    replies = OutboundAction.objects.filter(
        item__client=client,
        kind=OutboundAction.Kind.REPLY,
        status=OutboundAction.Status.SENT,
        sent_at__gte=start,
        sent_at__lt=end,
    ).count()
    extra_rows = [row for provider in _row_providers for row in provider(client=client, start=start, end=end)]
    return Statement(
        client=client,
        month=first_day,
        start=start,
        end=end,
        promised_minutes=plans[-1].response_minutes if plans else None,
        hours_by_category=hours,
        agent_hours=agent_hours,
        labour=labour,
        surcharges=surcharges,
        channel_fees=channel_fees,
        crisis_fee=crisis_fee,
        setup_fee=setup_fee,
        items_received=figures["received"],
        items_handled=figures["handled"],
        items_answered=figures["answered"],
        replies_sent=replies,
        median_response=figures["median"],
        p90_response=figures["p90"],
        sla_due=figures["sla_due"],
        sla_met=figures["sla_met"],
        at=now,
        extra_rows=extra_rows,
    )
