"""The three reports as tables and charts, built from the selectors.

Each report computes a selector result once (cached_property) and turns it into
ReportTables; a CSV export asks for one table and so runs only the queries that table
needs. The page and the CSV read the same ReportTable, so they cannot disagree.
"""

from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from billing.coverage import ALWAYS_COVERED
from billing.selectors import ClientCoverage, clients_coverage_overview, coverage_plans_overlapping
from communityops.alphabetical import alphabetical_key
from communityops.models import Channel, Client, User
from communityops.selectors import client_ids_for_user, client_list_for_user
from communityops.weekdays import WEEKDAY_SHORT
from crises.event_summaries import spike_alert_counts
from crises.models import Crisis, SpikeAlert
from crises.selectors import crisis_board_for_user, spike_alerts_open_for_user
from inbox.models import AuthorTier, Item

from . import charts, selectors
from .periods import AGENCY_TIME_ZONE, Granularity, ReportFilter
from .tables import FIGURE_DECIMALS, SCORE_DECIMALS, Column, Linked, ReportTable, local_time, minutes, shown_date

DASHBOARD_LIST_LIMIT = 10
# Whole phrases: a lower-cased interval spliced into one would read "je tag" in German.
VOLUME_CHART_TITLES = {
    Granularity.DAY: _("Items per day by sentiment"),
    Granularity.WEEK: _("Items per week by sentiment"),
    Granularity.MONTH: _("Items per month by sentiment"),
}


def chart_day(day: date) -> str:
    """A day as a chart labels it, in the active language (English "Nov 16", German "16.11.")."""
    return date_format(day, pgettext("chart axis: a day, as a Django date format", "M j"))


def response_time_columns() -> list[Column]:
    """The median and the 90th percentile of the first response, in minutes."""
    in_minutes = {"numeric": True, "minutes": True, "decimals": FIGURE_DECIMALS}
    return [
        Column(_("Median response (min)"), page_label=_("Median response"), **in_minutes),
        Column(_("90th percentile (min)"), page_label=_("90th percentile"), **in_minutes),
    ]


def response_columns() -> list[Column]:
    return [
        Column(_("Items"), numeric=True),
        Column(_("Handled"), numeric=True),
        Column(_("Replies"), numeric=True),
        *response_time_columns(),
        Column(_("Within SLA (%)"), numeric=True, decimals=FIGURE_DECIMALS),
    ]


def response_cells(row: dict) -> list:
    return [
        row["items"],
        row["handled"],
        row["responded"],
        minutes(row["median_seconds"]),
        minutes(row["p90_seconds"]),
        row["sla_share"],
    ]


def with_minutes(summary: dict) -> dict:
    """Adds the response times in minutes, the unit the pages show."""
    for name in ("median", "p90", "mean"):
        summary[f"{name}_minutes"] = minutes(summary[f"{name}_seconds"])
    return summary


def _held_items_link(row: dict) -> int | Linked:
    """An agent row's held-item count, leading to those items in the inbox (to act on them)."""
    if not row["holding"]:
        return row["holding"]
    return Linked(row["holding"], f"{reverse('inbox:queue')}?{urlencode({'holder': row['user_id']})}")


def _covered_in_words(entry: ClientCoverage) -> str:
    """Yes or no; a client without a plan is covered only by billing's fallback, and a shift
    lead must see that no hours were booked."""
    if not entry.has_plan:
        return gettext("yes (no coverage plan)")
    return gettext("yes") if entry.status.covered else gettext("no")


class UnknownTable(KeyError):
    pass


class Report:
    TABLE_KEYS: tuple[str, ...] = ()

    def table(self, key: str) -> ReportTable:
        if key not in self.TABLE_KEYS:
            raise UnknownTable(key)
        return getattr(self, f"table_{key}")()

    def tables(self) -> dict[str, ReportTable]:
        return {key: self.table(key) for key in self.TABLE_KEYS}


# --- agency: live operations ---------------------------------------------------------------------


