"""Writes to the shared core."""

from datetime import datetime, timedelta

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django_q.models import Failure

from .models import ClientContact, Team, User

# The failed task runs dropped per batch (one DELETE each), and batches per run (failed_tasks_prune).
FAILED_TASKS_PRUNE_BATCH = 1000
FAILED_TASKS_PRUNE_BATCHES_PER_RUN = 10


def invitation_link(*, user: User, base_url: str) -> str:
    """A one-time link to allauth's set-password page (the reset flow doubles as invitation)."""
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return f"{base_url.rstrip('/')}{path}"


@transaction.atomic
def user_invite(
    *,
    acting_user: User,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    teams: list[Team] | None = None,
    client_contact: ClientContact | None = None,
    base_url: str,
) -> User:
    """Create an account without a password and email a link to set one.

    Only admins invite. A client-contact account must be linked to a ClientContact,
    which scopes the portal to that contact's client, and joins no team (ValidationError:
    teams are for agency staff, Team.member_errors). Given no name, it takes the contact's (as
    entered, in first_name: no guessing where a surname begins), so the admin's confirmation,
    the mail's greeting and the lists name a person, not an address.
    """
    if acting_user.role != User.Role.ADMIN:
        raise PermissionError("Only admins invite users.")
    if role == User.Role.CLIENT_CONTACT and client_contact is None:
        raise ValueError("A client-contact account needs the contact it belongs to.")
    if client_contact is not None and not (first_name or last_name):
        first_name = client_contact.name
    user = User(email=User.objects.normalize_email(email), role=role, first_name=first_name, last_name=last_name)
    if teams and (errors := Team.member_errors([user])):
        raise ValidationError(errors)
    user.set_unusable_password()
    user.save()
    user_login_address_sync(user=user)
    if teams:
        user.teams.set(teams)
    if client_contact is not None:
        client_contact.user = user
        client_contact.save(update_fields=["user"])
    user_send_invitation(user=user, base_url=base_url)
    return user


@transaction.atomic
def user_login_address_sync(*, user: User) -> None:
    """Record the user's login address as verified and primary in allauth's address book.

    Nobody signs up here: an admin enters every login address, and the invitation and every
    password reset go to it, so the person who sets a password has shown they read that mailbox.
    allauth refuses to activate two-factor authentication while an address is unverified, which
    would lock out every invited staff member. Called on invitation, when an admin changes the
    login address, and on a password reset from a mailed link (accounts.py).

    The login address is the only one kept: an address the user had before (an admin changed it)
    is removed, so a password reset never reaches the old mailbox, and so is a leftover row of
    another account for this address (login addresses are unique, so it is not that account's
    login), which would otherwise collide with this one as verified.
    """
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    EmailAddress.objects.filter(email__iexact=user.email).exclude(user=user).delete()
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})


def user_send_invitation(*, user: User, base_url: str) -> None:
    """Email the set-password link once the surrounding transaction has committed. The mail says
    until when it works: the reset token's lifetime, settings.PASSWORD_RESET_TIMEOUT."""
    link = invitation_link(user=user, base_url=base_url)
    expires_at = timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    language = translation.get_language() or "de"
    transaction.on_commit(
        lambda: _send_invitation_email(user=user, link=link, expires_at=expires_at, language=language)
    )


def _send_invitation_email(*, user: User, link: str, expires_at: datetime, language: str) -> None:
    # Rendered by allauth's adapter like its own account mails: the same subject prefix
    # (ACCOUNT_EMAIL_SUBJECT_PREFIX), sender and frame (account/email/base_message.txt).
    # render_mail, not send_mail: that one needs a request, and an invitation may be sent without.
    with translation.override(language):
        get_account_adapter().render_mail(
            "communityops/email/invitation", user.email, {"user": user, "link": link, "expires_at": expires_at}
        ).send()


def failed_tasks_prune(*, now: datetime | None = None) -> int:
    """Run hourly by the task queue: django-q2's log of failed task runs (its Failure rows) loses the
    runs that stopped more than TASK_FAILURE_RETENTION_DAYS ago. django-q2 caps the successful
    runs it keeps (save_limit) but never the failed ones, so a task failing every minute grew the
    table without end. Oldest first, a bounded share per run (the rest at the next); each batch is
    its own short transaction. A run still being retried stopped minutes ago, never days: it is
    kept. Returns how many rows were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TASK_FAILURE_RETENTION_DAYS)
    expired = Failure.objects.filter(stopped__lt=cutoff).order_by("stopped")
    deleted = 0
    for _batch in range(FAILED_TASKS_PRUNE_BATCHES_PER_RUN):
        task_ids = list(expired.values_list("pk", flat=True)[:FAILED_TASKS_PRUNE_BATCH])
        if not task_ids:
            break
        deleted += Failure.objects.filter(pk__in=task_ids).delete()[0]
    return deleted
