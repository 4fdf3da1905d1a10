"""Report pages: who sees what, CSV equals the page, formula injection, constant query counts."""

import csv
import html
import io
import re
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django_q.models import OrmQ
from drf_spectacular.generators import SchemaGenerator

from communityops.csv_export import FORMULA_TRIGGERS, csv_cell, csv_text
from communityops.durations import duration_text
from communityops.models import User
from crises.models import Crisis, SpikeAlert
from inbox.models import AgentPresence, Item
from insights.periods import Granularity, ReportFilter, ReportPeriod
from insights.reports import ClientReport, OperationsDashboard
from insights.tables import ReportTable

from .conftest import BERLIN, NOW, berlin

WEEK = {"start": "2025-03-10", "end": "2025-03-16"}


class TableParser(HTMLParser):
    """Collects the text of every <table data-table=...> cell, keyed by the table's key."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current = None
        self.cell = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "data-table" in attributes:
            self.current = self.tables.setdefault(attributes["data-table"], [])
        elif tag == "tbody" and self.current is not None:
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.current.append([])
        elif tag == "td" and self.in_body:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.current[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_tables(response) -> dict[str, list[list[str]]]:
    parser = TableParser()
    parser.feed(response.content.decode())
    return parser.tables


def csv_rows(response) -> list[list[str]]:
    """The cells of a CSV download, split as a spreadsheet in the response's language splits them."""
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8")
    delimiter = ";" if response["Content-Language"] == "de" else ","
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


ISO_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}:\d{2}))?$")


def as_on_page(cell: str, *, minutes: bool = False, language: str = "en") -> str:
    """A CSV cell as the page shows it: empty is a dash, the neutralising quote is not shown;
    a day or a local time as the language writes it (24.11.2026, Nov 24, 2026), minutes as a duration."""
    if cell == "":
        return "—"
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    if minutes:
        with translation.override(language):
            return duration_text(float(cell.replace(",", ".")))
    if found := ISO_TIME.match(cell):
        year, month, day, time = found.groups()
        with translation.override(language):
            if time:
                moment = datetime(int(year), int(month), int(day), *map(int, time.split(":")))
                return date_format(moment, "SHORT_DATETIME_FORMAT")
            return date_format(date(int(year), int(month), int(day)), "SHORT_DATE_FORMAT")
    return cell


def as_on_page_rows(exported: list[list[str]], language: str = "en") -> list[list[str]]:
    """The body of a CSV as the page shows it; the header says which columns are minutes."""
    header, *rows = exported
    minutes = [label.endswith(("(min)", "(Min.)")) for label in header]
    return [
        [as_on_page(cell, minutes=is_minutes, language=language) for cell, is_minutes in zip(row, minutes, strict=True)]
        for row in rows
    ]


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def admin(user_factory):
    return user_factory(role=User.Role.ADMIN)


def negative_spike(acme_week, *, window_start, observed: int, baseline: float, **fields) -> SpikeAlert:
    """An hour's spike alert of negative items at Acme."""
    return SpikeAlert.objects.create(
        client=acme_week.client,
        kind=SpikeAlert.Kind.NEGATIVE_VOLUME,
        window_start=window_start,
        window_end=window_start + timedelta(hours=1),
        observed=observed,
        baseline=baseline,
        **fields,
    )


def unanswered_alert(acme_week, *, at) -> SpikeAlert:
    """Acme's unanswered items counted at one moment: 25 against a threshold of 25."""
    return SpikeAlert.objects.create(
        client=acme_week.client,
        kind=SpikeAlert.Kind.UNANSWERED,
        window_start=at,
        window_end=at,
        observed=25,
        baseline=25.0,
    )


def test_staff_sees_the_dashboard_and_htmx_gets_only_the_live_fragment(client, admin, acme_week):
    client.force_login(admin)

    page = client.get(reverse("insights:dashboard"))
    fragment = client.get(reverse("insights:dashboard"), headers={"HX-Request": "true"})

    assert page.status_code == 200
    assert b'hx-trigger="every 10s"' in page.content
    assert b"<html" in page.content
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert fragment.content.decode().lstrip().startswith('<div id="live"')


