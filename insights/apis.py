"""The reports as JSON: the same figures and tables as the pages, for the agency's own tooling.

Staff-only for the agency figures; a client's report for anyone who may see that client
(a client contact only their own, 404 otherwise).
"""

from zoneinfo import ZoneInfo

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from communityops.permissions import IsAgencyStaff, IsAuthenticatedUser
from communityops.selectors import client_get_for_user

from .periods import AGENCY_TIME_ZONE, MAX_DAYS, Granularity, report_filter_build, validate_report_day
from .reports import ClientReport, OperationsDashboard, Report, TeamReport, UnknownTable


class ReportFilterInputSerializer(serializers.Serializer):
    start = serializers.DateField(required=False, validators=[validate_report_day])
    end = serializers.DateField(required=False, validators=[validate_report_day])
    granularity = serializers.ChoiceField(choices=Granularity.choices, required=False, default=Granularity.DAY)

    def validate(self, attrs):
        start, end = attrs.get("start"), attrs.get("end")
        if start and end and end < start:
            raise serializers.ValidationError(_("The end date lies before the start date."))
        if start and end and (end - start).days + 1 > MAX_DAYS:
            raise serializers.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        return attrs


# Each report filters by what its page offers: the team's figures by client, a client's by channel
# (the other parameter was documented for both and silently ignored).
class TeamFilterInputSerializer(ReportFilterInputSerializer):
    client = serializers.IntegerField(required=False, min_value=1)


class ClientFilterInputSerializer(ReportFilterInputSerializer):
    channel = serializers.IntegerField(required=False, min_value=1)


def client_report_for(request, client_id: int) -> ClientReport:
    """The client's report for the query's filter; 404 unless the user may see that client."""
    client = client_get_for_user(user=request.user, client_id=client_id)
    report_filter = report_filter_from(request, ClientFilterInputSerializer, time_zone=ZoneInfo(client.time_zone))
    return ClientReport(client=client, report_filter=report_filter, now=timezone.now())


def report_filter_from(request, filter_serializer: type[ReportFilterInputSerializer], *, time_zone: ZoneInfo):
    serializer = filter_serializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    data = serializer.validated_data
    return report_filter_build(
        time_zone=time_zone,
        today=timezone.localdate(timezone=time_zone),
        start=data.get("start"),
        end=data.get("end"),
        channel_id=data.get("channel"),
        client_id=data.get("client"),
        granularity=data["granularity"],
    )


class ReportTableOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.SerializerMethodField()
    rows = serializers.ListField(
        source="export_rows", child=serializers.ListField(child=serializers.JSONField(allow_null=True))
    )

    def get_columns(self, table) -> list[str]:
        return [str(column.label) for column in table.columns]


class ReportFiguresOutputSerializer(serializers.Serializer):
    items = serializers.IntegerField(required=False)
    total = serializers.IntegerField(required=False)
    responded = serializers.IntegerField()
    median_seconds = serializers.FloatField(allow_null=True)
    p90_seconds = serializers.FloatField(allow_null=True)
    mean_seconds = serializers.FloatField(allow_null=True)
    sla_relevant = serializers.IntegerField()
    sla_met = serializers.IntegerField()
    sla_share = serializers.FloatField(allow_null=True)


def _table_parameter(report: type[Report]) -> OpenApiParameter:
    return OpenApiParameter("table", OpenApiTypes.STR, OpenApiParameter.PATH, enum=report.TABLE_KEYS)


class DashboardApi(APIView):
    """Live operations: waiting items per client and channel, items at risk, who is online, coverage, open crises and spikes."""

    permission_classes = [IsAgencyStaff]

    class ReportsDashboardOutputSerializer(serializers.Serializer):
        class ReportsTotalsOutput(serializers.Serializer):
            waiting = serializers.IntegerField()
            unclaimed = serializers.IntegerField()
            due_soon = serializers.IntegerField()
            overdue = serializers.IntegerField()
            oldest_received_at = serializers.DateTimeField(allow_null=True)

        totals = ReportsTotalsOutput()
        tables = ReportTableOutputSerializer(many=True)

    @extend_schema(operation_id="reports_dashboard", responses=ReportsDashboardOutputSerializer)
    def get(self, request):
        report = OperationsDashboard(user=request.user, now=timezone.now())
        payload = {"totals": report.totals, "tables": list(report.tables().values())}
        return Response(self.ReportsDashboardOutputSerializer(payload).data)


