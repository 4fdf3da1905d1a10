"""Every figure of the reports, computed in PostgreSQL: each function is one or a few aggregate queries.

No function here loads item rows into Python to count them; what comes back are groups
(per day, channel, author, term, agent ...) and at most a few sample items. Callers pass
clients that are already scoped to the user (communityops.selectors); the agency-wide
functions take the visible client ids as a subquery.

Indexes these queries rely on (see insights/README.md for the reasoning at a million items):
- inbox.Item (client, received_at) `item_client_received`: every per-client report query.
- inbox.Item (client, sla_due_at, id) partial on open statuses `item_open_queue_by_client`: the dashboard.
- inbox.Item (author, received_at) `item_author_history`: "new author" and latest-text look-ups.
- inbox.Item GIN (tags) `item_tags`: not needed for the counts (they unnest), used by tag drill-downs.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, Left, Length, Trunc

from communityops.models import Client, User
from inbox.models import AuthorProfile, AuthorTier, Item, OutboundAction

from .expressions import PercentileCont, normalized_text, response_seconds
from .periods import AGENCY_TIME_ZONE, Granularity, ReportFilter, ReportPeriod
from .stopwords import STOPWORDS

Sentiment = Item.Sentiment
Status = Item.Status

DUE_SOON = timedelta(minutes=15)
TOPIC_MIN_WORD_LENGTH = 3
# A topic term is letters only (umlauts and ß are letters under a UTF-8 ctype): numbers, links
# and the parser's compound parts with punctuation ("x.de/a") drop out.
TOPIC_TERM_PATTERN = r"^[[:alpha:]]+$"
SAMPLE_TEXT_LENGTH = 280
HIGH_SPAM_SCORE = 0.8
HIGH_FAKE_SCORE = 0.7
# A campaign: the same normalised text from several authors; short texts ("danke!") never count.
CAMPAIGN_MIN_ITEMS = 3
CAMPAIGN_MIN_AUTHORS = 2
CAMPAIGN_MIN_TEXT_LENGTH = 20


# --- scoping -------------------------------------------------------------------------------------


def client_items(*, client: Client, period: ReportPeriod, channel_id: int | None = None) -> QuerySet[Item]:
    """Items of one (already scoped) client received within the period, optionally one channel."""
    items = Item.objects.filter(client=client, received_at__gte=period.start, received_at__lt=period.end)
    if channel_id is not None:
        items = items.filter(channel_id=channel_id)
    return items


def agency_items(*, client_ids, period: ReportPeriod, client_id: int | None = None) -> QuerySet[Item]:
    """Items of the visible clients (`client_ids` is a subquery of ids) received within the period."""
    items = Item.objects.filter(client__in=client_ids, received_at__gte=period.start, received_at__lt=period.end)
    if client_id is not None:
        items = items.filter(client_id=client_id)
    return items


# --- shared aggregate expressions ----------------------------------------------------------------


def sentiment_aggregates() -> dict:
    return {
        "total": Count("id"),
        "positive": Count("id", filter=Q(sentiment=Sentiment.POSITIVE)),
        "neutral": Count("id", filter=Q(sentiment=Sentiment.NEUTRAL)),
        "negative": Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)),
        "average_score": Avg("sentiment_score"),
    }


def sla_relevant(*, now: datetime) -> Q:
    """Items that needed an answer and whose SLA outcome is known.

    Answered items count (unless marked spam), and unanswered items still open past their
    due time. Items closed, hidden or marked spam without an answer needed none (the inbox
    hides and closes without setting first_response_at) and stay out of the share.
    """
    answered = Q(first_response_at__isnull=False) & ~Q(status=Status.SPAM)
    overdue = Q(first_response_at__isnull=True, status__in=Item.OPEN_STATUSES, sla_due_at__lt=now)
    return Q(sla_due_at__isnull=False) & (answered | overdue)


def sla_met() -> Q:
    return Q(sla_due_at__isnull=False, first_response_at__isnull=False, first_response_at__lte=F("sla_due_at"))


def response_aggregates(*, now: datetime) -> dict:
    """Responded count, median, 90th percentile and mean first-response time (seconds), SLA counts.

    Response time is wall-clock (arrival to first response), so an item that waits through a
    coverage gap shows its full wait; whether that was within the promise is what the SLA
    share says, because sla_due_at already skips uncovered hours.
    """
    seconds = response_seconds()
    responded = Q(first_response_at__isnull=False)
    relevant = sla_relevant(now=now)
    return {
        "responded": Count("id", filter=responded),
        "median_seconds": PercentileCont(seconds, percentile=0.5, filter=responded),
        "p90_seconds": PercentileCont(seconds, percentile=0.9, filter=responded),
        "mean_seconds": Avg(seconds, filter=responded, output_field=FloatField()),
        "sla_relevant": Count("id", filter=relevant),
        "sla_met": Count("id", filter=relevant & sla_met()),
    }


def share(part: int, whole: int) -> float | None:
    """Percentage with one decimal, or None when there is nothing to divide."""
    return round(100.0 * part / whole, 1) if whole else None


def with_sla_share(row: dict) -> dict:
    row["sla_share"] = share(row["sla_met"], row["sla_relevant"])
    return row


# --- the live operations dashboard ---------------------------------------------------------------


def waiting_by_client_channel(*, client_ids, now: datetime) -> list[dict]:
    """Open items per client and channel: how many, the oldest, due within 15 minutes, overdue."""
    rows = (
        Item.objects.filter(client__in=client_ids, status__in=Item.OPEN_STATUSES)
        .values("client_id", "client__name", "channel_id", "channel__name", "channel__platform")
        .annotate(
            waiting=Count("id"),
            unclaimed=Count("id", filter=Q(claimed_by__isnull=True)),
            oldest_received_at=Min("received_at"),
            due_soon=Count("id", filter=Q(sla_due_at__gte=now, sla_due_at__lt=now + DUE_SOON)),
            overdue=Count("id", filter=Q(sla_due_at__lt=now)),
        )
        .order_by("-overdue", "-due_soon", "oldest_received_at", "client__name", "channel__name")
    )
    return list(rows)


def items_at_risk(*, client_ids, now: datetime, limit: int = 25) -> list[Item]:
    """Open items past their SLA or due within 15 minutes, most urgent first (uses the open-queue index)."""
    return list(
        Item.objects.filter(client__in=client_ids, status__in=Item.OPEN_STATUSES, sla_due_at__lt=now + DUE_SOON)
        .select_related("client", "channel", "claimed_by")
        .only(
            "id",
            "text",
            "received_at",
            "sla_due_at",
            "status",
            "priority",
            "client__name",
            "channel__name",
            "claimed_by__email",
            "claimed_by__first_name",
            "claimed_by__last_name",
        )
        .order_by("sla_due_at", "id")[:limit]
    )


def agents_holding(*, client_ids) -> list[dict]:
    """Who holds open items right now (their claims), with how many and since when."""
    return list(
        Item.objects.filter(client__in=client_ids, status__in=Item.OPEN_STATUSES, claimed_by__isnull=False)
        .values("claimed_by_id", "claimed_by__email", "claimed_by__first_name", "claimed_by__last_name")
        .annotate(holding=Count("id"), oldest_claim_at=Min("claimed_at"), next_due_at=Min("sla_due_at"))
        .order_by("-holding", "claimed_by__email")
    )


# --- agent and team figures ----------------------------------------------------------------------

TEAM_DIMENSIONS = ("agent", "client", "channel", "hour", "weekday")


def first_responder():
    """The user who requested the item's first outbound action (reply or moderation), failed ones aside."""
    return Subquery(
        OutboundAction.objects.filter(item=OuterRef("pk"), requested_by__isnull=False)
        .exclude(status=OutboundAction.Status.FAILED)
        .order_by("created_at", "id")
        .values("requested_by")[:1]
    )