def test_the_dashboards_waiting_chart_has_a_row_per_client_the_most_urgent_first(admin):
    report = OperationsDashboard(user=admin, now=berlin(20, 12))
    report.waiting = [  # per client and channel, as selectors.waiting_by_client_channel gives them
        {"client__name": "Acme", "waiting": 9, "due_soon": 0, "overdue": 0},
        {"client__name": "Zeta", "waiting": 3, "due_soon": 1, "overdue": 1},
        {"client__name": "Ährenfeld", "waiting": 4, "due_soon": 1, "overdue": 1},
        {"client__name": "Zeta", "waiting": 1, "due_soon": 0, "overdue": 0},
    ]

    chart = report.waiting_chart()

    # As urgent (1 past SLA, 1 due soon, 2 more): alphabetical, Ä as A.
    assert [(row.label, row.value) for row in chart.rows] == [("Ährenfeld", "4"), ("Zeta", "4"), ("Acme", "9")]
    assert [segment.css_class for segment in chart.rows[1].segments] == ["bar-danger", "bar-warn", "bar"]


def test_dashboard_shows_online_agents_open_crises_and_spikes(client, admin, acme_week):
    AgentPresence.objects.create(user=acme_week.anna, is_online=True, last_seen_at=berlin(20, 11))
    Crisis.objects.create(client=acme_week.client, title="Rückruf-Gerücht")
    negative_spike(acme_week, window_start=berlin(20, 10), observed=40, baseline=5.0)
    unanswered_alert(acme_week, at=berlin(20, 9))
    client.force_login(admin)

    tables = page_tables(client.get(reverse("insights:dashboard")))

    assert tables["agents"][0][0] == "Anna Agent"
    assert tables["crises"][0][-1] == "Rückruf-Gerücht"
    # The unanswered items' 25 is a threshold, not an expectation: each alert says which it is.
    assert sorted(row[4] for row in tables["spikes"]) == [
        "25 unbeantwortet (Schwelle: 25)",
        "40 in einer Stunde, üblich sind etwa 5",
    ]


def test_the_dashboards_spikes_csv_and_api_carry_the_counts_as_numbers_the_page_in_words(client, admin, acme_week):
    negative_spike(acme_week, window_start=berlin(20, 10), observed=40, baseline=5.04, z_score=7.14)
    unanswered_alert(acme_week, at=berlin(20, 9))
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    header, *rows = csv_rows(client.get(reverse("insights:dashboard_csv", args=["spikes"])))
    api = next(
        table for table in client.get(reverse("api_reports_dashboard")).json()["tables"] if table["key"] == "spikes"
    )
    page = page_tables(client.get(reverse("insights:dashboard")))["spikes"]

    # A volume spike has a usual count and a z-score, the unanswered items a threshold: each its own column.
    assert header[4:] == ["Anzahl", "Anzahl im Zeitfenster", "Üblich im Zeitfenster", "Schwelle", "Z-Wert"]
    assert sorted(row[4:] for row in rows) == [
        ["25 unbeantwortet (Schwelle: 25)", "25", "", "25", ""],
        ["40 in einer Stunde, üblich sind etwa 5", "40", "5,0", "", "7,1"],
    ]
    assert sorted(row[5:] for row in api["rows"]) == [[25, None, 25, None], [40, 5.0, None, 7.1]]
    assert sorted(row[4:] for row in page) == [
        ["25 unbeantwortet (Schwelle: 25)"],
        ["40 in einer Stunde, üblich sind etwa 5"],
    ]


def test_an_agent_sees_online_colleagues_of_their_clients_a_lead_sees_everyone(
    client, admin, acme_week, user_factory, team_factory, client_factory
):
    viewer = user_factory(first_name="Vera", last_name="Viewer")
    team_factory(members=[viewer, acme_week.anna], clients=[acme_week.client])
    elsewhere = user_factory(first_name="Zed", last_name="Elsewhere")
    team_factory(members=[elsewhere], clients=[client_factory(name="Foreign AG")])
    for user in (acme_week.anna, elsewhere):
        AgentPresence.objects.create(user=user, is_online=True, last_seen_at=berlin(20, 11))

    client.force_login(viewer)
    seen_by_agent = [row[0] for row in page_tables(client.get(reverse("insights:dashboard")))["agents"]]
    client.force_login(admin)
    seen_by_admin = [row[0] for row in page_tables(client.get(reverse("insights:dashboard")))["agents"]]

    assert seen_by_agent == ["Anna Agent"]
    assert sorted(seen_by_admin) == ["Anna Agent", "Zed Elsewhere"]