class TeamFiguresApi(APIView):
    """Team figures over a period (summary and one table), scoped to the clients you serve."""

    permission_classes = [IsAgencyStaff]

    class ReportsTeamOutputSerializer(serializers.Serializer):
        summary = ReportFiguresOutputSerializer()
        table = ReportTableOutputSerializer()

    @extend_schema(
        operation_id="reports_team_table",
        parameters=[TeamFilterInputSerializer, _table_parameter(TeamReport)],
        responses=ReportsTeamOutputSerializer,
    )
    def get(self, request, table: str):
        report_filter = report_filter_from(request, TeamFilterInputSerializer, time_zone=AGENCY_TIME_ZONE)
        report = TeamReport(user=request.user, report_filter=report_filter, now=timezone.now())
        try:
            payload = {"summary": report.summary, "table": report.table(table)}
        except UnknownTable:
            raise Http404 from None
        return Response(self.ReportsTeamOutputSerializer(payload).data)


class ClientSummaryApi(APIView):
    """A client's report over a period: volume, sentiment, service (SLA) and moderation figures."""

    permission_classes = [IsAuthenticatedUser]

    class ReportsClientSummaryOutputSerializer(serializers.Serializer):
        class ReportsSentimentOutput(serializers.Serializer):
            total = serializers.IntegerField()
            positive = serializers.IntegerField()
            neutral = serializers.IntegerField()
            negative = serializers.IntegerField()
            positive_share = serializers.FloatField(allow_null=True)
            neutral_share = serializers.FloatField(allow_null=True)
            negative_share = serializers.FloatField(allow_null=True)

        class ReportsServiceOutput(ReportFiguresOutputSerializer):
            answered = serializers.IntegerField()
            hidden = serializers.IntegerField()
            ignored = serializers.IntegerField()
            open = serializers.IntegerField()
            promised_minutes = serializers.IntegerField()

        class ReportsModerationOutput(serializers.Serializer):
            total = serializers.IntegerField()
            hidden = serializers.IntegerField()
            spam = serializers.IntegerField()
            high_spam_score = serializers.IntegerField()
            suspected_fake = serializers.IntegerField()
            moderated_share = serializers.FloatField(allow_null=True)

        client_id = serializers.IntegerField()
        start = serializers.DateField()
        end = serializers.DateField()
        sentiment = ReportsSentimentOutput()
        service = ReportsServiceOutput()
        moderation = ReportsModerationOutput()
        table_keys = serializers.ListField(child=serializers.CharField())

    @extend_schema(
        operation_id="reports_client_summary",
        parameters=[ClientFilterInputSerializer],
        responses=ReportsClientSummaryOutputSerializer,
    )
    def get(self, request, client_id: int):
        report = client_report_for(request, client_id)
        report_filter = report.report_filter
        payload = {
            "client_id": report.client.pk,
            "start": report_filter.period.first_day,
            "end": report_filter.period.last_day,
            "sentiment": report.sentiment,
            "service": report.service,
            "moderation": report.moderation,
            "table_keys": list(ClientReport.TABLE_KEYS),
        }
        return Response(self.ReportsClientSummaryOutputSerializer(payload).data)


class ClientTableApi(APIView):
    """One table of a client's report over a period."""

    permission_classes = [IsAuthenticatedUser]

    @extend_schema(
        operation_id="reports_client_table",
        parameters=[ClientFilterInputSerializer, _table_parameter(ClientReport)],
        responses=ReportTableOutputSerializer,
    )
    def get(self, request, client_id: int, table: str):
        report = client_report_for(request, client_id)
        try:
            return Response(ReportTableOutputSerializer(report.table(table)).data)
        except UnknownTable:
            raise Http404 from None