def response_figures(
    *, client_ids, report_filter: ReportFilter, dimension: str, now: datetime, time_zone: ZoneInfo = AGENCY_TIME_ZONE
) -> list[dict]:
    """Items, items handled and response-time figures grouped by one dimension.

    "handled" counts items no longer open (answered, hidden, spam, closed). For the agent
    dimension the rows are the items where that agent took the first outbound action
    (reply or moderation); their response times are those of the replies among them.
    Hours and weekdays are local to `time_zone` (the agency's, Europe/Berlin), ISO weekdays 1-7.
    """
    if dimension not in TEAM_DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    items = agency_items(client_ids=client_ids, period=report_filter.period, client_id=report_filter.client_id)
    handled = ~Q(status__in=Item.OPEN_STATUSES)
    group_fields = {
        "agent": ("agent_id",),
        "client": ("client_id", "client__name"),
        "channel": ("channel_id", "channel__name", "client__name"),
        "hour": ("hour",),
        "weekday": ("weekday",),
    }[dimension]
    if dimension == "agent":
        items = items.annotate(agent_id=first_responder()).filter(agent_id__isnull=False)
    elif dimension == "hour":
        items = items.annotate(hour=ExtractHour("received_at", tzinfo=time_zone))
    elif dimension == "weekday":
        items = items.annotate(weekday=ExtractIsoWeekDay("received_at", tzinfo=time_zone))
    rows = list(
        items.values(*group_fields)
        .annotate(items=Count("id"), handled=Count("id", filter=handled), **response_aggregates(now=now))
        .order_by(*group_fields)
    )
    for row in rows:
        with_sla_share(row)
    if dimension == "hour":
        rows = fill_keys(rows, key="hour", keys=range(24))
    elif dimension == "weekday":
        rows = fill_keys(rows, key="weekday", keys=range(1, 8))
    elif dimension == "agent":
        rows = with_agent_names(rows)
    return rows


