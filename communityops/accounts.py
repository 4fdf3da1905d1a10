"""django-allauth hooks: nobody signs up on their own; admins invite; staff must use TOTP."""

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.signals import password_reset
from allauth.mfa.base.forms import AuthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from allauth.mfa.totp.forms import ActivateTOTPForm
from django.conf import settings
from django.dispatch import receiver
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .services import user_login_address_sync


def user_has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def user_authenticator_types(user) -> set[str]:
    """The kinds of second factor the user has set up (Authenticator.Type values)."""
    return set(Authenticator.objects.filter(user=user).values_list("type", flat=True))


def authenticator_names_translate() -> None:
    """Give allauth's Authenticator translatable names: it has none, so Django names it after the
    class ("Authenticators") and its fields after themselves, in English in the German admin too.
    Display only: migrations read the model's own Meta and field arguments, which stay as they are."""
    meta = Authenticator._meta
    meta.verbose_name, meta.verbose_name_plural = _("authenticator"), _("authenticators")
    for name, verbose_name in [
        ("user", _("user")),
        ("type", _("type")),
        ("data", _("data")),
        ("created_at", _("created at")),
        ("last_used_at", _("last used at")),
    ]:
        meta.get_field(name).verbose_name = verbose_name


# When the session's user activated TOTP (allauth.mfa.signals.authenticator_added).
TOTP_SET_UP_AT_SESSION_KEY = "communityops_totp_set_up_at"


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

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        # A password set from a mailed link (an invitation, or "Forgot your password?") leads to a
        # page that says so itself (account/password_reset_from_key_done.html): allauth's
        # "Password successfully changed." above it said it twice, and "changed" to an invited
        # person setting their first one. Changing the password when logged in keeps the message.
        url_name = getattr(getattr(request, "resolver_match", None), "url_name", None)
        if (
            message_template == "account/messages/password_changed.txt"
            and url_name == "account_reset_password_from_key"
        ):
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # The forced first TOTP setup comes straight after a password login: asking for
        # the password again there only annoys. allauth, left alone, asks once before the
        # setup and lets that answer stand for ACCOUNT_REAUTHENTICATION_TIMEOUT, which
        # covers the recovery codes it shows right after; skipping the question before the
        # setup must cover them too, or it is only moved behind it. Changing or removing an
        # authenticator later, in another session or after the timeout, still asks.
        user = getattr(self.request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and (not user_has_totp(user) or self._totp_set_up_in_this_session_recently())
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _totp_set_up_in_this_session_recently(self) -> bool:
        set_up_at = self.request.session.get(TOTP_SET_UP_AT_SESSION_KEY)
        return set_up_at is not None and time.time() - set_up_at < account_settings.REAUTHENTICATION_TIMEOUT


@receiver(password_reset, dispatch_uid="communityops_password_reset_verifies_address")
def password_reset_verifies_address(sender, request, user, **kwargs) -> None:
    """A password set from a mailed link (an invitation or "forgot password") proves the mailbox."""
    user_login_address_sync(user=user)


@receiver(authenticator_added, dispatch_uid="communityops_totp_setup_noted")
def totp_setup_noted(sender, request, user, authenticator, **kwargs) -> None:
    """Note in the session when its user activated TOTP: the setup stands for a reauthentication (AccountAdapter)."""
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        request.session[TOTP_SET_UP_AT_SESSION_KEY] = time.time()


class _CodeFirst:
    """The one-time code is the only thing to type on these pages: the cursor starts there."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs["autofocus"] = True


class MfaAuthenticateForm(_CodeFirst, AuthenticateForm):
    pass


class MfaActivateTOTPForm(_CodeFirst, ActivateTOTPForm):
    pass
