from django.urls import path

from . import views

app_name = "billing"
urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("preview/", views.calculator_preview, name="preview"),
    path("quotes/", views.quote_save, name="quote_save"),
    # token_urlsafe() tokens are slugs; anything else (a NUL byte, a slash) is no share link.
    path("q/<slug:token>/", views.quote_detail, name="quote_detail"),
    path("q/<slug:token>/request/", views.quote_request_view, name="quote_request"),
    path("statements/<int:client_id>/", views.statement_current, name="statement_current"),
    path("statements/<int:client_id>/<int:year>-<int:month>/", views.statement_detail, name="statement"),
    path("statements/<int:client_id>/<int:year>-<int:month>/csv/", views.statement_csv, name="statement_csv"),
]