def spike_number_columns() -> list[Column]:
    """A spike's numbers for a spreadsheet (spike_numbers), beside the words the page shows them in
    ("40 in one hour, usually about 5"): the CSV and the API carry them, the page does not."""
    return [
        Column(_("Count in the window"), numeric=True, on_page=False),
        Column(_("Usual in the window"), numeric=True, on_page=False, decimals=FIGURE_DECIMALS),
        Column(_("Threshold"), numeric=True, on_page=False),
        Column(_("z-score"), numeric=True, on_page=False, decimals=FIGURE_DECIMALS),
    ]


def spike_numbers(*, kind: str, observed: int, baseline: float, z_score: float | None) -> list:
    """A spike alert's count, usual count, threshold and z-score (spike_number_columns): the baseline
    is the usual count of a volume spike (what the same window of past weeks had) but the threshold
    of the unanswered items (counted at one moment, no z-score), so each has its own column."""
    if kind == SpikeAlert.Kind.UNANSWERED:
        return [observed, None, round(baseline), None]
    return [observed, baseline, None, z_score]


class OperationsDashboard(Report):
    TABLE_KEYS = ("waiting", "at_risk", "agents", "coverage", "crises", "spikes")

    def __init__(self, *, user: User, now: datetime):
        self.user = user
        self.now = now
        self.client_ids = client_ids_for_user(user=user)

    @cached_property
    def waiting(self) -> list[dict]:
        return selectors.waiting_by_client_channel(client_ids=self.client_ids, now=self.now)

    @cached_property
    def totals(self) -> dict:
        """Sums over the grouped rows (a few dozen client/channel pairs, not items)."""
        rows = self.waiting
        oldest = min((row["oldest_received_at"] for row in rows), default=None)
        return {
            "waiting": sum(row["waiting"] for row in rows),
            "unclaimed": sum(row["unclaimed"] for row in rows),
            "due_soon": sum(row["due_soon"] for row in rows),
            "overdue": sum(row["overdue"] for row in rows),
            "oldest_received_at": oldest,
            "oldest_wait_minutes": None if oldest is None else round((self.now - oldest).total_seconds() / 60),
        }

    def table_waiting(self) -> ReportTable:
        return ReportTable(
            key="waiting",
            title=_("Waiting per client and channel"),
            columns=[
                Column(_("Client")),
                Column(_("Channel")),
                Column(_("Waiting"), numeric=True),
                Column(_("Unclaimed"), numeric=True),
                Column(_("Oldest waiting since")),
                Column(_("Due within 15 min"), numeric=True),
                Column(_("Past SLA"), numeric=True),
            ],
            rows=[
                [
                    row["client__name"],
                    row["channel__name"],
                    row["waiting"],
                    row["unclaimed"],
                    local_time(row["oldest_received_at"], AGENCY_TIME_ZONE),
                    row["due_soon"],
                    row["overdue"],
                ]
                for row in self.waiting
            ],
            data=self.waiting,
            empty_text=gettext("Nothing waiting."),
        )

    def table_at_risk(self) -> ReportTable:
        items = selectors.items_at_risk(client_ids=self.client_ids, now=self.now)
        return ReportTable(
            key="at_risk",
            title=_("Close to or past the SLA"),
            columns=[
                Column(_("Due")),
                Column(_("Client")),
                Column(_("Channel")),
                Column(_("Status")),
                Column(_("Held by")),
                Column(_("Text")),
            ],
            rows=[
                [
                    local_time(item.sla_due_at, AGENCY_TIME_ZONE),
                    item.client.name,
                    item.channel.name,
                    item.get_status_display(),
                    str(item.claimed_by) if item.claimed_by else None,
                    item.text[:120],
                ]
                for item in items
            ],
            data=items,
            empty_text=gettext("No item is close to its SLA."),
        )

    @cached_property
    def agents(self) -> list[dict]:
        """Online colleagues (selectors.agents_online) and everyone holding claims on visible clients, one row each."""
        holding = {row["claimed_by_id"]: row for row in selectors.agents_holding(client_ids=self.client_ids)}
        rows = []
        for presence in selectors.agents_online(user=self.user, client_ids=self.client_ids):
            claims = holding.pop(presence.user_id, {})
            rows.append(
                {
                    "user_id": presence.user_id,
                    "name": str(presence.user),
                    "online": True,
                    "last_seen_at": presence.last_seen_at,
                    "capacity": presence.capacity,
                    "holding": claims.get("holding", 0),
                    "oldest_claim_at": claims.get("oldest_claim_at"),
                    "next_due_at": claims.get("next_due_at"),
                }
            )
        for claims in holding.values():
            name = " ".join(filter(None, [claims["claimed_by__first_name"], claims["claimed_by__last_name"]]))
            rows.append(
                {
                    "user_id": claims["claimed_by_id"],
                    "name": name or claims["claimed_by__email"],
                    "online": False,
                    "last_seen_at": None,
                    "capacity": None,
                    "holding": claims["holding"],
                    "oldest_claim_at": claims["oldest_claim_at"],
                    "next_due_at": claims["next_due_at"],
                }
            )
        return sorted(rows, key=lambda row: (not row["online"], -row["holding"], alphabetical_key(row["name"])))

    def table_agents(self) -> ReportTable:
        return ReportTable(
            key="agents",
            title=_("Who is online and what they hold"),
            columns=[
                Column(_("Agent")),
                Column(_("Online")),
                Column(_("Last seen")),
                Column(_("Holding"), numeric=True),
                Column(_("Capacity"), numeric=True),
                Column(_("Claimed since")),
                Column(_("Next due")),
            ],
            rows=[
                [
                    row["name"],
                    gettext("online") if row["online"] else gettext("offline"),
                    local_time(row["last_seen_at"], AGENCY_TIME_ZONE),
                    _held_items_link(row),
                    row["capacity"],
                    local_time(row["oldest_claim_at"], AGENCY_TIME_ZONE),
                    local_time(row["next_due_at"], AGENCY_TIME_ZONE),
                ]
                for row in self.agents
            ],
            data=self.agents,
            empty_text=gettext("Nobody is online."),
        )

    def table_coverage(self) -> ReportTable:
        """Which clients are covered right now (billing's coverage plans), covered ones first."""
        overview = clients_coverage_overview(clients=client_list_for_user(user=self.user), at=self.now)
        return ReportTable(
            key="coverage",
            title=_("Clients covered right now"),
            columns=[
                Column(_("Client")),
                Column(_("Covered")),
                Column(_("Until / next from")),
                Column(_("Promise (min)"), numeric=True, minutes=True, page_label=_("Promise")),
            ],
            rows=[
                [
                    entry.client.name,
                    _covered_in_words(entry),
                    local_time(
                        entry.status.covered_until if entry.status.covered else entry.status.next_start,
                        AGENCY_TIME_ZONE,
                    ),
                    entry.response_minutes,
                ]
                for entry in overview
            ],
            data=overview,
            empty_text=gettext("No clients."),
        )

    def table_crises(self) -> ReportTable:
        crises = list(crisis_board_for_user(user=self.user)[:DASHBOARD_LIST_LIMIT])
        return ReportTable(
            key="crises",
            title=_("Open crises"),
            columns=[
                Column(_("Opened")),
                Column(_("Client")),
                Column(_("Severity")),
                Column(_("Status")),
                Column(_("Title")),
            ],
            rows=[
                [
                    local_time(crisis.created_at, AGENCY_TIME_ZONE),
                    crisis.client.name,
                    crisis.get_severity_display(),
                    crisis.get_status_display(),
                    crisis.title,
                ]
                for crisis in crises
            ],
            data=crises,
            empty_text=gettext("No open crisis."),
        )

    def table_spikes(self) -> ReportTable:
        alerts = list(spike_alerts_open_for_user(user=self.user)[:DASHBOARD_LIST_LIMIT])
        return ReportTable(
            key="spikes",
            title=_("Open spike alerts"),
            columns=[
                Column(_("Window")),
                Column(_("Client")),
                Column(_("Channel")),
                Column(_("Kind")),
                Column(_("Counts")),  # a spike's usual number, or the unanswered items' threshold
                *spike_number_columns(),
            ],
            rows=[
                [
                    local_time(alert.window_start, AGENCY_TIME_ZONE),
                    alert.client.name,
                    alert.channel.name if alert.channel else None,
                    alert.get_kind_display(),
                    spike_alert_counts(
                        kind=alert.kind,
                        observed=alert.observed,
                        baseline=alert.baseline,
                        window_start=alert.window_start,
                        window_end=alert.window_end,
                    ),
                    *spike_numbers(
                        kind=alert.kind, observed=alert.observed, baseline=alert.baseline, z_score=alert.z_score
                    ),
                ]
                for alert in alerts
            ],
            data=alerts,
            empty_text=gettext("No open spike alert."),
        )

    def waiting_chart(self) -> charts.RankedChart:
        """A row per client, the most urgent first: past SLA, then due soon, then waiting."""
        per_client: dict[str, list[int]] = {}
        for row in self.waiting:
            counts = per_client.setdefault(row["client__name"], [0, 0, 0])
            counts[0] += row["overdue"]
            counts[1] += row["due_soon"]
            counts[2] += row["waiting"] - row["overdue"] - row["due_soon"]
        labels = sorted(per_client, key=lambda name: (*(-count for count in per_client[name]), alphabetical_key(name)))
        return charts.ranked_stacked_bars(
            title=gettext("Waiting per client"),
            labels=labels,
            series=[
                (gettext("Past SLA"), "bar-danger", [per_client[name][0] for name in labels]),
                (gettext("Due within 15 min"), "bar-warn", [per_client[name][1] for name in labels]),
                (gettext("Other waiting"), "bar", [per_client[name][2] for name in labels]),
            ],
        )