def fill_keys(rows: list[dict], *, key: str, keys) -> list[dict]:
    """Every hour / weekday gets a row, empty ones with zeros, so charts keep their axis."""
    by_key = {row[key]: row for row in rows}
    empty = {"items": 0, "responded": 0, "handled": 0, "sla_relevant": 0, "sla_met": 0, "sla_share": None}
    empty |= {"median_seconds": None, "p90_seconds": None, "mean_seconds": None}
    return [by_key.get(value, {key: value, **empty}) for value in keys]


def with_agent_names(rows: list[dict]) -> list[dict]:
    """One query for the names of the agents in the (already aggregated) rows."""
    ids = [row["agent_id"] for row in rows if row["agent_id"] is not None]
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=ids).only("email", "first_name", "last_name")}
    for row in rows:
        row["agent_name"] = names.get(row["agent_id"], "—")
    return sorted(rows, key=lambda row: (-row["handled"], row["agent_name"]))


def team_summary(*, client_ids, report_filter: ReportFilter, now: datetime) -> dict:
    items = agency_items(client_ids=client_ids, period=report_filter.period, client_id=report_filter.client_id)
    return with_sla_share(items.aggregate(items=Count("id"), **response_aggregates(now=now)))


# --- per client: volume and sentiment ------------------------------------------------------------


def volume_over_time(*, client: Client, report_filter: ReportFilter) -> list[dict]:
    """Items and sentiment per day / week / month in the client's time zone, every bucket present."""
    time_zone = ZoneInfo(client.time_zone)
    rows = (
        client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
        .annotate(bucket=Trunc("received_at", report_filter.granularity, tzinfo=time_zone))
        .values("bucket")
        .annotate(**sentiment_aggregates())
        .order_by("bucket")
    )
    by_day = {row["bucket"].astimezone(time_zone).date(): row for row in rows}
    empty = {"total": 0, "positive": 0, "neutral": 0, "negative": 0, "average_score": None}
    return [
        {**by_day.get(day, empty), "bucket": day}
        for day in bucket_days(report_filter.period, report_filter.granularity)
    ]


