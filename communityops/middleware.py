from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .accounts import user_has_totp
from .refusals import refusal_body
from .selectors import portal_client_for_user

# Paths a staff member without MFA may still reach: the account and MFA setup
# pages themselves, static files and the language switch.
MFA_SETUP_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")


class StaffMfaRequiredMiddleware:
    """Agency staff must set up TOTP before they can use anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.is_agency_staff
            and not request.path.startswith(MFA_SETUP_ALLOWED_PREFIXES)
            and not user_has_totp(user)
        ):
            if request.path.startswith("/api/"):
                refusal = refusal_body(code="mfa_required", detail=_("Set up two-factor authentication first."))
                return JsonResponse(refusal, status=403)
            messages.info(request, _("Your role needs two-factor authentication: set up an authenticator app first."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class HtmxLoginRedirectMiddleware:
    """A live update (htmx) after the session ended takes the whole page to the login, which then
    comes back to the page the user was on (a reply typed there is kept by the page, inbox.js).

    htmx follows a redirect by itself: the login page was swapped into the fragment asked for, so
    every few seconds the inbox's queue and claim status each showed a login form, and a reply
    sent then seemed to go nowhere. Needs request.htmx (django-htmx's middleware runs first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.htmx or not response.has_header("Location"):
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response["Location"]).path != login:
            return response
        # The page's own address (same origin only: django-htmx gives None otherwise).
        page = request.htmx.current_url_abs_path or "/"
        return HttpResponseClientRedirect(f"{login}?{urlencode({'next': page})}")


class RejectNulCharactersMiddleware:
    """A NUL character in a query or form field is refused with 400 before any view runs.

    PostgreSQL's text and jsonb cannot store U+0000: views that read request.POST directly
    (the inbox's composer, reasons for take-over and moderation) raised a 500 DataError on it.
    Django's forms and DRF's CharField already refuse it; this covers everything else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for data in (request.GET, request.POST):
            if any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()):
                if request.path.startswith("/api/"):
                    refusal = refusal_body(code="nul_character", detail=_("NUL characters are not allowed."))
                    return JsonResponse(refusal, status=400)
                return HttpResponseBadRequest(_("NUL characters are not allowed."), content_type="text/plain")
        return self.get_response(request)


class ClientContactTimeZoneMiddleware:
    """A client contact reads every time in their client's time zone (Client.time_zone): the
    portal, reports, statements, the API's timestamps. Agency staff read the agency's (TIME_ZONE).

    A session's user is known here; an API token's only inside the view, where the project's
    TokenAuthentication switches the zone. Either way it is put back when the request ends."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            client_time_zone_activate(request.user)
            return self.get_response(request)
        finally:
            timezone.deactivate()


def client_time_zone_activate(user) -> None:
    """Show times in the user's client's zone if the user is a client contact."""
    if user.is_authenticated and user.role == user.Role.CLIENT_CONTACT:
        client = portal_client_for_user(user=user)
        if client is not None:
            timezone.activate(client.time_zone)
