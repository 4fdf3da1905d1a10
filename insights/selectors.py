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

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay, Left, Trunc

from communityops.alphabetical import alphabetical, alphabetical_key
from communityops.expressions import PercentileCont
from communityops.models import Channel, Client, Team, User
from inbox.models import AgentPresence, AuthorProfile, AuthorTier, Item, OutboundAction
from inbox.sla import sla_met, sla_relevant

from .expressions import response_seconds
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
# A campaign: the same normalised text (Item.campaign_key) from several authors; short texts
# ("danke!") have no key and never count.
CAMPAIGN_MIN_ITEMS = 3
CAMPAIGN_MIN_AUTHORS = 2


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


def response_aggregates(*, now: datetime) -> dict:
    """Responded count, median, 90th percentile and mean first-response time (seconds), SLA counts.

    Response time is wall-clock (arrival to first response), so an item that waits through a
    coverage gap shows its full wait; whether that was within the promise is what the SLA
    share says, because sla_due_at already skips uncovered hours.
    """
    seconds = response_seconds()
    responded = Q(first_response_at__isnull=False)
    return {
        "responded": Count("id", filter=responded),
        "median_seconds": PercentileCont(seconds, percentile=0.5, filter=responded),
        "p90_seconds": PercentileCont(seconds, percentile=0.9, filter=responded),
        "mean_seconds": Avg(seconds, filter=responded, output_field=FloatField()),
        "sla_relevant": Count("id", filter=sla_relevant(now=now)),
        "sla_met": Count("id", filter=sla_met(now=now)),
    }


def share(part: int, whole: int) -> float | None:
    """Percentage with one decimal, or None when there is nothing to divide."""
    return round(100.0 * part / whole, 1) if whole else None


def with_sla_share(row: dict) -> dict:
    row["sla_share"] = share(row["sla_met"], row["sla_relevant"])
    return row


# --- the live operations dashboard ---------------------------------------------------------------


def waiting_by_client_channel(*, client_ids, now: datetime) -> list[dict]:
    """Open items per client and channel: how many, the oldest, due within 15 minutes, overdue.

    The aggregate groups by the two ids only and names are looked up for the (few dozen)
    groups afterwards: grouping tens of thousands of open items by the joined names as well
    took three times as long.
    """
    rows = list(
        Item.objects.filter(client__in=client_ids, status__in=Item.OPEN_STATUSES)
        .values("client_id", "channel_id")
        .annotate(
            waiting=Count("id"),
            unclaimed=Count("id", filter=Q(claimed_by__isnull=True)),
            oldest_received_at=Min("received_at"),
            due_soon=Count("id", filter=Q(sla_due_at__gte=now, sla_due_at__lt=now + DUE_SOON)),
            overdue=Count("id", filter=Q(sla_due_at__lt=now)),
        )
        .order_by()
    )
    with_channel_names(rows)
    return sorted(
        rows,
        key=lambda row: (
            -row["overdue"],
            -row["due_soon"],
            row["oldest_received_at"],
            row["client__name"],
            row["channel__name"],
        ),
    )


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
        .order_by(*Item.URGENT_ORDER)[:limit]
    )


def colleagues_visible_to(*, user: User, client_ids, user_field: str = "pk") -> Q:
    """Whose presence and personal figures `user` sees, as a filter on `user_field` (a user id).

    A shift lead or an admin sees every colleague; an agent those on a team that serves one of
    the clients the agent sees (`client_ids`), not the whole agency's staff, capacity and response
    times. The dashboard's online list and the team figures' agent rows share this rule.
    """
    if user.is_shift_lead_or_admin:
        return Q()
    return Q(Exists(Team.objects.filter(members=OuterRef(user_field), clients__in=client_ids)))


