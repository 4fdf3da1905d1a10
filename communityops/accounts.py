"""django-allauth hooks: nobody signs up on their own; admins invite; staff must use TOTP."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import password_reset
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm
from django.conf import settings
from django.dispatch import receiver
from django.utils.functional import lazy
from django.utils.translation import ngettext

from .services import user_login_address_sync


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def login_lockout_message() -> str:
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    return ngettext(
        "Too many failed login attempts: for your protection, logging in to this account is paused for at most "
        "%(minutes)d minute. Try again then, or set a new password now with “Forgot your password?”.",
        "Too many failed login attempts: for your protection, logging in to this account is paused for at most "
        "%(minutes)d minutes. Try again then, or set a new password now with “Forgot your password?”.",
        minutes,
    ) % {"minutes": minutes}


class AccountAdapter(DefaultAccountAdapter):
    # allauth's lockout message said only "Try again later": it now says how long (ACCOUNT_RATE_LIMITS)
    # and the way out. Lazy, so that it is worded in the language of each request.
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": lazy(login_lockout_message, str)(),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # The forced first TOTP setup comes straight after a password login: asking for
        # the password again there only annoys. Changing or removing an existing
        # authenticator still requires reauthentication.
        user = getattr(self.request, "user", None)
        if app == "allauth.mfa" and user is not None and user.is_authenticated and not user_has_totp(user):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


@receiver(password_reset, dispatch_uid="communityops_password_reset_verifies_address")
def password_reset_verifies_address(sender, request, user, **kwargs) -> None:
    """A password set from a mailed link (an invitation or "forgot password") proves the mailbox."""
    user_login_address_sync(user=user)


class _CodeFirst:
    """The one-time code is the only thing to type on these pages: the cursor starts there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True


class MfaAuthenticateForm(_CodeFirst, AuthenticateForm):
    pass


class MfaActivateTOTPForm(_CodeFirst, ActivateTOTPForm):
    pass