def test_client_contact_sees_only_their_own_report(client, acme_week, client_factory, contact_user_for):
    foreign = client_factory(name="Foreign AG")
    client.force_login(contact_user_for(acme_week.client))

    portal = client.get(reverse("insights:portal_report"), WEEK)
    own = client.get(reverse("insights:client_report", args=[acme_week.client.pk]), WEEK)

    assert portal.status_code == 200 and "Acme" in portal.content.decode()
    assert own.status_code == 200
    assert client.get(reverse("insights:client_report", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("insights:client_csv", args=[foreign.pk, "volume"])).status_code == 404
    assert client.get(reverse("insights:client_monthly", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("api_reports_client_summary", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("insights:dashboard")).status_code == 403
    assert client.get(reverse("insights:team")).status_code == 403


def test_agent_gets_404_for_a_client_outside_their_teams(client, acme_week, client_factory, agent_for):
    other = client_factory()
    client.force_login(agent_for(other))

    assert client.get(reverse("insights:client_report", args=[acme_week.client.pk])).status_code == 404
    assert client.get(reverse("insights:client_report", args=[other.pk])).status_code == 200


def test_contact_portal_page_has_the_reports_link(client, acme_week, contact_user_for):
    client.force_login(contact_user_for(acme_week.client))

    page = client.get(reverse("portal_home")).content.decode()

    assert reverse("insights:portal_report") in page


@pytest.mark.parametrize(
    "key", ["volume", "channels", "keywords", "tags", "rising", "authors_reach", "moderated", "service"]
)
def test_client_csv_matches_the_page(english, admin, acme_week, key):
    english.force_login(admin)
    report_url = reverse("insights:client_report", args=[acme_week.client.pk])

    page = page_tables(english.get(report_url, WEEK))[key]
    exported = csv_rows(english.get(reverse("insights:client_csv", args=[acme_week.client.pk, key]), WEEK))

    assert len(page) > 0
    assert as_on_page_rows(exported) == page


@pytest.mark.parametrize("key", ["agents", "clients", "hours", "weekdays"])
def test_team_csv_matches_the_page(english, admin, acme_week, key):
    english.force_login(admin)

    page = page_tables(english.get(reverse("insights:team"), WEEK))[key]
    exported = csv_rows(english.get(reverse("insights:team_csv", args=[key]), WEEK))

    assert as_on_page_rows(exported) == page


def test_page_and_csv_show_hand_computed_service_figures(english, admin, acme_week):
    english.force_login(admin)

    rows = page_tables(english.get(reverse("insights:team"), {**WEEK, "client": acme_week.client.pk}))["agents"]

    # Anna: 3 items handled, 3 replies, median 20 min, p90 of 10/20/630 = 20 + 0.8 * 610 = 508 min, SLA 100 %.
    assert rows[0] == ["Anna Agent", "3", "3", "3", "20 min", "8 h 28 min", "100.0"]


def test_csv_neutralises_formula_injection(english, admin, acme_week):
    english.force_login(admin)

    exported = csv_rows(english.get(reverse("insights:client_csv", args=[acme_week.client.pk, "moderated"]), WEEK))
    texts = [row[-1] for row in exported[1:]]

    assert '\'=HYPERLINK("http://evil.example") gratis' in texts
    assert not any(text.startswith(FORMULA_TRIGGERS) for text in texts)


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_trigger_gets_a_quote(trigger):
    table = ReportTable(key="t", title="t", columns=[], rows=[[f"{trigger}cmd|' /C calc'!A0", -3, 1.5, None]])

    with translation.override("en"):
        assert csv_cell(f"{trigger}SUM(A1)") == f"'{trigger}SUM(A1)"
        assert csv_cell(-3) == "-3"
        assert csv_cell("harmless = text") == "harmless = text"
        text = csv_text(header=[column.label for column in table.columns], rows=table.rows)
    written = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert written[-1] == [f"'{trigger}cmd|' /C calc'!A0", "-3", "1.5", ""]


def test_unknown_csv_table_is_404(client, admin, acme_week):
    client.force_login(admin)

    assert client.get(reverse("insights:client_csv", args=[acme_week.client.pk, "nope"])).status_code == 404


def test_monthly_report_is_printable(client, admin, acme_week):
    client.force_login(admin)

    page = client.get(reverse("insights:client_monthly", args=[acme_week.client.pk]), {"month": "2025-03"})
    text = page.content.decode()

    assert page.status_code == 200
    assert "insights.css" in text and "insights.js" in text and "data-print" in text
    assert len(page_tables(page)["volume"]) == 31


def test_a_month_that_is_not_one_is_said_so_not_quietly_replaced(english, admin, acme_week):
    english.force_login(admin)
    url = reverse("insights:client_monthly", args=[acme_week.client.pk])

    refused = english.get(url, {"month": "2026-13"})
    chosen = english.get(url, {"month": "2025-03"})
    default = english.get(url)

    assert refused.status_code == 200
    assert "That is not a month (YYYY-MM, e.g. 2026-10): showing" in refused.content.decode()
    assert "That is not a month" not in chosen.content.decode() + default.content.decode()


def test_filters_limit_to_a_channel(english, admin, acme_week):
    english.force_login(admin)

    rows = page_tables(
        english.get(
            reverse("insights:client_report", args=[acme_week.client.pk]), {**WEEK, "channel": acme_week.blog.pk}
        )
    )["channels"]

    assert [row[0] for row in rows] == ["Acme Blog"]


def test_client_summary_api(client, acme_week, contact_user_for):
    client.force_login(contact_user_for(acme_week.client))

    data = client.get(reverse("api_reports_client_summary", args=[acme_week.client.pk]), WEEK).json()
    table = client.get(reverse("api_reports_client_table", args=[acme_week.client.pk, "keywords"]), WEEK).json()

    assert data["sentiment"]["negative_share"] == 50.0
    assert data["service"]["median_seconds"] == 55 * 60.0
    assert table["rows"][0] == ["paket", 3, 1, 2]
    assert client.get(reverse("api_reports_dashboard")).status_code == 403


def test_team_api_rejects_a_reversed_range(client, admin, acme_week):
    client.force_login(admin)

    bad = client.get(reverse("api_reports_team", args=["agents"]), {"start": "2025-03-16", "end": "2025-03-10"})
    good = client.get(reverse("api_reports_team", args=["agents"]), WEEK)

    assert bad.status_code == 400
    assert good.json()["table"]["rows"][0][0] == "Anna Agent"


def test_each_report_api_documents_the_filters_it_applies(db):
    # Both documented client and channel; the team's figures ignored channel, a client's report client.
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]

    def query_parameters(path: str) -> list[str]:
        return sorted(p["name"] for p in paths[path]["get"]["parameters"] if p["in"] == "query")

    assert query_parameters("/api/reports/team/{table}/") == ["client", "end", "granularity", "start"]
    assert query_parameters("/api/reports/clients/{client_id}/") == ["channel", "end", "granularity", "start"]
    assert query_parameters("/api/reports/clients/{client_id}/{table}/") == ["channel", "end", "granularity", "start"]


# Near the calendar's ends the period arithmetic (30 days around a day, the day after the end, the
# period before) raised an OverflowError: a 500 from the API and the pages.
CALENDAR_ENDS = [{"start": "0001-01-01"}, {"end": "0001-01-05"}, {"start": "9999-12-31"}, {"end": "9999-12-31"}]


@pytest.mark.parametrize("query", CALENDAR_ENDS)
def test_the_api_refuses_a_day_outside_the_reports_years_with_the_range(english, admin, acme_week, query):
    english.force_login(admin)

    team = english.get(reverse("api_reports_team", args=["agents"]), query)
    table = english.get(reverse("api_reports_client_table", args=[acme_week.client.pk, "samples"]), query)

    assert (team.status_code, table.status_code) == (400, 400)
    assert list(team.json().values()) == [["Choose a day from Jan 1, 2000 to Dec 31, 2099."]]


@pytest.mark.parametrize("query", CALENDAR_ENDS)
def test_the_report_pages_show_the_last_30_days_for_a_day_outside_the_reports_years(english, admin, acme_week, query):
    english.force_login(admin)

    team = english.get(reverse("insights:team"), query)
    report = english.get(reverse("insights:client_report", args=[acme_week.client.pk]), query)

    assert (team.status_code, report.status_code) == (200, 200)
    assert "Choose a day from Jan 1, 2000 to Dec 31, 2099." in report.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_month_outside_the_reports_years_is_refused_on_the_monthly_page(english, admin, acme_week, month):
    english.force_login(admin)

    page = english.get(reverse("insights:client_monthly", args=[acme_week.client.pk]), {"month": month})

    assert page.status_code == 200
    assert "That is not a month (YYYY-MM, e.g. 2026-10): showing" in page.content.decode()


def add_items(item_factory, acme_week, count: int) -> None:
    for number in range(count):
        item_factory(
            channel=acme_week.facebook if number % 2 else acme_week.blog,
            received_at=berlin(10 + number % 7, 8 + number % 12),
            text=f"Frage {number} zu Lieferung und Paket Nummer {number}",
            tags=[f"tag{number % 5}"],
            sla_due_at=berlin(20, 12 + number % 3),
            status="new" if number % 3 else "claimed",
            claimed_by=acme_week.ben if number % 3 == 0 else None,
            lease_expires_at=berlin(20, 13) if number % 3 == 0 else None,
        )


def count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "url_name",
    ["insights:dashboard", "insights:team", "insights:client_report", "insights:client_monthly"],
)
def test_query_count_does_not_grow_with_items(
    client, admin, acme_week, item_factory, url_name, django_assert_max_num_queries
):
    client.force_login(admin)
    args = [acme_week.client.pk] if url_name.startswith("insights:client") else []
    url = reverse(url_name, args=args)
    params = {"month": "2025-03"} if url_name.endswith("monthly") else WEEK
    AgentPresence.objects.create(user=acme_week.anna, is_online=True, last_seen_at=berlin(20, 11))

    few = count_queries(client, url, params)
    add_items(item_factory, acme_week, 40)
    many = count_queries(client, url, params)

    assert many == few
    with django_assert_max_num_queries(30):
        client.get(url, params)


def test_report_states_the_promise_from_the_coverage_plan(english, admin, acme_week):
    english.force_login(admin)

    page = english.get(reverse("insights:client_report", args=[acme_week.client.pk]), WEEK).content.decode()

    assert "answered within the promised 45 min" in page


def test_dashboard_lists_client_coverage(english, admin, acme_week, client_factory):
    client_factory(name="Nightless GmbH")
    english.force_login(admin)

    rows = {row[0]: row for row in page_tables(english.get(reverse("insights:dashboard")))["coverage"]}

    # Acme: covered 08:00-22:00 with a 45-minute promise; without a plan billing covers 24/7 at 60,
    # and the row says that no plan was booked.
    assert rows["Acme"][3] == "45 min"
    assert rows["Acme"][1] in ("yes", "no")
    assert rows["Nightless GmbH"][1:] == ["yes (no coverage plan)", "—", "1 h"]


def test_german_report_keeps_its_own_word_for_the_change_against_the_previous_period(client, admin, acme_week):
    # Its msgid is "Change", as is the admin's "Ändern" link: a context keeps the two apart.
    client.force_login(admin)

    page = client.get(
        reverse("insights:client_report", args=[acme_week.client.pk]), WEEK, headers={"Accept-Language": "de"}
    ).content.decode()

    assert '<th scope="col" class="num">Veränderung</th>' in page


@pytest.mark.parametrize(
    ("granularity", "title"),
    [
        ("day", "Beiträge je Tag nach Stimmung"),
        ("week", "Beiträge je Woche nach Stimmung"),
        ("month", "Beiträge je Monat nach Stimmung"),
    ],
)
def test_german_volume_chart_names_its_interval_in_a_whole_phrase(client, admin, acme_week, granularity, title):
    client.force_login(admin)

    page = client.get(
        reverse("insights:client_report", args=[acme_week.client.pk]),
        {**WEEK, "granularity": granularity},
        headers={"Accept-Language": "de"},
    ).content.decode()

    assert title in page


def test_the_keyword_chart_draws_each_keyword_on_a_line_of_its_own(client, admin, acme_week):
    # Side by side under narrow bars, long German words ran together ("weißbieralkoholfreie").
    client.force_login(admin)

    page = client.get(reverse("insights:client_report", args=[acme_week.client.pk]), WEEK).content.decode()

    labels = re.findall(r'<text class="ranked-label"[^>]*>([^<]*)</text>', page)
    assert labels[:3] == ["paket", "beschädigt", "lieferung"]


@pytest.fixture
def crisis_and_spike(acme_week):
    Crisis.objects.create(
        client=acme_week.client,
        title="Rückruf-Gerücht",
        status=Crisis.Status.AWAITING_APPROVAL,
        created_at=berlin(12, 9),
    )
    negative_spike(acme_week, window_start=berlin(13, 10), observed=33, baseline=1.0, channel=acme_week.facebook)
    # The unanswered items are counted at one moment against a threshold, not an expectation.
    unanswered_alert(acme_week, at=berlin(14, 10))


@pytest.mark.parametrize(
    ("language", "status", "spike", "unanswered"),
    [
        (
            "de",
            "Wartet auf Freigabe durch den Kunden",
            "33 in einer Stunde, üblich sind etwa 1",
            "25 unbeantwortet (Schwelle: 25)",
        ),
        ("en", "Awaiting client approval", "33 in one hour, usually about 1", "25 unanswered (threshold: 25)"),
    ],
)
def test_crises_and_spikes_show_the_status_label_and_say_what_the_spike_numbers_are(
    client, admin, acme_week, crisis_and_spike, language, status, spike, unanswered
):
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    report_url = reverse("insights:client_report", args=[acme_week.client.pk])

    page = page_tables(client.get(report_url, WEEK))["events"]
    exported = csv_rows(client.get(reverse("insights:client_csv", args=[acme_week.client.pk, "events"]), WEEK))

    assert [row[3] for row in page] == [status, spike, unanswered]
    assert [row[3] for row in exported[1:]] == [status, spike, unanswered]


def test_the_client_reports_crises_and_spikes_csv_carries_the_spike_numbers_the_page_in_words(client, admin, acme_week):
    Crisis.objects.create(client=acme_week.client, title="Rückruf-Gerücht", created_at=berlin(12, 9))
    negative_spike(acme_week, window_start=berlin(13, 10), observed=33, baseline=1.04, z_score=4.24)
    unanswered_alert(acme_week, at=berlin(14, 10))
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"

    page = page_tables(client.get(reverse("insights:client_report", args=[acme_week.client.pk]), WEEK))["events"]
    header, *rows = csv_rows(client.get(reverse("insights:client_csv", args=[acme_week.client.pk, "events"]), WEEK))

    assert header[3:] == ["Details", "Anzahl im Zeitfenster", "Üblich im Zeitfenster", "Schwelle", "Z-Wert"]
    assert [row[4:] for row in rows] == [["", "", "", ""], ["33", "1,0", "", "4,2"], ["25", "", "25", ""]]
    assert [len(row) for row in page] == [4, 4, 4]


@pytest.mark.parametrize(
    ("language", "header", "anna"),
    [
        # German Excel splits at ";" (its list separator) and reads "20,0" as a number.
        ("de", "\ufeffAgent;Beiträge;Bearbeitet;Antworten;", "Anna Agent;3;3;3;20,0;508,0;100,0"),
        ("en", "\ufeffAgent,Items,Handled,Replies,", "Anna Agent,3,3,3,20.0,508.0,100.0"),
    ],
)
def test_csv_is_written_for_a_spreadsheet_in_the_pages_language(client, admin, acme_week, language, header, anna):
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    text = client.get(reverse("insights:team_csv", args=["agents"]), {**WEEK, "client": acme_week.client.pk})
    lines = text.content.decode("utf-8").splitlines()

    assert lines[0].startswith(header)
    assert lines[1] == anna


def test_german_pages_write_days_and_durations_as_people_read_them_csv_and_api_keep_the_values(
    client, admin, acme_week
):
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    volume_args = [acme_week.client.pk, "volume"]

    volume = page_tables(client.get(reverse("insights:client_report", args=[acme_week.client.pk]), WEEK))["volume"]
    agents = page_tables(client.get(reverse("insights:team"), {**WEEK, "client": acme_week.client.pk}))["agents"]
    exported = csv_rows(client.get(reverse("insights:client_csv", args=volume_args), WEEK))
    api = client.get(reverse("api_reports_client_table", args=volume_args), WEEK).json()

    assert volume[0][0] == "10.03.2025"
    assert agents[0][4:6] == ["20 Min.", "8 Std. 28 Min."]
    assert exported[1][0] == "2025-03-10"
    assert api["rows"][0][0] == "2025-03-10"


@pytest.mark.parametrize("key", ["volume", "authors_reach", "moderated", "service"])
def test_german_client_csv_matches_the_german_page(client, admin, acme_week, key):
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    report_url = reverse("insights:client_report", args=[acme_week.client.pk])

    page = page_tables(client.get(report_url, WEEK))[key]
    exported = csv_rows(client.get(reverse("insights:client_csv", args=[acme_week.client.pk, key]), WEEK))

    assert any("," in cell for row in page for cell in row)  # decimals, as German writes them
    assert as_on_page_rows(exported, "de") == page


def test_author_tables_name_the_tier_not_its_letter(english, admin, acme_week):
    english.force_login(admin)

    rows = page_tables(english.get(reverse("insights:client_report", args=[acme_week.client.pk]), WEEK))[
        "authors_reach"
    ]

    assert {row[3] for row in rows} == {"C · everyone else"}


def test_team_page_agent_rows_add_up_to_the_client_rows_with_a_row_without_an_agent(client, admin, acme_week):
    client.force_login(admin)

    tables = page_tables(client.get(reverse("insights:team"), WEEK, headers={"Accept-Language": "de"}))

    def column_sum(key: str, index: int) -> int:
        return sum(int(row[index]) for row in tables[key])

    assert [row[0] for row in tables["agents"]] == ["Anna Agent", "Ben Agent", "Ohne Agent"]
    assert tables["agents"][-1][1:3] == ["3", "2"]  # closed 5 and spam 7 handled, new 8 open
    assert (column_sum("agents", 1), column_sum("agents", 2)) == (column_sum("clients", 1), column_sum("clients", 2))
    assert (column_sum("agents", 1), column_sum("agents", 2)) == (8, 7)


@pytest.mark.parametrize(("language", "unit"), [("de", "Min."), ("en", "min")])
def test_the_hour_charts_bars_name_their_minutes_in_the_pages_language(client, admin, acme_week, language, unit):
    client.force_login(admin)

    page = client.get(reverse("insights:team"), WEEK, headers={"Accept-Language": language}).content.decode()

    bar_titles = re.findall(r"<rect [^>]*><title>(\d\d · [^<]+)</title>", page)
    assert bar_titles
    assert all(title.endswith(f" {unit}") for title in bar_titles), bar_titles


def test_team_figures_name_only_colleagues_serving_the_agents_clients(
    client, admin, acme_week, user_factory, team_factory, client_factory
):
    viewer = user_factory()
    team_factory(members=[viewer, acme_week.anna], clients=[acme_week.client])
    team_factory(members=[acme_week.ben], clients=[client_factory(name="Foreign AG")])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    client.force_login(viewer)
    page = [row[0] for row in page_tables(client.get(reverse("insights:team"), WEEK))["agents"]]
    exported = [row[0] for row in csv_rows(client.get(reverse("insights:team_csv", args=["agents"]), WEEK))[1:]]
    api = [row[0] for row in client.get(reverse("api_reports_team", args=["agents"]), WEEK).json()["table"]["rows"]]
    client.force_login(admin)
    seen_by_admin = [row[0] for row in page_tables(client.get(reverse("insights:team"), WEEK))["agents"]]

    assert page == exported == api == ["Anna Agent", "Colleagues outside your clients' teams", "Without an agent"]
    assert seen_by_admin == ["Anna Agent", "Ben Agent", "Without an agent"]


def test_an_average_sentiment_that_rounds_to_zero_is_zero_not_minus_zero(
    english, admin, acme_week, author_factory, item_factory
):
    author = author_factory(display_name="Almost Neutral", follower_count=10**6)
    for score in (0.003, -0.011):  # average -0.004
        item_factory(channel=acme_week.facebook, received_at=berlin(12, 9), author=author, sentiment_score=score)
    english.force_login(admin)

    rows = page_tables(english.get(reverse("insights:client_report", args=[acme_week.client.pk]), WEEK))[
        "authors_reach"
    ]

    assert rows[0][0] == "Almost Neutral"
    assert rows[0][8] == "0.00"


@pytest.mark.parametrize(("language", "shown"), [("en", ["0.70", "0.21", "0.00"]), ("de", ["0,70", "0,21", "0,00"])])
def test_a_number_column_writes_the_same_decimals_in_every_row_on_the_page_and_in_the_csv(
    client, language, shown, admin, acme_week, author_factory, item_factory
):
    # The average sentiment read "0,7", "0,21" and "0,0" one under the other.
    for followers, scores in [(3000, (0.6, 0.8)), (2000, (0.21,)), (1000, (0.5, -0.5))]:
        author = author_factory(follower_count=followers)
        for score in scores:
            item_factory(channel=acme_week.facebook, received_at=berlin(12, 9), author=author, sentiment_score=score)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    args = [acme_week.client.pk, "authors_reach"]

    rows = page_tables(client.get(reverse("insights:client_report", args=args[:1]), WEEK))
    exported = csv_rows(client.get(reverse("insights:client_csv", args=args), WEEK))
    api = client.get(reverse("api_reports_client_table", args=args), WEEK).json()["rows"]

    assert [row[8] for row in rows["authors_reach"][:3]] == shown
    assert [row[8] for row in exported[1:4]] == shown
    assert [row[8] for row in api[:3]] == [0.7, 0.21, 0.0]


@pytest.mark.parametrize(
    ("language", "shown", "exported"), [("en", "\u22120.35", "-0.35"), ("de", "\u22120,35", "-0,35")]
)
def test_a_negative_number_on_the_page_has_a_minus_sign_and_in_the_csv_and_api_a_hyphen(
    client, language, shown, exported, admin, acme_week, author_factory, item_factory
):
    # The page wrote "-0,35" with the short hyphen; a spreadsheet or a program reading the CSV or the
    # API needs the hyphen-minus, which they read as a number.
    author = author_factory(follower_count=3000)
    for score in (-0.5, -0.2):
        item_factory(channel=acme_week.facebook, received_at=berlin(12, 9), author=author, sentiment_score=score)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    args = [acme_week.client.pk, "authors_reach"]

    rows = page_tables(client.get(reverse("insights:client_report", args=args[:1]), WEEK))
    csv = csv_rows(client.get(reverse("insights:client_csv", args=args), WEEK))
    api = client.get(reverse("api_reports_client_table", args=args), WEEK).json()["rows"]

    assert rows["authors_reach"][0][8] == shown
    assert csv[1][8] == exported
    assert api[0][8] == -0.35


@pytest.mark.parametrize(("language", "shown"), [("de", "1.250.000"), ("en", "1,250,000")])
def test_large_counts_on_the_page_are_grouped_as_the_language_writes_them(
    client, language, shown, admin, acme_week, author_factory, item_factory
):
    """A reach of 1250000 followers was hard to read; the CSV keeps the bare number for spreadsheets."""
    author = author_factory(display_name="Star", follower_count=1_250_000)
    item_factory(channel=acme_week.facebook, received_at=berlin(12, 9), author=author)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    rows = page_tables(client.get(reverse("insights:client_report", args=[acme_week.client.pk]), WEEK))
    exported = csv_rows(client.get(reverse("insights:client_csv", args=[acme_week.client.pk, "authors_reach"]), WEEK))

    assert rows["authors_reach"][0][:3] == ["Star", "Facebook page" if language == "en" else "Facebook-Seite", shown]
    assert exported[1][2] == "1250000"


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("en", ["Mar 10", "Mar 11", "Mar 12", "Mar 13", "Mar 14", "Mar 15", "Mar 16"]),
        ("de", ["10.03.", "11.03.", "12.03.", "13.03.", "14.03.", "15.03.", "16.03."]),
    ],
)
def test_volume_chart_writes_days_as_the_pages_language_does(acme_week, language, labels):
    report = ClientReport(client=acme_week.client, report_filter=acme_week.report_filter(), now=NOW)

    with translation.override(language):
        chart = report.volume_chart()

    assert [label for _x, label in chart.x_labels] == labels


