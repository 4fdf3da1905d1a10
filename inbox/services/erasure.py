"""Erasing an author's personal data at one client (GDPR Art. 17, the right to erasure).

A commenter asks the client (the controller) to erase what it holds about them; the agency, which
processes the client's channels, erases it here, from one of the author's items. For the author's
items of that client:

- gone: the text, the permalink, the triage's reasons and tier (a key account is a fact about the
  person), the earlier texts of the edit history and the reasons in the timeline; the agents'
  internal notes on the items; their near-duplicate fingerprints; their spam decisions, taken out
  of the client's word counts; the author's name and handle wherever the agency's replies to
  them quote it (canned responses fill it in); replies still queued (not sent); the raw webhook
  bodies that carried the items and the change rows' payload copies (before the retention rule
  would drop them); the author's name and handle in the texts of the client's crises that link
  their items (title, post-mortem, response drafts, approval comments and the timeline's copies:
  crises.erasure, registered with register_erasure_redactor); the client's profile of the
  author (key-account flag, notes); and the author's row itself (name, handle, followers,
  platform id) once no other client holds an item
  or a profile of theirs (each client is a controller of its own; their data there stays until
  that client is asked). An author whose id the source chose (generic webhook, file import,
  WordPress blog) is the author of one channel only (services.authors): the erasure reaches
  what that channel holds; the same id at another channel of the client is another author, erased
  from one of their items there.
- kept: each item as a closed tombstone under the platform's placeholder author ("Erased
  author") with its platform id, so that a redelivery of the same comment (Meta retries for up to
  36 hours) is recognised as a duplicate (its raw body is then dropped at once) and an edit
  arriving later is ignored; nothing can be done with a tombstone but deleting the comment on the
  platform (ItemErased). Also kept: the agency's replies otherwise, aggregate figures (sentiment
  counts), crisis links, the timeline of who did what, and an AuthorErasure record without
  anything that identifies the person.

Not reached: a delivery still being processed, or held by a worker at that moment, keeps its raw
body (the record counts it; the retention rule drops it once processed), and a change that
failed before it named an item (say, a text over the size limit) keeps its payload until it is
reprocessed or the retention rule drops it. What the author writes after the request is new data.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from communityops.models import Client, User

from ..lock_objects import (
    author_erasure_lock,
    author_profile_qs_select_for_update,
    author_qs_select_for_update,
    item_qs_select_for_update,
)
from ..lookups import AnyOf
from ..models import (
    ERASED_AUTHOR_EXTERNAL_ID,
    Author,
    AuthorErasure,
    AuthorProfile,
    AuthorTier,
    IngestChange,
    Item,
    ItemEvent,
    ItemNote,
    ItemTextFingerprint,
    OutboundAction,
    WebhookDelivery,
)
from ..selectors import item_get_for_user
from .errors import AuthorAlreadyErased, InboxActionError
from .moderation import items_status_change
from .raw_data_retention import delivery_bodies_drop, delivery_bodies_lock
from .triage import spam_feedback_forget

REFERENCE_MAX_LENGTH = AuthorErasure._meta.get_field("reference").max_length
# What stands for the author's name where the agency's replies quoted it.
REDACTED = "[…]"


def placeholder_author_for(platform: str) -> Author:
    """The platform's placeholder author that erased items point to (created on first use): one per
    platform, with no channel, also where authors are each channel's own (it stands for nobody)."""
    author, _created = Author.objects.get_or_create(
        platform=platform, channel=None, external_id=ERASED_AUTHOR_EXTERNAL_ID
    )
    return author


@dataclass(frozen=True)
class _RawDataDropped:
    dropped: int  # delivery bodies emptied
    kept: int  # deliveries still being processed (or held by a worker): their bodies stay for now


def _raw_data_drop(*, item_ids: list[int], now: datetime) -> _RawDataDropped:
    """Empty the bodies of the settled deliveries that carried these items (each one also carries
    other people's changes: their outcomes, and the payload copies of failed ones, stay), and
    these items' payload copies."""
    changes = IngestChange.objects.filter(AnyOf(F("item_id"), item_ids))
    carrying = sorted(set(changes.values_list("delivery_id", flat=True)))
    locked = delivery_bodies_lock(delivery_ids=carrying)
    changes.filter(payload__isnull=False).update(payload=None)
    dropped = delivery_bodies_drop(delivery_ids=locked, now=now)
    kept = WebhookDelivery.objects.filter(AnyOf(F("id"), carrying), body_dropped_at__isnull=True).count()
    return _RawDataDropped(dropped=dropped, kept=kept)


# Another app's copies of what names the author (crises: titles, drafts, comments, and the
# response published to other people's items), redacted in the
# erasure's transaction: called as redactor(client=..., item_ids=[the author's items there],
# redact=<text -> text with the author's name and handle replaced>). Registered once, in the
# app's AppConfig.ready() (as billing.statements' row providers). The app's service that links
# items to such rows takes lock_objects.authors_erasure_lock_shared first, or a link committed
# while an erasure runs escapes its redactor.
ErasureRedactor = Callable[..., None]
_redactors: list[ErasureRedactor] = []


def register_erasure_redactor(redactor: ErasureRedactor) -> None:
    if redactor not in _redactors:
        _redactors.append(redactor)


