from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import apis, views

# The admin's own login form asks for the password alone: it hands over to allauth's login, which
# asks agency staff for their TOTP code as well (allauth's recommended guard for the admin).
admin.site.login = secure_admin_login(admin.site.login)

# A body Django cannot read is refused before any view: the API answers that in JSON too.
handler400 = "communityops.views.bad_request"
# So is an address under /api/ that no operation matches (/api/clients/abc/).
handler404 = "communityops.views.page_not_found"

api_urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api_me"),
    path("clients/", apis.ClientListApi.as_view(), name="api_client_list"),
    path("clients/<int:client_id>/", apis.ClientDetailApi.as_view(), name="api_client_detail"),
    path("inbox/", include("inbox.api_urls")),
    path("crises/", include("crises.api_urls")),
    path("billing/", include("billing.api_urls")),
    path("reports/", include("insights.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("health/tasks/", views.health_tasks, name="health_tasks"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("portal/", views.portal_home, name="portal_home"),
    path("accounts/settings/", views.account_settings, name="account_settings"),
    # allauth has no setting to close its address management (its maintainer's advice: shadow the URL).
    # An admin keeps each login address (user_login_address_sync); an extra unverified address added
    # there would block two-factor setup. "My account" says who changes the address.
    path("accounts/email/", RedirectView.as_view(pattern_name="account_settings")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
    path("inbox/", include("inbox.urls")),
    path("webhooks/", include("inbox.webhook_urls")),
    path("crises/", include("crises.urls")),
    path("pricing/", include("billing.urls")),
    path("reports/", include("insights.urls")),
]
