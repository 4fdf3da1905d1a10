"""REST framework's token authentication, with the client contact's time zone switched on."""

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
