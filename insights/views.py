"""Report pages, their HTMX fragments and CSV exports: parse the filter, build the report, render.

Staff reach every report of the clients they may see; a client contact reaches only their
own client's report (client_get_for_user answers 404 for any other id) and the portal page.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from communityops.csv_export import csv_response as csv_download
from communityops.health import tasks_stalled_minutes
from communityops.models import Client
from communityops.permissions import agency_staff_required, client_contact_required
from communityops.selectors import client_get_for_user, client_list_for_user, portal_client_for_user

from .periods import (
    AGENCY_TIME_ZONE,
    Granularity,
    ReportFilter,
    ReportFilterForm,
    ReportPeriod,
    validate_report_day,
)
from .reports import ClientReport, OperationsDashboard, Report, TeamReport, UnknownTable

DASHBOARD_REFRESH_SECONDS = 10
MONTHLY_TABLES = ("volume", "channels", "events", "keywords", "rising", "tags", "authors_reach", "authors_new")
MONTHLY_TABLES += ("campaigns", "service")


def report_csv_response(*, report: Report, key: str, filename: str) -> HttpResponse:
    try:
        table = report.table(key)
    except UnknownTable:
        raise Http404 from None
    return csv_download(filename=filename, header=[column.label for column in table.columns], rows=table.csv_rows)


def with_csv_urls(tables: dict, *, url_name: str, args: tuple, query: str) -> dict:
    for key, table in tables.items():
        table.csv_url = reverse(url_name, args=(*args, key)) + (f"?{query}" if query else "")
    return tables


def filter_query(report_filter: ReportFilter) -> str:
    """The filter as a query string, so CSV links export exactly what the page shows."""
    params = {
        "start": report_filter.period.first_day.isoformat(),
        "end": report_filter.period.last_day.isoformat(),
        "granularity": report_filter.granularity,
    }
    if report_filter.channel_id is not None:
        params["channel"] = report_filter.channel_id
    if report_filter.client_id is not None:
        params["client"] = report_filter.client_id
    return urlencode(params)


# --- agency --------------------------------------------------------------------------------------


@agency_staff_required
def dashboard(request):
    """The live operations dashboard; HTMX reloads the #live fragment every 10 seconds. It says so
    when the task queue is not worked (communityops.health): nothing new arrives in the inbox then."""
    report = OperationsDashboard(user=request.user, now=timezone.now())
    context = {
        "tasks_stalled_minutes": tasks_stalled_minutes(now=report.now),
        "report": report,
        "tables": with_csv_urls(report.tables(), url_name="insights:dashboard_csv", args=(), query=""),
        "totals": report.totals,
        "chart": report.waiting_chart(),
        "refresh_seconds": DASHBOARD_REFRESH_SECONDS,
        "now": report.now,
        "nav": "reports",
    }
    template = "insights/dashboard.html#live" if request.htmx else "insights/dashboard.html"
    return render(request, template, context)


@agency_staff_required
def dashboard_csv(request, table: str):
    report = OperationsDashboard(user=request.user, now=timezone.now())
    stamp = timezone.localtime(report.now, AGENCY_TIME_ZONE).strftime("%Y%m%d-%H%M")
    return report_csv_response(report=report, key=table, filename=f"operations-{table}-{stamp}.csv")


def team_filter(request) -> tuple[ReportFilterForm, ReportFilter]:
    form = ReportFilterForm(
        request.GET,
        time_zone=AGENCY_TIME_ZONE,
        today=timezone.localdate(timezone=AGENCY_TIME_ZONE),
        clients=client_list_for_user(user=request.user),
    )
    return form, form.report_filter()


@agency_staff_required
def team(request):
    form, report_filter = team_filter(request)
    report = TeamReport(user=request.user, report_filter=report_filter, now=timezone.now())
    query = filter_query(report_filter)
    return render(
        request,
        "insights/team.html",
        {
            "form": form,
            "report_filter": report_filter,
            "summary": report.summary,
            "tables": with_csv_urls(report.tables(), url_name="insights:team_csv", args=(), query=query),
            "hour_chart": report.hour_chart(),
            "weekday_chart": report.weekday_chart(),
            "nav": "reports",
        },
    )


@agency_staff_required
def team_csv(request, table: str):
    _form, report_filter = team_filter(request)
    report = TeamReport(user=request.user, report_filter=report_filter, now=timezone.now())
    period = report_filter.period
    return report_csv_response(
        report=report, key=table, filename=f"team-{table}-{period.first_day}-{period.last_day}.csv"
    )


@agency_staff_required
def client_index(request):
    return render(
        request, "insights/client_index.html", {"clients": client_list_for_user(user=request.user), "nav": "reports"}
    )


# --- per client (staff and the client's own contacts) --------------------------------------------


def client_filter(request, client: Client) -> tuple[ReportFilterForm, ReportFilter]:
    time_zone = ZoneInfo(client.time_zone)
    form = ReportFilterForm(
        request.GET,
        time_zone=time_zone,
        today=timezone.localdate(timezone=time_zone),
        channels=client.channels.only("id", "name"),
    )
    return form, form.report_filter()


def base_template(request) -> str:
    return "agent_base.html" if request.user.is_agency_staff else "portal_base.html"


def render_client_report(request, client: Client):
    form, report_filter = client_filter(request, client)
    report = ClientReport(client=client, report_filter=report_filter, now=timezone.now())
    tables = with_csv_urls(
        report.tables(), url_name="insights:client_csv", args=(client.pk,), query=filter_query(report_filter)
    )
    return render(
        request,
        "insights/client_report.html",
        {
            "base_template": base_template(request),
            "client": client,
            "form": form,
            "report_filter": report_filter,
            "tables": tables,
            "sentiment": report.sentiment,
            "service": report.service,
            "moderation": report.moderation,
            "samples": report.samples,
            "volume_chart": report.volume_chart(),
            "keyword_chart": report.keyword_chart(),
            "outcome_chart": report.outcome_chart(),
            "monthly_url": reverse("insights:client_monthly", args=[client.pk]),
            "nav": "reports" if request.user.is_agency_staff else "portal_reports",
        },
    )


@login_required
def client_report(request, client_id: int):
    return render_client_report(request, client_get_for_user(user=request.user, client_id=client_id))


@client_contact_required
def portal_report(request):
    client = portal_client_for_user(user=request.user)
    if client is None:
        raise Http404
    return render_client_report(request, client)


@login_required
def client_csv(request, client_id: int, table: str):
    client = client_get_for_user(user=request.user, client_id=client_id)
    _form, report_filter = client_filter(request, client)
    report = ClientReport(client=client, report_filter=report_filter, now=timezone.now())
    period = report_filter.period
    return report_csv_response(
        report=report, key=table, filename=f"{client.slug}-{table}-{period.first_day}-{period.last_day}.csv"
    )


def requested_month(value: str | None, *, today: date) -> tuple[int, int, bool]:
    """`YYYY-MM` from the query, else the last complete month; and whether a month asked for was
    refused (the page says so instead of quietly showing another month)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        validate_report_day(date(year, month, 1))
    except (ValueError, ValidationError):
        last_month = today.replace(day=1) - timedelta(days=1)
        return last_month.year, last_month.month, bool(value)
    return year, month, False


@login_required
def client_monthly(request, client_id: int):
    """The printable monthly report: one month, per day, everything on one page."""
    client = client_get_for_user(user=request.user, client_id=client_id)
    time_zone = ZoneInfo(client.time_zone)
    year, month, month_refused = requested_month(request.GET.get("month"), today=timezone.localdate(timezone=time_zone))
    report_filter = ReportFilter(
        period=ReportPeriod.month(year=year, month=month, time_zone=time_zone), granularity=Granularity.DAY
    )
    report = ClientReport(client=client, report_filter=report_filter, now=timezone.now())
    tables = {key: report.table(key) for key in MONTHLY_TABLES}
    return render(
        request,
        "insights/monthly_report.html",
        {
            "base_template": base_template(request),
            "client": client,
            "period": report_filter.period,
            "month_value": f"{year:04d}-{month:02d}",
            "month_refused": month_refused,
            "tables": tables,
            "sentiment": report.sentiment,
            "service": report.service,
            "moderation": report.moderation,
            "volume_chart": report.volume_chart(),
            "outcome_chart": report.outcome_chart(),
            "nav": "reports" if request.user.is_agency_staff else "portal_reports",
        },
    )