def agents_online(*, user: User, client_ids) -> QuerySet[AgentPresence]:
    """Who is online: the colleagues `user` may see (colleagues_visible_to)."""
    return (
        AgentPresence.objects.filter(colleagues_visible_to(user=user, client_ids=client_ids, user_field="user_id"))
        .filter(is_online=True)
        .select_related("user")
        .only("is_online", "last_seen_at", "capacity", "user__email", "user__first_name", "user__last_name")
        .order_by("user__email")
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

# The grouping columns of the one team query, in GROUPING() argument order, and the sets.
# `acted`: somebody acted on the item; with agent_id NULL, someone the viewer may not see.
TEAM_COLUMNS = ("agent_id", "acted", "client_id", "channel_id", "hour", "weekday")
TEAM_GROUPING_SETS = {
    "summary": (),
    "agent": ("agent_id", "acted"),
    "client": ("client_id",),
    "channel": ("client_id", "channel_id"),
    "hour": ("hour",),
    "weekday": ("weekday",),
}


class Attribution:
    """Whose row an item of the team figures' agent table counts in."""

    AGENT = "agent"  # the named agent who acted first
    NOT_SHOWN = "not_shown"  # a colleague the viewer may not see (colleagues_visible_to)
    NOBODY = "nobody"  # no reply or moderation: closed without one, spam, or still open


@dataclass(frozen=True)
class TeamFigures:
    """Items, items handled and response-time figures, overall and by agent, client, channel, hour, weekday.

    Every grouping partitions the items, so each one's rows add up to the summary: the agent
    rows are the named agents, then at most one row of colleagues not shown and one of items
    nobody acted on (`attribution`).
    """

    summary: dict
    by: dict[str, list[dict]]


def _grouping_bits(grouped: tuple[str, ...]) -> int:
    """PostgreSQL's GROUPING(TEAM_COLUMNS) for a set: a 1 bit for every column not grouped by."""
    return sum(1 << (len(TEAM_COLUMNS) - 1 - index) for index, name in enumerate(TEAM_COLUMNS) if name not in grouped)


def team_figures(
    *,
    user: User,
    client_ids,
    report_filter: ReportFilter,
    now: datetime,
    time_zone: ZoneInfo = AGENCY_TIME_ZONE,
) -> TeamFigures:
    """The agent and team figures in one scan: `GROUPING SETS` over the period's items.

    "handled" counts items no longer open (answered, hidden, spam, closed). An item's agent is
    who requested its first outbound action (reply or moderation, failed ones aside); the agent
    rows are the items where that agent acted first, their response times those of the replies
    among them. Agents `user` may not see (colleagues_visible_to) share one row without names;
    items nobody acted on have a row of their own, so the agent rows add up to the summary.
    Hours and weekdays are local to `time_zone` (the agency's, Europe/Berlin), ISO
    weekdays 1-7. Medians and 90th percentiles are exact (percentile_cont over the rows).

    Five separate GROUP BY queries (and a correlated first-action lookup per item) took seconds
    for a month at a million items; here the items are read once, the first actions come from
    one DISTINCT ON over the actions created since the period began (an action never precedes
    its item), and PostgreSQL sorts once per set. The ORM has no GROUPING SETS, so the scoped
    items are the ORM's own SQL used as a CTE, like the topic counts.
    """
    period = report_filter.period
    items = agency_items(client_ids=client_ids, period=period, client_id=report_filter.client_id)
    scoped_sql, scoped_params = (
        items.annotate(
            hour=Cast(ExtractHour("received_at", tzinfo=time_zone), IntegerField()),
            weekday=Cast(ExtractIsoWeekDay("received_at", tzinfo=time_zone), IntegerField()),
            response=response_seconds(),
            handled=ExpressionWrapper(~Q(status__in=Item.OPEN_STATUSES), output_field=BooleanField()),
            relevant=ExpressionWrapper(sla_relevant(now=now), output_field=BooleanField()),
            met=ExpressionWrapper(sla_met(now=now), output_field=BooleanField()),
        )
        .values("id", "client_id", "channel_id", "hour", "weekday", "response", "handled", "relevant", "met")
        .order_by()
        .query.sql_with_params()
    )
    shown_rule = colleagues_visible_to(user=user, client_ids=client_ids)
    if shown_rule:
        shown_sql, shown_params = User.objects.filter(shown_rule).values("pk").query.sql_with_params()
        agent_shown = f"first_action.requested_by_id IN ({shown_sql})"
    else:
        agent_shown, shown_params = "TRUE", ()
    sets = ", ".join("(" + ", ".join(columns) + ")" for columns in TEAM_GROUPING_SETS.values())
    columns = ", ".join(TEAM_COLUMNS)
    sql = f"""
        WITH scoped AS MATERIALIZED ({scoped_sql}),
        first_action AS (
            SELECT DISTINCT ON (item_id) item_id, requested_by_id
            FROM inbox_outboundaction
            WHERE requested_by_id IS NOT NULL AND status <> %s AND created_at >= %s
            ORDER BY item_id, created_at, id
        ),
        attributed AS (
            SELECT scoped.*,
                   CASE WHEN {agent_shown} THEN first_action.requested_by_id END AS agent_id,
                   first_action.item_id IS NOT NULL AS acted
            FROM scoped LEFT JOIN first_action ON first_action.item_id = scoped.id
        )
        SELECT GROUPING({columns}), {columns},
               count(*), count(*) FILTER (WHERE handled), count(response),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY response),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY response),
               avg(response),
               count(*) FILTER (WHERE relevant), count(*) FILTER (WHERE met)
        FROM attributed
        GROUP BY GROUPING SETS ({sets})
    """  # noqa: S608 - only our constant names and the ORM's compiled SQL are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scoped_params, OutboundAction.Status.FAILED, period.start, *shown_params])
        fetched = cursor.fetchall()
    figures = ("items", "handled", "responded", "median_seconds", "p90_seconds", "mean_seconds")
    figures += ("sla_relevant", "sla_met")
    rows_by_set: dict[int, list[dict]] = {}
    for bits, *values in fetched:
        row = dict(zip(TEAM_COLUMNS + figures, values, strict=True))
        rows_by_set.setdefault(bits, []).append(with_sla_share(row))
    by = {name: rows_by_set.get(_grouping_bits(grouped), []) for name, grouped in TEAM_GROUPING_SETS.items()}
    summary = by.pop("summary")[0]  # the empty grouping set always yields its one row
    by["agent"] = with_attribution(by["agent"])
    by["client"] = sorted(
        with_client_names(by["client"]),
        key=lambda row: (alphabetical_key(row["client__name"]), row["client__name"], row["client_id"]),
    )
    by["channel"] = sorted(
        with_channel_names(by["channel"]),
        key=lambda row: (
            alphabetical_key(row["client__name"]),
            alphabetical_key(row["channel__name"]),
            row["channel_id"],
        ),
    )
    by["hour"] = fill_keys(by["hour"], key="hour", keys=range(24))
    by["weekday"] = fill_keys(by["weekday"], key="weekday", keys=range(1, 8))
    return TeamFigures(summary=summary, by=by)


def with_client_names(rows: list[dict]) -> list[dict]:
    """Adds client__name to aggregated rows that carry a client_id (one query)."""
    names = dict(Client.objects.filter(pk__in=[row["client_id"] for row in rows]).values_list("pk", "name"))
    for row in rows:
        row["client__name"] = names[row["client_id"]]
    return rows


def with_channel_names(rows: list[dict]) -> list[dict]:
    """Adds client__name, channel__name and channel__platform to aggregated rows with a channel_id (one query)."""
    channels = Channel.objects.filter(pk__in=[row["channel_id"] for row in rows]).select_related("client")
    by_id = {channel.pk: channel for channel in channels.only("name", "platform", "client__name")}
    for row in rows:
        channel = by_id[row["channel_id"]]
        row.update(
            {"client__name": channel.client.name, "channel__name": channel.name, "channel__platform": channel.platform}
        )
    return rows


def fill_keys(rows: list[dict], *, key: str, keys) -> list[dict]:
    """Every hour / weekday gets a row, empty ones with zeros, so charts keep their axis."""
    by_key = {row[key]: row for row in rows}
    empty = {"items": 0, "responded": 0, "handled": 0, "sla_relevant": 0, "sla_met": 0, "sla_share": None}
    empty |= {"median_seconds": None, "p90_seconds": None, "mean_seconds": None}
    return [by_key.get(value, {key: value, **empty}) for value in keys]


def with_attribution(rows: list[dict]) -> list[dict]:
    """The agent rows: named agents by items handled (one query for the names), then the
    colleagues not shown, then the items nobody acted on (see Attribution)."""
    named = [row for row in rows if row["agent_id"] is not None]
    names = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in=[row["agent_id"] for row in named]).only(
            "email", "first_name", "last_name"
        )
    }
    for row in named:
        row.update(attribution=Attribution.AGENT, agent_name=names.get(row["agent_id"], "—"))
    unnamed = [row for row in rows if row["agent_id"] is None]
    for row in unnamed:
        row.update(attribution=Attribution.NOT_SHOWN if row["acted"] else Attribution.NOBODY, agent_name=None)
    return sorted(named, key=lambda row: (-row["handled"], alphabetical_key(row["agent_name"]))) + sorted(
        unnamed, key=lambda row: not row["acted"]
    )


