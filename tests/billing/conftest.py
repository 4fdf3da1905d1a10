import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest

from billing.models import RateCard
from billing.pricing import PricingInput, RateTerms, WeeklyPattern
from billing.selectors import rate_card_current
from billing.services import coverage_plan_create
from inbox.models import Author, Item
from inbox.services.authors import author_namespace

_sequence = itertools.count(1)

# The seeded defaults (§3b EStG) without fees, so a case's euros are its hours alone.
HOURS_ONLY = RateTerms(
    version=1,
    base_hourly_rate=Decimal("42.00"),
    night_pct=Decimal(25),
    deep_night_pct=Decimal(40),
    sunday_pct=Decimal(50),
    holiday_pct=Decimal(125),
    special_holiday_pct=Decimal(150),
    channel_monthly_fee=Decimal(0),
    setup_fee=Decimal(0),
    crisis_on_call_monthly_fee=Decimal(0),
    handling_minutes_per_item=Decimal(4),
    service_level_target_pct=Decimal(80),
    vat_pct=Decimal(19),
)
DEFAULTS = RateTerms(
    **{
        **HOURS_ONLY.__dict__,
        "channel_monthly_fee": Decimal("90.00"),
        "setup_fee": Decimal("490.00"),
        "crisis_on_call_monthly_fee": Decimal("350.00"),
    }
)


def pricing_input(*, windows, state="BY", start: date, until: date | None = None, **overrides) -> PricingInput:
    fields = {
        "pattern": WeeklyPattern.from_windows(windows),
        "federal_state": state,
        "holidays_covered": True,
        "channels": 1,
        "comments_per_month": 0,  # one agent in every covered hour
        "response_minutes": 60,
        "crisis_on_call": False,
        "start": start,
        "until": until,
    }
    fields.update(overrides)
    return PricingInput(**fields)


@pytest.fixture
def rate_card(db) -> RateCard:
    return rate_card_current()


@pytest.fixture
def plan_factory(db, rate_card):
    def make(*, client, windows, valid_from=date(2026, 1, 1), **fields):
        fields.setdefault("federal_state", client.federal_state)
        fields.setdefault("holidays_covered", False)
        fields.setdefault("response_minutes", 60)
        return coverage_plan_create(
            acting_user=None,
            client=client,
            pattern=WeeklyPattern.from_windows(windows),
            valid_from=valid_from,
            **fields,
        )

    return make


@pytest.fixture
def item_factory(db, channel_factory):
    """An inbox item with the given times (received_at is auto_now_add, so it is set afterwards)."""

    def make(*, client, received_at: datetime, status=Item.Status.NEW, **fields) -> Item:
        number = next(_sequence)
        channel = client.channels.first() or channel_factory(client=client)
        author = Author.objects.create(**author_namespace(channel), external_id=f"author-{number}")
        item = Item.objects.create(
            client=client,
            channel=channel,
            external_id=f"item-{number}",
            author=author,
            text=f"Comment {number}",
            platform_created_at=received_at,
            status=status,
            **fields,
        )
        Item.objects.filter(pk=item.pk).update(received_at=received_at)
        item.received_at = received_at
        return item

    return make
