"""How crisis messages leave the building: email, a pluggable outgoing webhook, a chat webhook.

The callers (escalation, detection, approval) decide what and to whom and keep the
idempotency state in the database; these modules only render and transmit.
"""

from django.conf import settings

from communityops.models import ClientContact, User

from ..models import RecipientLanguage

DEFAULT_LANGUAGE = "de"


class DeliveryError(Exception):
    """The message could not be handed over; the caller records it and may retry."""


def absolute_url(path: str) -> str:
    """Links in emails need the public address (settings.SITE_URL)."""
    return f"{settings.SITE_URL}{path}"


def recipient_language(*, contact: ClientContact | None = None, user: User | None = None) -> str:
    """German unless the contact or user has chosen otherwise (RecipientLanguage in the admin)."""
    if contact is not None:
        row = RecipientLanguage.objects.filter(contact=contact).first()
    elif user is not None:
        row = RecipientLanguage.objects.filter(user=user).first()
    else:
        row = None
    return row.language if row else DEFAULT_LANGUAGE