def bucket_days(period: ReportPeriod, granularity: str) -> list[date]:
    """The first local day of every day / ISO week / month bucket the period touches."""
    day = period.first_day
    if granularity == Granularity.WEEK:
        day -= timedelta(days=day.weekday())
    elif granularity == Granularity.MONTH:
        day = day.replace(day=1)
    days = []
    while day <= period.last_day:
        days.append(day)
        if granularity == Granularity.DAY:
            day += timedelta(days=1)
        elif granularity == Granularity.WEEK:
            day += timedelta(weeks=1)
        else:
            day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return days


def volume_by_channel(*, client: Client, report_filter: ReportFilter) -> list[dict]:
    return list(
        client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
        .values("channel_id", "channel__name", "channel__platform")
        .annotate(**sentiment_aggregates())
        .order_by("-total", "channel__name")
    )


def sentiment_summary(*, client: Client, report_filter: ReportFilter) -> dict:
    totals = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id).aggregate(
        **sentiment_aggregates()
    )
    for name in ("positive", "neutral", "negative"):
        totals[f"{name}_share"] = share(totals[name], totals["total"])
    return totals


# --- per client: topics --------------------------------------------------------------------------

# Each lateral yields the distinct terms of one item, so a term counts once per item. Keywords
# come from PostgreSQL's own text parser: to_tsvector('simple', ...) lower-cases and splits
# without stemming or stopwords, and its lexemes are already unique per item (measured twice
# as fast as regexp_split_to_table + DISTINCT at a million items).
KEYWORD_TERMS_SQL = "SELECT lexeme FROM unnest(to_tsvector('simple', scoped.text))"
TAG_TERMS_SQL = "SELECT DISTINCT lower(tag) FROM unnest(scoped.tags) AS tag"
TOPIC_ORDERS = {
    "top": ("", "items DESC, term"),
    "rising": ("AND items > previous_items", "items - previous_items DESC, items DESC, term"),
}


def _scoped_sql(items: QuerySet[Item]) -> tuple[str, tuple]:
    """The ORM's own SQL for the scoped items (id, text, tags, received_at) to use as a CTE."""
    return items.values("id", "text", "tags", "received_at").order_by().query.sql_with_params()


def topic_counts(
    *, client: Client, report_filter: ReportFilter, source: str, order: str = "top", limit: int = 20
) -> list[dict]:
    """Terms (`source` "keyword" or "tag") by the number of items mentioning them, this period and the previous.

    Tokenising, stopword removal and counting happen in PostgreSQL: the text is lower-cased
    and split by to_tsvector('simple'), terms are letters only, and each counts once per item. `order="rising"` returns
    terms mentioned by more items than in the previous period of the same length, biggest
    increase first; a term new this period has previous_items 0.
    """
    period = report_filter.period
    both_periods = ReportPeriod(
        first_day=period.previous.first_day, last_day=period.last_day, time_zone=period.time_zone
    )
    scoped_sql, scoped_params = _scoped_sql(
        client_items(client=client, period=both_periods, channel_id=report_filter.channel_id)
    )
    terms_sql = {"keyword": KEYWORD_TERMS_SQL, "tag": TAG_TERMS_SQL}[source]
    having, order_by = TOPIC_ORDERS[order]
    # Only constant SQL fragments are interpolated (the ORM's compiled CTE and the fixed
    # fragments above); every value travels as a parameter.
    sql = f"""
        WITH scoped AS ({scoped_sql}),
        counted AS (
            SELECT terms.term,
                   count(*) FILTER (WHERE scoped.received_at >= %s) AS items,
                   count(*) FILTER (WHERE scoped.received_at < %s) AS previous_items
            FROM scoped CROSS JOIN LATERAL ({terms_sql}) AS terms(term)
            WHERE char_length(terms.term) >= %s AND terms.term ~ %s AND NOT (terms.term = ANY(%s))
            GROUP BY terms.term
        )
        SELECT term, items, previous_items FROM counted
        WHERE items > 0 {having}
        ORDER BY {order_by}
        LIMIT %s
    """  # noqa: S608
    params = [
        *scoped_params,
        period.start,
        period.start,
        TOPIC_MIN_WORD_LENGTH,
        TOPIC_TERM_PATTERN,
        sorted(STOPWORDS),
        limit,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {"term": term, "items": items, "previous_items": previous, "change": items - previous}
            for term, items, previous in cursor.fetchall()
        ]