# --- per client: volume and sentiment ------------------------------------------------------------


def volume_over_time(*, client: Client, report_filter: ReportFilter) -> list[dict]:
    """Items and sentiment per day / week / month in the client's time zone, every bucket present.

    `bucket` is the first day of the day, ISO week or month; `first_day` and `last_day` are the
    days of it within the period (a period from Thursday has a first week of Thursday to Sunday),
    which is what its items were counted over.
    """
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
    period = report_filter.period
    starts = bucket_days(period, report_filter.granularity)
    last_days = [following - timedelta(days=1) for following in starts[1:]] + [period.last_day]
    return [
        {**by_day.get(day, empty), "bucket": day, "first_day": max(day, period.first_day), "last_day": last_day}
        for day, last_day in zip(starts, last_days, strict=True)
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
        .order_by("-total", alphabetical("channel__name"), "channel__name")
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
# are the item's stored `topic_terms` (PostgreSQL's own parser, to_tsvector('simple'): lower
# case, letters only, at least three letters, unique per item; see inbox migration 0014), so no
# text is parsed at report time. Stopwords are dropped after grouping, from distinct terms only.
KEYWORD_TERMS_SQL = "SELECT unnest(scoped.topic_terms)"
TAG_TERMS_SQL = "SELECT DISTINCT lower(tag) FROM unnest(scoped.tags) AS tag"


@dataclass(frozen=True)
class TopicCounts:
    """The most mentioned terms and the terms rising most against the previous period."""

    top: list[dict]
    rising: list[dict]


def _scoped_sql(items: QuerySet[Item]) -> tuple[str, tuple]:
    """The ORM's own SQL for the scoped items (id, text, tags, terms, received_at) to use as a CTE."""
    return items.values("id", "text", "tags", "topic_terms", "received_at").order_by().query.sql_with_params()


def topic_counts(
    *, client: Client, report_filter: ReportFilter, top: int = 20, rising: int = 10
) -> dict[str, TopicCounts]:
    """Keywords and tags (keys "keyword", "tag") by the number of items mentioning them, this period and the previous.

    One scan over both periods in PostgreSQL, over the items' stored terms (keywords) and tags,
    each term once per item; terms shorter than three letters, with other characters than
    letters, or stopwords do not count (checked on the grouped terms: MATERIALIZED keeps the
    planner from testing every occurrence against the stopword list). `top` terms by items this
    period; `rising` terms mentioned by more items than in the previous period of the same
    length, biggest increase first (a term new this period has previous_items 0).
    """
    period = report_filter.period
    both_periods = ReportPeriod(
        first_day=period.previous.first_day, last_day=period.last_day, time_zone=period.time_zone
    )
    scoped_sql, scoped_params = _scoped_sql(
        client_items(client=client, period=both_periods, channel_id=report_filter.channel_id)
    )
    # Only constant SQL fragments are interpolated (the ORM's compiled CTE and the fixed
    # fragments above); every value travels as a parameter.
    sql = f"""
        WITH scoped AS ({scoped_sql}),
        counted AS MATERIALIZED (
            SELECT terms.source, terms.term,
                   count(*) FILTER (WHERE scoped.received_at >= %s) AS items,
                   count(*) FILTER (WHERE scoped.received_at < %s) AS previous_items
            FROM scoped CROSS JOIN LATERAL (
                SELECT 'keyword', term FROM ({KEYWORD_TERMS_SQL}) AS keywords(term)
                UNION ALL
                SELECT 'tag', term FROM ({TAG_TERMS_SQL}) AS tags(term)
            ) AS terms(source, term)
            GROUP BY terms.source, terms.term
        ),
        kept AS MATERIALIZED (
            SELECT source, term, items, previous_items FROM counted
            WHERE items > 0 AND char_length(term) >= %s AND term ~ %s AND NOT (term = ANY(%s))
        ),
        ranked AS (
            SELECT source, 'top' AS list, term, items, previous_items,
                   row_number() OVER (PARTITION BY source ORDER BY items DESC, term) AS rank
            FROM kept
            UNION ALL
            SELECT source, 'rising', term, items, previous_items,
                   row_number() OVER (PARTITION BY source ORDER BY items - previous_items DESC, items DESC, term)
            FROM kept WHERE items > previous_items
        )
        SELECT source, list, term, items, previous_items FROM ranked
        WHERE rank <= CASE list WHEN 'top' THEN %s ELSE %s END
        ORDER BY source, list, rank
    """  # noqa: S608
    params = [
        *scoped_params,
        period.start,
        period.start,
        TOPIC_MIN_WORD_LENGTH,
        TOPIC_TERM_PATTERN,
        sorted(STOPWORDS),
        top,
        rising,
    ]
    lists: dict[str, dict[str, list[dict]]] = {source: {"top": [], "rising": []} for source in ("keyword", "tag")}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for source, list_name, term, items, previous in cursor.fetchall():
            row = {"term": term, "items": items, "previous_items": previous, "change": items - previous}
            lists[source][list_name].append(row)
    return {source: TopicCounts(**counts) for source, counts in lists.items()}


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
            WHERE (scoped.topic_terms && %s OR scoped.tags <> '{{}}') AND terms.term = ANY(%s)
        )
        SELECT term, id, text, received_at FROM hits WHERE rank <= %s ORDER BY term, rank
    """  # noqa: S608
    params = [*scoped_params, SAMPLE_TEXT_LENGTH, list(terms), list(terms), per_term]
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


def _with_author_details(*, client: Client, items: QuerySet[Item], rows: list[dict]) -> list[dict]:
    """Latest text in the report's items and key-account flag for the (at most a page of) authors shown.

    Two queries, kept out of the GROUP BY on purpose: as correlated subqueries there PostgreSQL
    ran them once per item row (2.7 s for one client's month at a million items). The latest
    text comes from the period's items (what they wrote this period), not the author's whole
    history: heavy writers have thousands of items.
    """
    author_ids = list({row["author_id"] for row in rows})
    latest = dict(
        items.filter(author_id__in=author_ids)
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


@dataclass(frozen=True)
class AuthorFigures:
    """The period's authors by reach, by activity, and the influential ones new to the client."""

    reach: list[dict]
    activity: list[dict]
    new_influential: list[dict]


def author_figures(*, client: Client, report_filter: ReportFilter, limit: int = 20) -> AuthorFigures:
    """Authors by reach (followers, then activity), by activity (items, then followers), and new influencers.

    One aggregate over the period's items by author, ranked both ways in the same query; the
    rows kept are the top `limit` of either ranking plus every influential author (tier A/B on
    an item, or at least the client's influencer follower threshold). Of those, the ones who
    never wrote to this client before the period are the new influential authors, shown with
    their figures over all their items in the period, by reach. Then one query each for the
    latest texts and key-account flags of the authors shown. (Three aggregates and nine queries
    before; the author aggregate was most of a client report's database time.)
    """
    period = report_filter.period
    # Erased items stand for no author (their placeholder is many people); see inbox.services.erasure.
    items = client_items(client=client, period=period, channel_id=report_filter.channel_id).filter(
        erased_at__isnull=True
    )
    aggregate_sql, aggregate_params = (
        _author_rows(items=items)
        .annotate(influential_items=Count("id", filter=influential(client)))
        .order_by()
        .query.sql_with_params()
    )
    sql = f"""
        WITH authors AS ({aggregate_sql}),
        ranked AS (
            SELECT authors.*,
                   row_number() OVER (ORDER BY author__follower_count DESC, total DESC, author_id) AS reach_rank,
                   row_number() OVER (ORDER BY total DESC, author__follower_count DESC, author_id) AS activity_rank
            FROM authors
        )
        SELECT * FROM ranked WHERE reach_rank <= %s OR activity_rank <= %s OR influential_items > 0
    """  # noqa: S608 - only the ORM's compiled SQL is interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, [*aggregate_params, limit, limit])
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    influential_ids = [row["author_id"] for row in rows if row["influential_items"]]
    known_before = set(
        Item.objects.filter(client=client, author_id__in=influential_ids, received_at__lt=period.start)
        .values_list("author_id", flat=True)
        .distinct()
    )
    by_reach = sorted(rows, key=lambda row: row["reach_rank"])
    figures = AuthorFigures(
        reach=[row for row in by_reach if row["reach_rank"] <= limit],
        activity=sorted((row for row in rows if row["activity_rank"] <= limit), key=lambda row: row["activity_rank"]),
        new_influential=[row for row in by_reach if row["influential_items"] and row["author_id"] not in known_before][
            :limit
        ],
    )
    _with_author_details(client=client, items=items, rows=figures.reach + figures.activity + figures.new_influential)
    return figures


# --- per client: spam, fakes and campaigns -------------------------------------------------------


def moderation_summary(*, client: Client, report_filter: ReportFilter) -> dict:
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    totals = items.aggregate(
        total=Count("id"),
        hidden=Count("id", filter=Q(status=Status.HIDDEN)),
        spam=Count("id", filter=Q(status=Status.SPAM)),
        high_spam_score=Count("id", filter=Q(spam_score__gte=Item.SPAM_LIKELY)),
        suspected_fake=Count("id", filter=Q(fake_score__gte=Item.FAKE_LIKELY)),
    )
    totals["moderated_share"] = share(totals["hidden"] + totals["spam"], totals["total"])
    return totals


def moderated_items(*, client: Client, report_filter: ReportFilter, limit: int = 20) -> list[dict]:
    """The latest hidden, spam or suspected-fake items, shortened."""
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    suspicious = Q(status__in=[Status.HIDDEN, Status.SPAM]) | Q(fake_score__gte=Item.FAKE_LIKELY)
    return list(
        items.filter(suspicious)
        .values("id", "status", "spam_score", "fake_score", "received_at", "channel__name", "author__handle")
        .annotate(text_start=Left("text", SAMPLE_TEXT_LENGTH))
        .order_by("-received_at", "-id")[:limit]
    )


def coordinated_campaigns(*, client: Client, report_filter: ReportFilter, limit: int = 20) -> list[dict]:
    """Clusters of near-identical texts (same Item.campaign_key) from several authors.

    The key is the md5 of the normalised text (lower case, links, @handles and digits dropped,
    punctuation collapsed), stored by PostgreSQL with the item; texts that normalise to under 20
    characters have none. The GROUP BY hashes 16-byte keys of the period's items.
    """
    items = client_items(client=client, period=report_filter.period, channel_id=report_filter.channel_id)
    return list(
        items.filter(campaign_key__isnull=False)
        .values("campaign_key")
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
        .order_by(alphabetical("channel__name"), "channel__name")
    )
    return [with_sla_share(row) for row in rows]
