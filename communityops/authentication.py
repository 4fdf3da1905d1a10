"""REST framework's session and token authentication: the client contact's time zone switched on
for a token, a failed CSRF check explained in the request's language for a session."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .middleware import client_time_zone_activate


class TokenAuthentication(authentication.TokenAuthentication):
    """A token is read inside the view, after the middleware ran: a client contact's timestamps
    are then shown in their client's zone here (ClientContactTimeZoneMiddleware puts it back)."""

    def authenticate_credentials(self, key):
        if "\x00" in key:  # no token holds one, and PostgreSQL refuses it in a lookup: a 500 DataError
            raise exceptions.AuthenticationFailed
        user, token = super().authenticate_credentials(key)
        client_time_zone_activate(user)
        return user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's, whose refusal of a failed CSRF check is English in every language ("CSRF Failed: ...")."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as refusal:
            raise exceptions.PermissionDenied(
                _(
                    "CSRF check failed: a request in a browser session that changes data sends the "
                    "csrftoken cookie's value in the X-CSRFToken header (or use an API token)."
                ),
                code="csrf_failed",
            ) from refusal
