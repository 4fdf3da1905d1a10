from django.urls import path

from . import apis

urlpatterns = [
    path("dashboard/", apis.DashboardApi.as_view(), name="api_reports_dashboard"),
    path("team/<slug:table>/", apis.TeamFiguresApi.as_view(), name="api_reports_team"),
    path("clients/<int:client_id>/", apis.ClientSummaryApi.as_view(), name="api_reports_client_summary"),
    path("clients/<int:client_id>/<slug:table>/", apis.ClientTableApi.as_view(), name="api_reports_client_table"),
]
