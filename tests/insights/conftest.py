"""A small hand-made data set whose figures are worked out by hand in the tests.

Client "Acme" (Europe/Berlin), report week Monday 10 to Sunday 16 March 2025 (before the
DST change, so Berlin is UTC+1), the clock stands at Thursday 20 March 12:00. Acme's coverage
plan (billing) covers 08:00-22:00 every day with a 45-minute promise; SLA due times come from
billing.selectors.client_sla_due_at, as the inbox computes them.

| # | received (Berlin) | first response | SLA due        | sentiment | status   | agent |
|---|-------------------|----------------|----------------|-----------|----------|-------|
| 1 | Mon 09:00         | +10 min        | +45 min (met)  | positive  | answered | anna  |
| 2 | Mon 10:00         | +20 min        | +45 min (met)  | negative  | answered | anna  |
| 3 | Tue 21:30         | Wed 08:00 +630 | Wed 08:15 (met: 30 covered min Tue, 15 Wed) | neutral | answered | anna |
| 4 | Wed 14:00         | +90 min        | +45 min (missed) | negative | answered | ben  |
| 5 | Thu 15:00         | none           | closed unanswered: not counted | negative | closed |  |
| 6 | Fri 16:00         | none (hidden after 5 min) | hidden: not counted | negative | hidden | ben |
| 7 | Sat 12:00         | none           | +60 min (spam: not counted) | neutral | spam |  |
| 8 | Sun 23:50         | none           | after "now" (not yet due) | positive | new |     |
| 9 | previous week, Wed 5 March 12:00: "Paket" once (for rising topics) |
"""

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from billing.pricing import WeeklyPattern
from billing.selectors import client_sla_due_at
from billing.services import coverage_plan_create
from communityops.models import Channel, Client, User
from inbox.models import Author, Item, OutboundAction
from insights.periods import ReportFilter, ReportPeriod

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=BERLIN)
REPORT_WEEK = ReportPeriod(
    first_day=datetime(2025, 3, 10).date(), last_day=datetime(2025, 3, 16).date(), time_zone=BERLIN
)

_numbers = itertools.count(1)


@pytest.fixture
def author_factory(db):
    def make(**fields) -> Author:
        number = next(_numbers)
        fields.setdefault("platform", Channel.Platform.FACEBOOK_PAGE)
        fields.setdefault("external_id", f"author-{number}")
        fields.setdefault("handle", f"author{number}")
        return Author.objects.create(**fields)

    return make


@pytest.fixture
def item_factory(db, author_factory):
    """An item received at `received_at` (auto_now_add is overwritten by an update)."""

    def make(*, channel: Channel, received_at: datetime, author: Author | None = None, **fields) -> Item:
        fields.setdefault("external_id", f"item-{next(_numbers)}")
        fields.setdefault("text", "Hallo")
        item = Item.objects.create(
            client=channel.client,
            channel=channel,
            author=author or author_factory(),
            platform_created_at=received_at,
            **fields,
        )
        Item.objects.filter(pk=item.pk).update(received_at=received_at)
        item.received_at = received_at
        return item

    return make


@pytest.fixture
def respond(db):
    """An outbound action by `agent` `minutes` after arrival; a reply is the first response (as in the inbox)."""

    def make(item: Item, *, agent: User, minutes: int, kind: str = OutboundAction.Kind.REPLY) -> None:
        responded_at = item.received_at + timedelta(minutes=minutes)
        OutboundAction.objects.create(
            item=item, kind=kind, text="Danke!", requested_by=agent, status=OutboundAction.Status.SENT
        )
        OutboundAction.objects.filter(item=item).update(created_at=responded_at, sent_at=responded_at)
        if kind == OutboundAction.Kind.REPLY:
            Item.objects.filter(pk=item.pk).update(first_response_at=responded_at)

    return make


@dataclass
class AcmeWeek:
    client: Client
    facebook: Channel
    blog: Channel
    anna: User
    ben: User
    items: list[Item]

    def report_filter(self, **fields) -> ReportFilter:
        return ReportFilter(period=REPORT_WEEK, **fields)


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def acme_week(client_factory, channel_factory, user_factory, item_factory, respond) -> AcmeWeek:
    client = client_factory(name="Acme")
    facebook = channel_factory(client=client, name="Acme Facebook")
    blog = channel_factory(client=client, name="Acme Blog", platform=Channel.Platform.WORDPRESS_BLOG)
    coverage_plan_create(
        acting_user=None,
        client=client,
        pattern=WeeklyPattern.from_windows([(weekday, 8, 22) for weekday in range(7)]),
        valid_from=datetime(2025, 1, 1).date(),
        federal_state=client.federal_state,
        holidays_covered=True,
        response_minutes=45,
    )
    client.refresh_from_db()
    anna = user_factory(first_name="Anna", last_name="Agent")
    ben = user_factory(first_name="Ben", last_name="Agent")
    hour = timedelta(hours=1)
    rows = [
        # (channel, received, sentiment, status, text, tags, sla_due)
        (facebook, berlin(10, 9), "positive", "answered", "Die Lieferung kam schnell, super Service", ["Lieferung"]),
        (facebook, berlin(10, 10), "negative", "answered", "Lieferung verspätet, Paket beschädigt", []),
        (blog, berlin(11, 21, 30), "neutral", "answered", "Wann öffnet der Laden? Paket fehlt", []),
        (facebook, berlin(12, 14), "negative", "answered", "Paket beschädigt, ich will mein Geld zurück", ["refund"]),
        (facebook, berlin(13, 15), "negative", "closed", "Kundenservice antwortet nicht", []),
        (facebook, berlin(14, 16), "negative", "hidden", "Betrug!!! Kauft hier nicht", []),
        (facebook, berlin(15, 12), "neutral", "spam", '=HYPERLINK("http://evil.example") gratis', []),
        (blog, berlin(16, 23, 50), "positive", "new", "Schöner Blog", []),
    ]
    items = []
    for channel, received_at, sentiment, status, text, tags in rows:
        items.append(
            item_factory(
                channel=channel,
                received_at=received_at,
                sentiment=sentiment,
                status=status,
                text=text,
                tags=tags,
                sla_due_at=client_sla_due_at(client=client, received_at=received_at),
            )
        )
    Item.objects.filter(pk=items[6].pk).update(spam_score=0.95)
    Item.objects.filter(pk=items[7].pk).update(sla_due_at=NOW + hour)
    respond(items[0], agent=anna, minutes=10)
    respond(items[1], agent=anna, minutes=20)
    respond(items[2], agent=anna, minutes=630)
    respond(items[3], agent=ben, minutes=90)
    respond(items[5], agent=ben, minutes=5, kind=OutboundAction.Kind.HIDE)
    item_factory(channel=facebook, received_at=berlin(5, 12), text="Wo bleibt mein Paket?", sla_due_at=None)
    return AcmeWeek(client=client, facebook=facebook, blog=blog, anna=anna, ben=ben, items=items)