# --- agency: agent and team figures --------------------------------------------------------------


class TeamReport(Report):
    TABLE_KEYS = ("agents", "clients", "channels", "hours", "weekdays")

    def __init__(self, *, user: User, report_filter: ReportFilter, now: datetime):
        self.user = user
        self.report_filter = report_filter
        self.now = now
        self.client_ids = client_ids_for_user(user=user)

    @cached_property
    def team_figures(self) -> selectors.TeamFigures:
        return selectors.team_figures(
            user=self.user, client_ids=self.client_ids, report_filter=self.report_filter, now=self.now
        )

    def figures(self, dimension: str) -> list[dict]:
        return self.team_figures.by[dimension]

    @cached_property
    def summary(self) -> dict:
        return with_minutes(dict(self.team_figures.summary))

    @property
    def by_hour(self) -> list[dict]:
        return self.figures("hour")

    @property
    def by_weekday(self) -> list[dict]:
        return self.figures("weekday")

    def table_agents(self) -> ReportTable:
        rows = self.figures("agent")
        unnamed = {
            selectors.Attribution.NOT_SHOWN: gettext("Colleagues outside your clients' teams"),
            selectors.Attribution.NOBODY: gettext("Without an agent"),
        }
        return ReportTable(
            key="agents",
            title=_("By agent (first action on the item)"),
            note=gettext(
                "Each item counts once: for the agent whose reply or moderation came first, else under "
                "“Without an agent” (closed without a reply, spam, or still open). The rows add up to the totals."
            ),
            columns=[Column(_("Agent")), *response_columns()],
            rows=[[row["agent_name"] or unnamed[row["attribution"]], *response_cells(row)] for row in rows],
            data=rows,
        )

    def table_clients(self) -> ReportTable:
        rows = self.figures("client")
        return ReportTable(
            key="clients",
            title=_("By client"),
            columns=[Column(_("Client")), *response_columns()],
            rows=[[row["client__name"], *response_cells(row)] for row in rows],
            data=rows,
        )

    def table_channels(self) -> ReportTable:
        rows = self.figures("channel")
        return ReportTable(
            key="channels",
            title=_("By channel"),
            columns=[Column(_("Client")), Column(_("Channel")), *response_columns()],
            rows=[[row["client__name"], row["channel__name"], *response_cells(row)] for row in rows],
            data=rows,
        )

    def table_hours(self) -> ReportTable:
        return ReportTable(
            key="hours",
            title=_("By hour of arrival (Europe/Berlin)"),
            columns=[Column(_("Hour")), *response_columns()],
            rows=[[f"{row['hour']:02d}:00", *response_cells(row)] for row in self.by_hour],
            data=self.by_hour,
        )

    def table_weekdays(self) -> ReportTable:
        return ReportTable(
            key="weekdays",
            title=_("By weekday of arrival (Europe/Berlin)"),
            columns=[Column(_("Weekday")), *response_columns()],
            rows=[[str(WEEKDAY_SHORT[row["weekday"] - 1]), *response_cells(row)] for row in self.by_weekday],
            data=self.by_weekday,
        )

    def hour_chart(self) -> charts.Chart:
        return charts.bars(
            title=gettext("Median first response by hour of arrival (min)"),
            labels=[f"{row['hour']:02d}" for row in self.by_hour],
            values=[minutes(row["median_seconds"]) for row in self.by_hour],
            name=gettext("Median (min)"),
            unit=" " + pgettext("a duration", "min"),
        )

    def weekday_chart(self) -> charts.Chart:
        return charts.stacked_bars(
            title=gettext("Items by weekday: handled and still open"),
            labels=[str(WEEKDAY_SHORT[row["weekday"] - 1]) for row in self.by_weekday],
            series=[
                (gettext("Handled"), "bar", [row["handled"] for row in self.by_weekday]),
                (gettext("Open"), "bar-warn", [row["items"] - row["handled"] for row in self.by_weekday]),
            ],
        )


