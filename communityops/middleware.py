from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .accounts import user_has_totp

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
                return JsonResponse({"detail": _("Set up two-factor authentication first.")}, status=403)
            messages.info(request, _("Your role needs two-factor authentication: set up an authenticator app first."))
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
