"""What a client's team knows about an author: the key-account flag (the VIP list, tier A) and notes.

The team keeps it from the item in front of them. Putting an author on the list, or taking them
off, triages their open items of that client again, so the queue's tiers and priorities follow at
once (closed items keep the assessment they were worked with).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from communityops.models import User

from ..lock_objects import item_qs_select_for_update
from ..models import AuthorProfile, Item, ItemEvent
from ..normalized import NormalizedAuthor, NormalizedItem
from ..selectors import item_get_for_user
from .errors import InboxActionError
from .triage import TRIAGE_FIELDS, item_triage_set, triage_assess

NOTES_MAX_LENGTH = AuthorProfile._meta.get_field("notes").max_length


def _as_received(item: Item) -> NormalizedItem:
    """The stored item as triage reads an arriving one (its text, kind and stated language)."""
    return NormalizedItem(
        external_id=item.external_id,
        kind=item.kind,
        text=item.text,
        author=NormalizedAuthor(external_id=item.author.external_id),
        platform_created_at=item.platform_created_at,
        thread_external_id=item.thread_external_id,
        parent_external_id=item.parent_external_id,
        language=item.language,
    )


def _open_items_triage_again(*, profile: AuthorProfile, acting_user: User) -> list[Item]:
    """Triage the author's open items of the client again (locked in id order, as every bulk item
    lock), each as of its arrival; one TRIAGED event per item whose assessment changed."""
    items = list(
        item_qs_select_for_update()
        .filter(client=profile.client, author=profile.author, status__in=Item.OPEN_STATUSES)
        .select_related("client", "author")
    )
    reason = "put on the key-account list" if profile.is_key_account else "taken off the key-account list"
    changed = []
    for item in items:
        before = [getattr(item, field) for field in TRIAGE_FIELDS]
        triage = triage_assess(
            client=item.client, author=item.author, normalized=_as_received(item), received_at=item.received_at
        )
        item_triage_set(item=item, triage=triage)
        if [getattr(item, field) for field in TRIAGE_FIELDS] != before:
            changed.append(item)
    Item.objects.bulk_update(changed, TRIAGE_FIELDS)
    ItemEvent.objects.bulk_create(
        ItemEvent(
            item=item,
            actor=acting_user,
            kind=ItemEvent.Kind.TRIAGED,
            data={"reason": reason, "triage": item.triage_reasons},
        )
        for item in changed
    )
    return changed


@dataclass(frozen=True)
class AuthorProfileUpdate:
    profile: AuthorProfile
    triaged_again: list[Item]  # the author's open items whose assessment changed with the flag


@transaction.atomic
def author_profile_update(*, acting_user: User, item_id: int, is_key_account: bool, notes: str) -> AuthorProfileUpdate:
    """Set what the team knows about the author of an item the user may see, for that item's client.

    Notes are trimmed and at most NOTES_MAX_LENGTH characters. Changing the key-account flag triages
    the author's open items of the client again (see the module docstring)."""
    notes = notes.strip()
    if len(notes) > NOTES_MAX_LENGTH:
        raise InboxActionError(
            message=_("Notes about an author are at most %(limit)d characters (these have %(length)d).")
            % {"limit": NOTES_MAX_LENGTH, "length": len(notes)}
        )
    item = item_get_for_user(user=acting_user, item_id=item_id)
    profile, _created = AuthorProfile.objects.get_or_create(client=item.client, author=item.author)
    profile = AuthorProfile.objects.select_for_update().select_related("client", "author").get(pk=profile.pk)
    if (profile.is_key_account, profile.notes) == (is_key_account, notes):
        return AuthorProfileUpdate(profile=profile, triaged_again=[])
    flag_changed = profile.is_key_account != is_key_account
    profile.is_key_account, profile.notes, profile.updated_by = is_key_account, notes, acting_user
    profile.save(update_fields=["is_key_account", "notes", "updated_by", "updated_at"])
    triaged_again = _open_items_triage_again(profile=profile, acting_user=acting_user) if flag_changed else []
    return AuthorProfileUpdate(profile=profile, triaged_again=triaged_again)