# --- per client ----------------------------------------------------------------------------------


def author_columns() -> list[Column]:
    return [
        Column(_("Author")),
        Column(_("Platform")),
        Column(_("Followers"), numeric=True),
        Column(_("Tier")),
        Column(_("Key account")),
        Column(_("Items"), numeric=True),
        Column(_("Positive"), numeric=True),
        Column(_("Negative"), numeric=True),
        Column(_("Average sentiment"), numeric=True, decimals=SCORE_DECIMALS),
        Column(_("Latest text")),
    ]


def author_cells(row: dict) -> list:
    name = row["author__display_name"] or row["author__handle"]
    if row["author__verified"]:
        name = f"{name} ✓"
    return [
        name,
        Channel.Platform(row["author__platform"]).label if row["author__platform"] else None,
        row["author__follower_count"],
        AuthorTier(row["best_tier"]).label,
        gettext("yes") if row["is_key_account"] else None,
        row["total"],
        row["positive"],
        row["negative"],
        row["average_score"],
        row["latest_text"],
    ]


def topic_columns(first: str) -> list[Column]:
    return [
        Column(first),
        Column(_("Items"), numeric=True),
        Column(_("Previous period"), numeric=True),
        Column(pgettext_lazy("against the previous period", "Change"), numeric=True),
    ]