def topic_samples(*, client: Client, report_filter: ReportFilter, terms: list[str], per_term: int = 3) -> dict:
    """Up to `per_term` most recent items per term (a keyword in the text or a tag), in one query."""
    if not terms:
        return {}
    scoped_sql, scoped_params = _scoped_sql(
        client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    )
    sql = f"""
        WITH scoped AS ({scoped_sql}),
        hits AS (
            SELECT terms.term, scoped.id, left(scoped.text, %s) AS text, scoped.received_at,
                   row_number() OVER (
                       PARTITION BY terms.term ORDER BY scoped.received_at DESC, scoped.id DESC
                   ) AS rank
            FROM scoped CROSS JOIN LATERAL ({KEYWORD_TERMS_SQL} UNION {TAG_TERMS_SQL}) AS terms(term)
            WHERE terms.term = ANY(%s)
        )
        SELECT term, id, text, received_at FROM hits WHERE rank <= %s ORDER BY term, rank
    """  # noqa: S608
    params = [*scoped_params, SAMPLE_TEXT_LENGTH, list(terms), per_term]
    samples: dict[str, list[dict]] = {term: [] for term in terms}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for term, item_id, text, received_at in cursor.fetchall():
            samples[term].append({"id": item_id, "text": text, "received_at": received_at})
    return samples


# --- per client: influencers and key accounts ----------------------------------------------------


def _author_rows(*, items: QuerySet[Item]) -> QuerySet:
    return items.values(
        "author_id",
        "author__handle",
        "author__display_name",
        "author__platform",
        "author__follower_count",
        "author__verified",
    ).annotate(**sentiment_aggregates(), best_tier=Min("author_tier"), last_received_at=Max("received_at"))


def _with_author_details(*, client: Client, rows: list[dict]) -> list[dict]:
    """Latest text and key-account flag for the (at most a page of) authors shown: two queries.

    Kept out of the GROUP BY on purpose: as correlated subqueries there PostgreSQL ran them
    once per item row (2.7 s for one client's month at a million items).
    """
    author_ids = [row["author_id"] for row in rows]
    latest = dict(
        Item.objects.filter(client=client, author_id__in=author_ids)
        .order_by("author_id", "-received_at", "-id")
        .distinct("author_id")
        .values_list("author_id", Left("text", SAMPLE_TEXT_LENGTH))
    )
    key_accounts = set(
        AuthorProfile.objects.filter(client=client, author_id__in=author_ids, is_key_account=True).values_list(
            "author_id", flat=True
        )
    )
    for row in rows:
        row["latest_text"] = latest.get(row["author_id"])
        row["is_key_account"] = row["author_id"] in key_accounts
    return rows


def influential(client: Client) -> Q:
    """Tier A or B, or at least the client's influencer follower threshold."""
    return Q(author_tier__in=[AuthorTier.A, AuthorTier.B]) | Q(
        author__follower_count__gte=client.influencer_follower_threshold
    )


def top_authors(*, client: Client, report_filter: ReportFilter, by: str = "reach", limit: int = 20) -> list[dict]:
    """Authors by reach (followers, then activity) or by activity (items, then followers)."""
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    ordering = {
        "reach": ("-author__follower_count", "-total", "author_id"),
        "activity": ("-total", "-author__follower_count", "author_id"),
    }[by]
    rows = list(_author_rows(items=items).order_by(*ordering)[:limit])
    return _with_author_details(client=client, rows=rows)


def new_influential_authors(*, client: Client, report_filter: ReportFilter, limit: int = 20) -> list[dict]:
    """Influential authors whose first item for this client arrived within the period."""
    period = report_filter.period
    earlier = Item.objects.filter(client=client, author=OuterRef("author_id"), received_at__lt=period.start)
    items = (
        client_items(client=client, period=period, channel_id=report_filter.channel_id)
        .filter(influential(client))
        .filter(~Exists(earlier))
    )
    rows = list(_author_rows(items=items).order_by("-author__follower_count", "-total", "author_id")[:limit])
    return _with_author_details(client=client, rows=rows)


