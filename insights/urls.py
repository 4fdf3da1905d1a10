from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:table>/", views.dashboard_csv, name="dashboard_csv"),
    path("team/", views.team, name="team"),
    path("team/csv/<slug:table>/", views.team_csv, name="team_csv"),
    path("clients/", views.client_index, name="client_index"),
    path("clients/<int:client_id>/", views.client_report, name="client_report"),
    path("clients/<int:client_id>/csv/<slug:table>/", views.client_csv, name="client_csv"),
    path("clients/<int:client_id>/monthly/", views.client_monthly, name="client_monthly"),
    path("portal/", views.portal_report, name="portal_report"),
]