class ClientReport(Report):
    TABLE_KEYS = (
        "volume",
        "channels",
        "keywords",
        "tags",
        "rising",
        "samples",
        "authors_reach",
        "authors_activity",
        "authors_new",
        "moderated",
        "campaigns",
        "service",
        "events",
    )

    def __init__(self, *, client: Client, report_filter: ReportFilter, now: datetime):
        self.client = client
        self.report_filter = report_filter
        self.now = now
        self.time_zone = ZoneInfo(client.time_zone)
        self.scope = {"client": client, "report_filter": report_filter}

    # figures
    @cached_property
    def volume(self) -> list[dict]:
        return selectors.volume_over_time(**self.scope)

    @cached_property
    def sentiment(self) -> dict:
        return selectors.sentiment_summary(**self.scope)

    @cached_property
    def authors(self) -> selectors.AuthorFigures:
        return selectors.author_figures(**self.scope)

    @cached_property
    def topic_counts(self) -> dict[str, selectors.TopicCounts]:
        return selectors.topic_counts(**self.scope)

    @property
    def keyword_counts(self) -> selectors.TopicCounts:
        return self.topic_counts["keyword"]

    @property
    def tag_counts(self) -> selectors.TopicCounts:
        return self.topic_counts["tag"]

    @property
    def keywords(self) -> list[dict]:
        return self.keyword_counts.top

    @property
    def tags(self) -> list[dict]:
        return self.tag_counts.top

    @cached_property
    def moderation(self) -> dict:
        return selectors.moderation_summary(**self.scope)

    @cached_property
    def service(self) -> dict:
        summary = with_minutes(selectors.service_summary(**self.scope, now=self.now))
        summary["promised_minutes"] = self.promised_minutes
        return summary

    @cached_property
    def promised_minutes(self) -> int:
        """The promised response time in covered minutes: the latest coverage plan in force in the period.

        Without a plan billing treats the client as covered around the clock with its default promise.
        """
        period = self.report_filter.period
        plans = coverage_plans_overlapping(
            client=self.client, start=period.first_day, end=period.last_day + timedelta(days=1)
        )
        if plans:
            return plans[-1].response_minutes
        return ALWAYS_COVERED.response_minutes

    @cached_property
    def events(self) -> list[dict]:
        """Crises opened and spike alerts raised in the period, to mark on the volume chart."""
        period = self.report_filter.period
        crises = Crisis.objects.filter(client=self.client, created_at__gte=period.start, created_at__lt=period.end)
        spikes = SpikeAlert.objects.filter(
            client=self.client, window_start__gte=period.start, window_start__lt=period.end
        )
        if self.report_filter.channel_id is not None:
            spikes = spikes.filter(channel_id=self.report_filter.channel_id)
        found = [
            {"at": crisis["created_at"], "kind": "crisis", "label": crisis["title"], "status": crisis["status"]}
            for crisis in crises.values("created_at", "title", "status")
        ]
        found += [
            {
                "at": spike["window_start"],
                "kind": "spike",
                "label": SpikeAlert.Kind(spike["kind"]).label,
                "spike_kind": spike["kind"],
                "observed": spike["observed"],
                "expected": spike["baseline"],
                "z_score": spike["z_score"],
                "window_end": spike["window_end"],
            }
            for spike in spikes.values("window_start", "window_end", "kind", "observed", "baseline", "z_score")
        ]
        return sorted(found, key=lambda event: event["at"])

    @staticmethod
    def event_detail(event: dict) -> str:
        """A crisis's status as its label, a spike's counts in words, in the active language."""
        if event["kind"] == "crisis":
            return str(Crisis.Status(event["status"]).label)
        return spike_alert_counts(
            kind=event["spike_kind"],
            observed=event["observed"],
            baseline=event["expected"],
            window_start=event["at"],
            window_end=event["window_end"],
        )

    @staticmethod
    def event_numbers(event: dict) -> list:
        """A spike's numbers (spike_numbers); a crisis has none."""
        if event["kind"] == "crisis":
            return [None] * len(spike_number_columns())
        return spike_numbers(
            kind=event["spike_kind"], observed=event["observed"], baseline=event["expected"], z_score=event["z_score"]
        )

    # tables
    def table_volume(self) -> ReportTable:
        """One row a day, or a week or month with its first and last day within the period."""
        per_day = self.report_filter.granularity == Granularity.DAY
        return ReportTable(
            key="volume",
            title=_("Volume and sentiment over time"),
            columns=[
                *([Column(_("Day"))] if per_day else [Column(_("From")), Column(_("To"))]),
                Column(_("Items"), numeric=True),
                Column(_("Positive"), numeric=True),
                Column(_("Neutral"), numeric=True),
                Column(_("Negative"), numeric=True),
                Column(_("Average sentiment"), numeric=True, decimals=SCORE_DECIMALS),
            ],
            rows=[
                [
                    *([row["first_day"]] if per_day else [row["first_day"], row["last_day"]]),
                    row["total"],
                    row["positive"],
                    row["neutral"],
                    row["negative"],
                    row["average_score"],
                ]
                for row in self.volume
            ],
            data=self.volume,
        )

    def table_channels(self) -> ReportTable:
        rows = selectors.volume_by_channel(**self.scope)
        return ReportTable(
            key="channels",
            title=_("By channel"),
            columns=[
                Column(_("Channel")),
                Column(_("Platform")),
                Column(_("Items"), numeric=True),
                Column(_("Positive"), numeric=True),
                Column(_("Neutral"), numeric=True),
                Column(_("Negative"), numeric=True),
                Column(_("Negative (%)"), numeric=True, decimals=FIGURE_DECIMALS),
            ],
            rows=[
                [
                    row["channel__name"],
                    Channel.Platform(row["channel__platform"]).label,
                    row["total"],
                    row["positive"],
                    row["neutral"],
                    row["negative"],
                    selectors.share(row["negative"], row["total"]),
                ]
                for row in rows
            ],
            data=rows,
        )

    def table_keywords(self) -> ReportTable:
        return ReportTable(
            key="keywords",
            title=_("Keywords"),
            columns=topic_columns(_("Keyword")),
            rows=[[row["term"], row["items"], row["previous_items"], row["change"]] for row in self.keywords],
            data=self.keywords,
        )

    def table_tags(self) -> ReportTable:
        return ReportTable(
            key="tags",
            title=_("Tags set by agents"),
            columns=topic_columns(_("Tag")),
            rows=[[row["term"], row["items"], row["previous_items"], row["change"]] for row in self.tags],
            data=self.tags,
        )

    def table_rising(self) -> ReportTable:
        rows = sorted(
            [{**row, "source": gettext("keyword")} for row in self.keyword_counts.rising]
            + [{**row, "source": gettext("tag")} for row in self.tag_counts.rising],
            key=lambda row: (-row["change"], -row["items"], row["term"]),
        )
        return ReportTable(
            key="rising",
            title=_("Rising compared with the previous period"),
            columns=[Column(_("Topic")), Column(_("Source")), *topic_columns("")[1:]],
            rows=[[row["term"], row["source"], row["items"], row["previous_items"], row["change"]] for row in rows],
            data=rows,
        )

    @cached_property
    def samples(self) -> dict[str, list[dict]]:
        terms = [row["term"] for row in self.keywords[:8]] + [row["term"] for row in self.tags[:4]]
        return selectors.topic_samples(**self.scope, terms=list(dict.fromkeys(terms)))

    def table_samples(self) -> ReportTable:
        return ReportTable(
            key="samples",
            title=_("Sample items per topic"),
            columns=[Column(_("Topic")), Column(_("Received")), Column(_("Text"))],
            rows=[
                [term, local_time(sample["received_at"], self.time_zone), sample["text"]]
                for term, samples in self.samples.items()
                for sample in samples
            ],
            data=self.samples,
        )

    def _authors_table(self, key: str, title, rows: list[dict]) -> ReportTable:
        return ReportTable(
            key=key, title=title, columns=author_columns(), rows=[author_cells(row) for row in rows], data=rows
        )

    def table_authors_reach(self) -> ReportTable:
        return self._authors_table("authors_reach", _("Authors with the most reach"), self.authors.reach)

    def table_authors_activity(self) -> ReportTable:
        return self._authors_table("authors_activity", _("Most active authors"), self.authors.activity)

    def table_authors_new(self) -> ReportTable:
        return self._authors_table(
            "authors_new", _("New influential authors this period"), self.authors.new_influential
        )

    def table_moderated(self) -> ReportTable:
        rows = selectors.moderated_items(**self.scope)
        return ReportTable(
            key="moderated",
            title=_("Hidden, spam and suspected fakes"),
            columns=[
                Column(_("Received")),
                Column(_("Channel")),
                Column(_("Author")),
                Column(_("Status")),
                Column(_("Spam score"), numeric=True, decimals=SCORE_DECIMALS),
                Column(_("Fake suspicion"), numeric=True, decimals=SCORE_DECIMALS),
                Column(_("Text")),
            ],
            rows=[
                [
                    local_time(row["received_at"], self.time_zone),
                    row["channel__name"],
                    row["author__handle"],
                    Item.Status(row["status"]).label,
                    row["spam_score"],
                    row["fake_score"],
                    row["text_start"],
                ]
                for row in rows
            ],
            data=rows,
        )

    def table_campaigns(self) -> ReportTable:
        rows = selectors.coordinated_campaigns(**self.scope)
        return ReportTable(
            key="campaigns",
            title=_("Coordinated campaigns (near-identical texts from several authors)"),
            columns=[
                Column(_("Text")),
                Column(_("Items"), numeric=True),
                Column(_("Authors"), numeric=True),
                Column(_("Channels"), numeric=True),
                Column(_("Hidden or spam"), numeric=True),
                Column(_("First")),
                Column(_("Last")),
            ],
            rows=[
                [
                    row["sample_text"],
                    row["items"],
                    row["authors"],
                    row["channels"],
                    row["moderated"],
                    local_time(row["first_received_at"], self.time_zone),
                    local_time(row["last_received_at"], self.time_zone),
                ]
                for row in rows
            ],
            data=rows,
            empty_text=gettext("No coordinated campaign detected."),
        )

    def table_service(self) -> ReportTable:
        rows = selectors.service_by_channel(**self.scope, now=self.now)
        return ReportTable(
            key="service",
            title=_("Service by channel"),
            columns=[
                Column(_("Channel")),
                Column(_("Items"), numeric=True),
                Column(_("Answered"), numeric=True),
                Column(_("Hidden or spam"), numeric=True),
                Column(_("Closed unanswered"), numeric=True),
                Column(_("Open"), numeric=True),
                *response_time_columns(),
                Column(_("Within SLA (%)"), numeric=True, decimals=FIGURE_DECIMALS),
            ],
            rows=[
                [
                    row["channel__name"],
                    row["total"],
                    row["answered"],
                    row["hidden"],
                    row["ignored"],
                    row["open"],
                    minutes(row["median_seconds"]),
                    minutes(row["p90_seconds"]),
                    row["sla_share"],
                ]
                for row in rows
            ],
            data=rows,
        )

    def table_events(self) -> ReportTable:
        return ReportTable(
            key="events",
            title=_("Crises and spikes"),
            columns=[
                Column(_("When")),
                Column(_("Kind")),
                Column(_("What")),
                Column(_("Detail")),
                *spike_number_columns(),
            ],
            rows=[
                [
                    local_time(event["at"], self.time_zone),
                    gettext("Crisis") if event["kind"] == "crisis" else gettext("Spike"),
                    str(event["label"]),
                    self.event_detail(event),
                    *self.event_numbers(event),
                ]
                for event in self.events
            ],
            data=self.events,
            empty_text=gettext("No crisis or spike in this period."),
        )

    # charts
    def bucket_label(self, row: dict) -> str:
        """A bucket on the chart's axis, in the active language: its day, the week from its first
        day within the period, or its month."""
        granularity = self.report_filter.granularity
        if granularity == Granularity.MONTH:
            return date_format(row["first_day"], pgettext("chart axis: a month, as a Django date format", "M Y"))
        if granularity == Granularity.WEEK:
            return pgettext("chart axis: a week (within the report's period) from this day", "from %(day)s") % {
                "day": chart_day(row["first_day"])
            }
        return chart_day(row["first_day"])

    def bucket_title(self, row: dict) -> str:
        """A bucket in a bar's tooltip: its day, or the days of it within the period."""
        if row["first_day"] == row["last_day"]:
            return chart_day(row["first_day"])
        return f"{chart_day(row['first_day'])}–{chart_day(row['last_day'])}"

    def volume_chart(self) -> charts.Chart:
        buckets = [row["first_day"] for row in self.volume]
        markers = []
        for event in self.events:
            local_day = event["at"].astimezone(self.time_zone).date()
            index = max((position for position, start in enumerate(buckets) if start <= local_day), default=None)
            if index is not None:
                css_class = "marker-crisis" if event["kind"] == "crisis" else "marker-spike"
                markers.append(
                    (index, css_class, f"{event['label']} ({shown_date(local_time(event['at'], self.time_zone))})")
                )
        return charts.stacked_bars(
            title=VOLUME_CHART_TITLES[self.report_filter.granularity],
            labels=[self.bucket_label(row) for row in self.volume],
            bar_titles=[self.bucket_title(row) for row in self.volume],
            time_axis=True,
            series=[
                (gettext("Negative"), "bar-negative", [row["negative"] for row in self.volume]),
                (gettext("Neutral"), "bar-neutral", [row["neutral"] for row in self.volume]),
                (gettext("Positive"), "bar-positive", [row["positive"] for row in self.volume]),
            ],
            markers=markers,
        )

    def keyword_chart(self) -> charts.RankedChart:
        top = self.keywords[:12]
        return charts.ranked_bars(
            title=gettext("Top keywords: items mentioning them"),
            labels=[row["term"] for row in top],
            values=[row["items"] for row in top],
            name=gettext("This period"),
        )

    def outcome_chart(self) -> charts.Chart:
        service = self.service
        labels = [gettext("Answered"), gettext("Hidden or spam"), gettext("Closed unanswered"), gettext("Open")]
        return charts.bars(
            title=gettext("What happened to the items"),
            labels=labels,
            values=[service["answered"], service["hidden"], service["ignored"], service["open"]],
            name=gettext("Items"),
        )