# --- per client: spam, fakes and campaigns -------------------------------------------------------


def moderation_summary(*, client: Client, report_filter: ReportFilter) -> dict:
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    totals = items.aggregate(
        total=Count("id"),
        hidden=Count("id", filter=Q(status=Status.HIDDEN)),
        spam=Count("id", filter=Q(status=Status.SPAM)),
        high_spam_score=Count("id", filter=Q(spam_score__gte=HIGH_SPAM_SCORE)),
        suspected_fake=Count("id", filter=Q(fake_score__gte=HIGH_FAKE_SCORE)),
    )
    totals["moderated_share"] = share(totals["hidden"] + totals["spam"], totals["total"])
    return totals


def moderated_items(*, client: Client, report_filter: ReportFilter, limit: int = 20) -> list[dict]:
    """The latest hidden, spam or suspected-fake items, shortened."""
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    suspicious = Q(status__in=[Status.HIDDEN, Status.SPAM]) | Q(fake_score__gte=HIGH_FAKE_SCORE)
    return list(
        items.filter(suspicious)
        .values("id", "status", "spam_score", "fake_score", "received_at", "channel__name", "author__handle")
        .annotate(text_start=Left("text", SAMPLE_TEXT_LENGTH))
        .order_by("-received_at", "-id")[:limit]
    )


def coordinated_campaigns(*, client: Client, report_filter: ReportFilter, limit: int = 20) -> list[dict]:
    """Clusters of near-identical texts (same normalised text) from several authors.

    Normalising (lower case, links, @handles and digits dropped, punctuation collapsed) and
    grouping run in PostgreSQL; the GROUP BY hashes the normalised text of the period's items.
    """
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    return list(
        items.annotate(normalized=normalized_text())
        .annotate(normalized_length=Length("normalized"))
        .filter(normalized_length__gte=CAMPAIGN_MIN_TEXT_LENGTH)
        .values("normalized")
        .annotate(
            items=Count("id"),
            authors=Count("author_id", distinct=True),
            channels=Count("channel_id", distinct=True),
            moderated=Count("id", filter=Q(status__in=[Status.HIDDEN, Status.SPAM])),
            first_received_at=Min("received_at"),
            last_received_at=Max("received_at"),
            sample_text=Min(Left("text", SAMPLE_TEXT_LENGTH)),
        )
        .filter(items__gte=CAMPAIGN_MIN_ITEMS, authors__gte=CAMPAIGN_MIN_AUTHORS)
        .order_by("-items", "first_received_at")[:limit]
    )


# --- per client: service -------------------------------------------------------------------------


def outcome_aggregates() -> dict:
    """Answered (a response went out), hidden (hidden or spam), ignored (closed without any), open."""
    responded = Q(first_response_at__isnull=False)
    moderated = Q(status__in=[Status.HIDDEN, Status.SPAM])
    return {
        "answered": Count("id", filter=responded & ~moderated),
        "hidden": Count("id", filter=moderated),
        "ignored": Count("id", filter=Q(status__in=[Status.ANSWERED, Status.CLOSED]) & ~responded),
        "open": Count("id", filter=Q(status__in=Item.OPEN_STATUSES) & ~responded),
    }


def service_summary(*, client: Client, report_filter: ReportFilter, now: datetime) -> dict:
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    summary = items.aggregate(total=Count("id"), **response_aggregates(now=now), **outcome_aggregates())
    return with_sla_share(summary)


def service_by_channel(*, client: Client, report_filter: ReportFilter, now: datetime) -> list[dict]:
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    rows = (
        items.values("channel_id", "channel__name")
        .annotate(total=Count("id"), **response_aggregates(now=now), **outcome_aggregates())
        .order_by("channel__name")
    )
    return [with_sla_share(row) for row in rows]


def clients_with_activity(*, client_ids) -> QuerySet[Client]:
    """The visible clients, by name, for the team filter."""
    return Client.objects.filter(pk__in=client_ids).only("id", "name").order_by("name")