def _author_names(author: Author) -> list[str]:
    """The author's name and handle as they may be quoted, longest first (a name inside the handle).

    A one-word name ("Max") is replaced also where it means someone else (a colleague, another
    commenter called Max): only in texts tied to the author's items, though (the replies to them,
    the crises linking them and those crises' replies), never elsewhere, so that over-redaction
    stays within what concerns the author, where erring towards redacting is the safe side."""
    return sorted({name for name in (author.display_name, author.handle) if len(name) >= 2}, key=len, reverse=True)


def _names_redacted(text: str, names: list[str]) -> str:
    """The names replaced where they stand as words, also with a German genitive or an English
    possessive ("Veras", "Vera's"), never inside another word ("Max" leaves "maximal" alone)."""
    for name in names:
        text = re.sub(rf"(?<!\w){re.escape(name)}(?:s|'s|’s)?(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    return text


def reply_texts_redact(*, item_ids: list[int], redact: Callable[[str], str]) -> None:
    """Replace names in the agency's replies to these items and in their timeline copies (the
    erasure's own items; crises.erasure for a published crisis response's copies on other items)."""
    for action in OutboundAction.objects.filter(AnyOf(F("item_id"), item_ids)).exclude(text=""):
        redacted = redact(action.text)
        if redacted != action.text:
            OutboundAction.objects.filter(pk=action.pk).update(text=redacted)
    for event in ItemEvent.objects.filter(AnyOf(F("item_id"), item_ids), data__has_key="text"):
        redacted = redact(str(event.data["text"]))
        if redacted != event.data["text"]:
            ItemEvent.objects.filter(pk=event.pk).update(data={**event.data, "text": redacted})


def _replies_redact(*, item_ids: list[int], names: list[str]) -> None:
    """The author's name and handle out of the agency's replies to these items (and their timeline
    copies); replies not sent yet are not sent any more."""
    going = Q(status=OutboundAction.Status.QUEUED) | Q(
        status=OutboundAction.Status.FAILED, next_attempt_at__isnull=False
    )
    OutboundAction.objects.filter(AnyOf(F("item_id"), item_ids)).filter(going).update(
        status=OutboundAction.Status.FAILED,
        next_attempt_at=None,
        last_error="not sent: the author's personal data was erased",
    )
    if names:
        reply_texts_redact(item_ids=item_ids, redact=partial(_names_redacted, names=names))


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

    Locks, in this order: the author's erasure lock (lock_objects.author_erasure_lock: a crisis
    linking one of the author's items meanwhile either commits first, and its texts are redacted
    here, or waits, and then skips the erased item), the client's profile of the author (created
    if there is none, so that a colleague's first note waits, and then finds the author erased:
    see author_profile_set), what the registered redactors lock (the crises linking the author's
    items: a crisis is always locked before its items), the author's items of the client (in id order, as every bulk item lock: it waits for a delivery
    storing an edit of one of them, or an agent at work on one), the author's row, and the items
    again, now with any the client's deliveries stored meanwhile. A delivery still storing a new
    item of the author then waits at its commit (foreign keys are checked there); if the erasure
    deleted the author's row, the batch runs again and stores the item under a new row."""
    if not acting_user.is_shift_lead_or_admin:
        raise PermissionDenied(_("Only shift leads and admins can erase an author's data."))
    reference = reference.strip()
    if not reference:
        raise InboxActionError(message=_("Say where the erasure request is documented (e.g. a ticket number)."))
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise InboxActionError(
            message=_("The request reference is at most %(limit)d characters.") % {"limit": REFERENCE_MAX_LENGTH}
        )
    if author.is_erasure_placeholder:
        raise AuthorAlreadyErased()
    author_erasure_lock(author_id=author.pk)
    AuthorProfile.objects.get_or_create(client=client, author=author)
    author_profile_qs_select_for_update().filter(client=client, author=author).get()
    names = _author_names(author)
    if names:  # before the items are locked: the other apps lock their rows (a crisis) before items
        unlocked_item_ids = list(Item.objects.filter(client=client, author=author).values_list("pk", flat=True))
        for redactor in _redactors:
            redactor(client=client, item_ids=unlocked_item_ids, redact=partial(_names_redacted, names=names))
    authors_items = item_qs_select_for_update().filter(client=client, author=author)
    list(authors_items.values("pk"))
    author = author_qs_select_for_update().get(pk=author.pk)
    items = list(authors_items)
    item_ids = [item.pk for item in items]
    now = timezone.now()

    in_items = AnyOf(F("item_id"), item_ids)
    # Nothing is left to answer: open items close, and whoever held one no longer does.
    items_status_change(
        items=[item for item in items if item.status in Item.OPEN_STATUSES],
        to=Item.Status.CLOSED,
        actor=acting_user,
        data={"reason": "personal data erased on request"},
        now=now,
    )
    ItemEvent.objects.filter(in_items).filter(Q(data__has_key="previous_text") | Q(data__has_key="triage")).update(
        data=RawSQL("data - %s::text[]", [["previous_text", "triage"]])
    )
    _replies_redact(item_ids=item_ids, names=names)
    Item.objects.filter(AnyOf(F("id"), item_ids)).update(
        text="",
        permalink="",
        author=placeholder_author_for(author.platform),
        author_tier=AuthorTier.C,
        triage_reasons=[],
        erased_at=now,
    )
    notes_deleted, _deleted = ItemNote.objects.filter(in_items).delete()
    ItemTextFingerprint.objects.filter(in_items).delete()
    spam_feedback_forget(item_ids=item_ids)
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
