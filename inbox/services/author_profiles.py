"""What a client's team knows about an author: the key-account flag (the VIP list, tier A) and notes.

The team keeps it from the item in front of them (or an admin in the admin). Putting an author on
the list, or taking them off, triages their open items of that client again as they arrived, so
the queue's tiers and priorities follow at once (closed items keep the assessment they were
worked with). An item a delivery is storing at that very moment keeps the tier its batch read.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from communityops.models import Client, User

from ..lock_objects import author_profile_qs_select_for_update, item_qs_select_for_update
from ..models import Author, AuthorProfile, Item, ItemEvent
from ..normalized import NormalizedAuthor, NormalizedItem
from ..selectors import item_get_for_user
from .errors import AuthorAlreadyErased, InboxActionError
from .triage import TRIAGE_FIELDS, item_triage_set, triage_assess

NOTES_MAX_LENGTH = AuthorProfile._meta.get_field("notes").max_length


def _as_received(item: Item, author: Author) -> NormalizedItem:
    """The stored item as triage reads an arriving one (its text, kind and stated language)."""
    return NormalizedItem(
        external_id=item.external_id,
        kind=item.kind,
        text=item.text,
        author=NormalizedAuthor(external_id=author.external_id),
        platform_created_at=item.platform_created_at,
        thread_external_id=item.thread_external_id,
        parent_external_id=item.parent_external_id,
        language=item.language,
    )


def _open_items_triage_again(*, profile: AuthorProfile, acting_user: User | None) -> list[Item]:
    """Triage the author's open items of the client again (locked in id order, as every bulk item
    lock), each as it arrived (see triage_assess's stored_item_id; what the team taught the spam
    filter since counts); one TRIAGED event per item whose assessment changed. Two queries per
    item: a key account has few open items."""
    client, author = profile.client, profile.author  # one instance each: the coverage plan is read once
    items = list(item_qs_select_for_update().filter(client=client, author=author, status__in=Item.OPEN_STATUSES))
    reason = "put on the key-account list" if profile.is_key_account else "taken off the key-account list"
    changed = []
    for item in items:
        before = [getattr(item, field) for field in TRIAGE_FIELDS]
        triage = triage_assess(
            client=client,
            author=author,
            normalized=_as_received(item, author),
            received_at=item.received_at,
            stored_item_id=item.pk,
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


def _erased_meanwhile(*, author: Author, from_item: Item | None) -> bool:
    """Whether an erasure (services.erasure) took the author's item, or their row, away since they
    were read."""
    if from_item is not None:
        return Item.objects.filter(pk=from_item.pk, erased_at__isnull=False).exists()
    return not Author.objects.filter(pk=author.pk).exists()


@dataclass(frozen=True)
class AuthorProfileUpdate:
    profile: AuthorProfile  # unsaved (the defaults) while nobody has noted anything about the author
    triaged_again: list[Item]  # the author's open items whose assessment changed with the flag


@transaction.atomic
def author_profile_set(
    *,
    acting_user: User | None,
    client: Client,
    author: Author,
    is_key_account: bool | None = None,
    notes: str | None = None,
    from_item: Item | None = None,
) -> AuthorProfileUpdate:
    """Set what the client's team knows about the author; None keeps a value as it is.

    Notes are trimmed and at most NOTES_MAX_LENGTH characters. Changing the key-account flag triages
    the author's open items of the client again (see the module docstring). A change made from an
    item is recorded on that item's timeline (AUTHOR_PROFILE_CHANGED)."""
    if notes is not None:
        notes = notes.strip()
        if len(notes) > NOTES_MAX_LENGTH:
            raise InboxActionError(
                message=_("Notes about an author are at most %(limit)d characters (these have %(length)d).")
                % {"limit": NOTES_MAX_LENGTH, "length": len(notes)}
            )
    locked = author_profile_qs_select_for_update()

    def wanted_from(before: tuple[bool, str]) -> tuple[bool, str]:
        return (before[0] if is_key_account is None else is_key_account, before[1] if notes is None else notes)

    profile = locked.filter(client=client, author=author).first()
    if profile is None:
        if wanted_from((False, "")) == (False, ""):  # nothing to note: no empty profile row
            return AuthorProfileUpdate(profile=AuthorProfile(client=client, author=author), triaged_again=[])
        # The first note about the author. A colleague's first one may be on its way: the insert
        # waits for it, and what is kept of it is read under the lock below.
        AuthorProfile.objects.get_or_create(client=client, author=author)
        profile = locked.get(client=client, author=author)
    # An erasure holds this row's lock while it works (creating the row if need be): read after it.
    if author.is_erasure_placeholder or _erased_meanwhile(author=author, from_item=from_item):
        raise AuthorAlreadyErased()
    before = (profile.is_key_account, profile.notes)
    wanted = wanted_from(before)
    if wanted == before:
        return AuthorProfileUpdate(profile=profile, triaged_again=[])
    profile.client, profile.author = client, author  # shared instances: the re-triage reads the plan once
    flag_changed = profile.is_key_account != wanted[0]
    profile.is_key_account, profile.notes, profile.updated_by = *wanted, acting_user
    profile.save(update_fields=["is_key_account", "notes", "updated_by", "updated_at"])
    if from_item is not None:
        ItemEvent.objects.create(
            item=from_item,
            actor=acting_user,
            kind=ItemEvent.Kind.AUTHOR_PROFILE_CHANGED,
            data={"is_key_account": profile.is_key_account, "notes_changed": wanted[1] != before[1]},
        )
    triaged_again = _open_items_triage_again(profile=profile, acting_user=acting_user) if flag_changed else []
    return AuthorProfileUpdate(profile=profile, triaged_again=triaged_again)


def author_profile_update(
    *, acting_user: User, item_id: int, is_key_account: bool | None = None, notes: str | None = None
) -> AuthorProfileUpdate:
    """author_profile_set for the author of an item the user may see, for that item's client
    (Http404 for an item of a client the user does not serve; refused for an erased author)."""
    item = item_get_for_user(user=acting_user, item_id=item_id)
    return author_profile_set(
        acting_user=acting_user,
        client=item.client,
        author=item.author,
        is_key_account=is_key_account,
        notes=notes,
        from_item=item,
    )