@pytest.mark.parametrize(
    ("language", "label", "days"),
    [("en", "from Mar 12", "Mar 12–Mar 14"), ("de", "ab 12.03.", "12.03.–14.03.")],
)
def test_a_week_bucket_is_labelled_with_its_days_within_the_period(acme_week, language, label, days):
    # Wednesday 12 to Friday 14 March, per week: one bucket, the ISO week from Monday 10 cut to the period.
    period = ReportPeriod(first_day=date(2025, 3, 12), last_day=date(2025, 3, 14), time_zone=BERLIN)
    report = ClientReport(
        client=acme_week.client, report_filter=ReportFilter(period=period, granularity=Granularity.WEEK), now=NOW
    )

    with translation.override(language):
        chart = report.volume_chart()
        table = report.table("volume")

    assert [label for _x, label in chart.x_labels] == [label]
    assert {bar.title.split(" · ")[0] for bar in chart.bars} == {days}
    assert table.export_rows == [["2025-03-12", "2025-03-14", 3, 0, 0, 3, 0.0]]  # items 4, 5 and 6


def test_the_dashboard_says_when_background_tasks_have_stopped(client, admin, acme_week):
    """With the queue workers down every page still works while nothing arrives: the shift lead must see it."""
    client.force_login(admin)
    now = timezone.now()

    working = client.get(reverse("insights:dashboard"), headers={"HX-Request": "true"})
    OrmQ.objects.create(key="communityops", payload="webhook delivery", lock=now - timedelta(minutes=12))
    stopped = client.get(reverse("insights:dashboard"), headers={"HX-Request": "true", "Accept-Language": "en"})
    stopped_german = client.get(reverse("insights:dashboard"), headers={"HX-Request": "true", "Accept-Language": "de"})

    assert b"tasks-stalled" not in working.content
    assert "Background tasks have not run for 12 min" in stopped.content.decode()
    assert "Hintergrundaufgaben laufen seit 12 Min. nicht mehr" in stopped_german.content.decode()


