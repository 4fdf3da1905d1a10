"""What other apps may ask billing. The inbox asks when an item is due and who is covered now."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.shortcuts import get_object_or_404

from communityops.alphabetical import alphabetical_key
from communityops.models import Client

from .coverage import (
    ALWAYS_COVERED,
    CoverageSchedule,
    CoverageStatus,
    CoverageTimeline,
    coverage_status,
    sla_due_at,
)
from .models import CoveragePlan, Quote, RateCard

# The loaded plans live on the Client instance for as long as the caller keeps it (one request,
# one ingestion batch), so a burst of items costs one query and a plan change is seen by the
# next request at once; a process-wide cache would need invalidation across workers.
_PLANS_ATTRIBUTE = "_billing_coverage_plans"
_TIMELINE_ATTRIBUTE = "_billing_coverage_timeline"


def rate_card_current() -> RateCard:
    """The newest active rate card (the data migration seeds version 1). Reads only: without an
    active rate card there is no price, and that is said, not papered over with a new card."""
    rate_card = RateCard.objects.filter(is_active=True).order_by("-version").first()
    if rate_card is None:
        raise RateCard.DoesNotExist(
            "No active rate card: migration billing.0002 seeds version 1; activate one in the admin."
        )
    return rate_card


def quote_get_by_token(*, token: str) -> Quote:
    """The share link is the permission: whoever holds the token may see the quote."""
    return get_object_or_404(Quote.objects.select_related("rate_card"), token=token)


def _client_plans(client: Client) -> list[CoveragePlan]:
    plans = client.__dict__.get(_PLANS_ATTRIBUTE)
    if plans is None:
        plans = list(CoveragePlan.objects.filter(client=client).select_related("rate_card").order_by("valid_from"))
        client.__dict__[_PLANS_ATTRIBUTE] = plans
    return plans


def client_local_date(*, client: Client, at: datetime) -> date:
    return at.astimezone(ZoneInfo(client.time_zone)).date()


def coverage_plans_overlapping(*, client: Client, start: date, end: date) -> list[CoveragePlan]:
    """Plans in force on some day of [start, end), oldest first."""
    return [
        plan
        for plan in _client_plans(client)
        if plan.valid_from < end and (plan.valid_until is None or plan.valid_until > start)
    ]


def coverage_schedule_for(*, plan: CoveragePlan | None, client: Client) -> CoverageSchedule:
    if plan is None:
        return ALWAYS_COVERED
    return CoverageSchedule(
        pattern=plan.pattern,
        federal_state=plan.federal_state,
        holidays_covered=plan.holidays_covered,
        response_minutes=plan.response_minutes,
        time_zone=client.time_zone,
    )


def coverage_timeline_for(*, plans: list[CoveragePlan], client: Client) -> CoverageTimeline:
    """The client's schedules over time from its plans (which never overlap: a new plan closes
    the open one); days before, between and after the plans have no plan (ALWAYS_COVERED)."""
    starts: list[date] = []
    schedules: list[CoverageSchedule] = []
    previous_end: date | None = None
    for plan in sorted(plans, key=lambda plan: plan.valid_from):
        if previous_end is not None and previous_end < plan.valid_from:
            starts.append(previous_end)
            schedules.append(ALWAYS_COVERED)
        starts.append(plan.valid_from)
        schedules.append(coverage_schedule_for(plan=plan, client=client))
        previous_end = plan.valid_until
    if previous_end is not None:
        starts.append(previous_end)
        schedules.append(ALWAYS_COVERED)
    return CoverageTimeline(
        time_zone=client.time_zone, initial=ALWAYS_COVERED, starts=tuple(starts), schedules=tuple(schedules)
    )


def _client_timeline(client: Client) -> CoverageTimeline:
    timeline = client.__dict__.get(_TIMELINE_ATTRIBUTE)
    if timeline is None:
        timeline = coverage_timeline_for(plans=_client_plans(client), client=client)
        client.__dict__[_TIMELINE_ATTRIBUTE] = timeline
    return timeline


def client_sla_due_at(*, client: Client, received_at: datetime) -> datetime | None:
    """The moment a reply is due for an item of `client` that arrived at `received_at`.

    Counts the response time promised by the plan in force on the arrival's local date, and
    counts it only inside covered hours, each day those of the plan in force that day (a plan
    change while the item waits moves the due time). Without a plan: covered 24/7, due 60
    minutes after arrival. None when no covered hour ever follows (a plan without covered
    hours): nothing is due. At most one query per Client instance.
    """
    return sla_due_at(_client_timeline(client), received_at)


@dataclass(frozen=True)
class ClientCoverage:
    client: Client
    plan: CoveragePlan | None
    status: CoverageStatus

    @property
    def has_plan(self) -> bool:
        """False: no plan is in force, and the status is the fallback (covered around the clock,
        ALWAYS_COVERED's promise), not something the client booked. Pages say so."""
        return self.plan is not None

    @property
    def response_minutes(self) -> int:
        return self.plan.response_minutes if self.plan else ALWAYS_COVERED.response_minutes


def clients_coverage_overview(*, clients, at: datetime) -> list[ClientCoverage]:
    """For the agent dashboard: every client with its coverage at `at`, covered ones first
    (ending soonest first), then the rest by next coverage start. One query for all plans."""
    clients = list(clients)
    plans_by_client: dict[int, list[CoveragePlan]] = {client.pk: [] for client in clients}
    local_dates = {client.pk: client_local_date(client=client, at=at) for client in clients}
    if clients:
        # The plans in force now and those to come: coverage may end or start with a plan change.
        candidates = CoveragePlan.objects.filter(client__in=clients).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=min(local_dates.values()))
        )
        for plan in candidates:
            plans_by_client[plan.client_id].append(plan)
    overview = []
    for client in clients:
        day = local_dates[client.pk]
        plans = plans_by_client[client.pk]
        plan = next((plan for plan in plans if plan.is_valid_on(day)), None)
        timeline = coverage_timeline_for(plans=plans, client=client)
        overview.append(ClientCoverage(client=client, plan=plan, status=coverage_status(timeline, at)))
    far_future = datetime.max.replace(tzinfo=at.tzinfo)

    def order(entry: ClientCoverage):
        status = entry.status
        if status.covered:
            return (0, status.covered_until or far_future, alphabetical_key(entry.client.name))
        return (1, status.next_start or far_future, alphabetical_key(entry.client.name))

    return sorted(overview, key=order)
