"""Erasing an author's personal data at one client (GDPR Art. 17, the right to erasure).

A commenter asks the client (the controller) to erase what it holds about them; the agency, which
processes the client's channels, erases it here, from one of the author's items. For the author's
items of that client:

- gone: the text, the permalink and the earlier texts of the edit history (TRIAGED events); the
  agents' internal notes on the items; their near-duplicate fingerprints and the words kept with
  their spam decisions; the raw webhook bodies that carried them and the change rows' payload
  copies (before the retention rule would drop them); the client's profile of the author
  (key-account flag, notes); and the author's row itself (name, handle, followers, platform id)
  once no other client holds an item or a profile of theirs (each client is a controller of its
  own; their data there stays until that client is asked).
- kept: each item as a closed tombstone under the platform's placeholder author (`Erased
  author`), with its platform id, so that a redelivery of the same comment (Meta retries for up to
  36 hours) is recognised as a duplicate, and an edit arriving later is ignored; the agency's own
  replies; aggregate figures (sentiment counts, spam word counts); crisis links; the timeline of
  who did what; and an AuthorErasure record without anything that identifies the person.

A delivery still being processed keeps its raw body (the record counts it); the hourly retention
rule drops it like any other. What arrives from the author after the erasure is new data.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from communityops.models import Client, User

from ..lock_objects import item_qs_select_for_update
from ..lookups import AnyOf
from ..models import (
    ERASED_AUTHOR_EXTERNAL_ID,
    Author,
    AuthorErasure,
    AuthorProfile,
    IngestChange,
    Item,
    ItemEvent,
    ItemNote,
    ItemTextFingerprint,
    SpamFeedback,
    WebhookDelivery,
)
from ..selectors import item_get_for_user
from .errors import AuthorAlreadyErased, InboxActionError
from .moderation import items_status_change

REFERENCE_MAX_LENGTH = AuthorErasure._meta.get_field("reference").max_length


def erased_author_for(platform: str) -> Author:
    """The platform's placeholder author that erased items point to (created on first use)."""
    author, _created = Author.objects.get_or_create(platform=platform, external_id=ERASED_AUTHOR_EXTERNAL_ID)
    return author


@dataclass(frozen=True)
class _RawDataDropped:
    dropped: int  # delivery bodies emptied
    kept: int  # deliveries still being processed: the retention rule drops their bodies later


def _raw_data_drop(*, item_ids: list[int], now) -> _RawDataDropped:
    """Empty the bodies of the deliveries that carried these items (each one also carries other
    people's changes: their outcomes stay on the change rows), and these items' payload copies."""
    changes = IngestChange.objects.filter(AnyOf(F("item_id"), item_ids))
    delivery_ids = sorted(set(changes.values_list("delivery_id", flat=True)))
    changes.filter(payload__isnull=False).update(payload=None)
    carried = WebhookDelivery.objects.filter(AnyOf(F("id"), delivery_ids), body_dropped_at__isnull=True)
    kept = carried.filter(status=WebhookDelivery.Status.PENDING).count()
    dropped = carried.exclude(status=WebhookDelivery.Status.PENDING).update(body=b"", body_dropped_at=now)
    return _RawDataDropped(dropped=dropped, kept=kept)


def _author_delete_if_unused(author: Author) -> bool:
    """Delete the author's row unless another client still holds an item or a profile of theirs."""
    if Item.objects.filter(author=author).exists() or AuthorProfile.objects.filter(author=author).exists():
        return False
    author.delete()
    return True


@transaction.atomic
def author_erase_at_client(*, acting_user: User, client: Client, author: Author, reference: str) -> AuthorErasure:
    """Erase what the client holds about the author (see the module docstring); one transaction.
    Shift leads and admins only: it cannot be undone.

    Locks, in this order: the author's items of the client (in id order, as every bulk item lock:
    it waits for a delivery storing an edit of one of them, or an agent at work on one), then the
    author's row, then the items again, now with any the client's deliveries stored meanwhile. A
    delivery still storing a new item of the author then waits at its commit (foreign keys are
    checked there) until the erasure is done; if the erasure deleted the author's row, its batch
    fails there and is processed change by change, which stores the item under a new row: what
    the author writes after the request is new data."""
    if not acting_user.is_shift_lead_or_admin:
        raise PermissionDenied("Only shift leads and admins can erase an author's data.")
    reference = reference.strip()
    if not reference:
        raise InboxActionError(message=_("Say where the erasure request is documented (e.g. a ticket number)."))
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise InboxActionError(
            message=_("The request reference is at most %(limit)d characters.") % {"limit": REFERENCE_MAX_LENGTH}
        )
    if author.is_erasure_placeholder:
        raise AuthorAlreadyErased()
    authors_items = item_qs_select_for_update().filter(client=client, author=author)
    list(authors_items.values("pk"))
    author = Author.objects.select_for_update().get(pk=author.pk)
    items = list(authors_items)
    now = timezone.now()
    item_ids = [item.pk for item in items]
    placeholder = erased_author_for(author.platform)

    in_items = AnyOf(F("item_id"), item_ids)
    ItemEvent.objects.filter(in_items, data__has_key="previous_text").update(data=RawSQL("data - 'previous_text'", []))
    # Nothing is left to answer: open items close, and whoever held one no longer does.
    items_status_change(
        items=[item for item in items if item.status in Item.OPEN_STATUSES],
        to=Item.Status.CLOSED,
        actor=acting_user,
        data={"reason": "personal data erased on request"},
        now=now,
    )
    Item.objects.filter(AnyOf(F("id"), item_ids)).update(text="", permalink="", author=placeholder, erased_at=now)
    notes_deleted, _deleted = ItemNote.objects.filter(in_items).delete()
    ItemTextFingerprint.objects.filter(in_items).delete()
    SpamFeedback.objects.filter(in_items).update(tokens=[])
    raw = _raw_data_drop(item_ids=item_ids, now=now)
    AuthorProfile.objects.filter(client=client, author=author).delete()
    return AuthorErasure.objects.create(
        client=client,
        platform=author.platform,
        reference=reference,
        erased_by=acting_user,
        erased_at=now,
        items_erased=len(item_ids),
        notes_deleted=notes_deleted,
        raw_bodies_dropped=raw.dropped,
        raw_bodies_kept=raw.kept,
        author_deleted=_author_delete_if_unused(author),
    )


def author_erase(*, acting_user: User, item_id: int, reference: str) -> AuthorErasure:
    """author_erase_at_client for the author of an item the user may see, at that item's client
    (Http404 for an item of a client the user does not serve)."""
    item = item_get_for_user(user=acting_user, item_id=item_id)
    return author_erase_at_client(acting_user=acting_user, client=item.client, author=item.author, reference=reference)