def test_the_dashboard_leads_from_what_an_agent_holds_to_those_items_in_the_inbox(
    client, admin, acme_week, item_factory
):
    now = timezone.now()
    for text in ("Anna hält eins", "Anna hält zwei"):
        item_factory(
            channel=acme_week.facebook,
            received_at=now - timedelta(minutes=5),
            text=text,
            status=Item.Status.CLAIMED,
            claimed_by=acme_week.anna,
            claimed_at=now,
            lease_expires_at=now + timedelta(minutes=5),
        )
    item_factory(channel=acme_week.facebook, received_at=now, text="Niemand hält das")
    client.force_login(admin)

    page = client.get(reverse("insights:dashboard")).content.decode()
    link = html.unescape(re.search(r'<td class="num"><a href="([^"]+)">2</a></td>', page)[1])
    queue = client.get(link).content.decode()
    exported = csv_rows(client.get(reverse("insights:dashboard_csv", args=["agents"])))

    assert "Anna hält eins" in queue and "Anna hält zwei" in queue
    assert "Niemand hält das" not in queue
    assert f'<option value="{acme_week.anna.pk}" selected>Anna Agent</option>' in queue  # the filter says whose
    assert exported[1][0] == "Anna Agent" and exported[1][3] == "2"  # the CSV keeps the plain count
