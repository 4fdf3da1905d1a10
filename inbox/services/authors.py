"""The authors of arriving items: created on first sight, refreshed with what the platform says.

Whose an author's external id is (author_namespace): Facebook's and Instagram's ids are Meta's, so
such an author is one row per platform and id, shared by every client's channels; every other
source chooses its authors' ids itself (a generic webhook's sender, a file import, a WordPress
blog), so such an author is one row per channel and id, out of reach of every other channel's
source. The single-item path (`author_upsert`) serves the WordPress poller and the demo; the batch
paths serve a delivery's changes with a fixed number of queries.
"""

import logging

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F

from communityops.models import Channel

from ..lookups import AnyOf
from ..models import PLATFORMS_ASSIGNING_AUTHOR_IDS, Author
from ..normalized import NormalizedAuthor, NormalizedItem
from .bulk_insert import rows_insert

logger = logging.getLogger(__name__)

# The author table's key, as ON CONFLICT names it (Author's author_unique_per_namespace).
_AUTHOR_KEY = "channel_id, platform, external_id"


def author_namespace(channel: Channel) -> dict:
    """The fields that say whose ids the channel's authors carry, with which an author of the channel
    is looked up and created: the platform's alone (channel_id None) where the platform assigns
    them, the channel's own otherwise (see models.PLATFORMS_ASSIGNING_AUTHOR_IDS)."""
    shared = channel.platform in PLATFORMS_ASSIGNING_AUTHOR_IDS
    return {"platform": channel.platform, "channel_id": None if shared else channel.pk}


def _author_known_fields(data: NormalizedAuthor) -> dict:
    """What this delivery actually says about the author (empty values say nothing)."""
    known: dict = {}
    if data.handle:
        known["handle"] = data.handle
    if data.display_name:
        known["display_name"] = data.display_name
    if data.follower_count:
        known["follower_count"] = data.follower_count
    if data.verified:
        known["verified"] = True
    if data.account_created_at is not None:
        known["account_created_at"] = data.account_created_at
    return known


def _author_changes_save(author: Author, known: dict) -> None:
    changed = [name for name, value in known.items() if getattr(author, name) != value]
    if changed:
        for name in changed:
            setattr(author, name, known[name])
        author.save(update_fields=changed)


def author_upsert(*, channel: Channel, normalized: NormalizedItem) -> Author:
    """Create the channel's author (see author_namespace) on first sight; refresh what the platform
    tells us about them.

    Only what this delivery actually carries is overwritten: a Facebook comment has no follower
    count, and must not reset the count a richer source stored (that would demote an influencer).
    """
    data = normalized.author
    known = _author_known_fields(data)
    key = {**author_namespace(channel), "external_id": data.external_id}
    # Read first and write only what changed: most comments come from authors we already know.
    author = Author.objects.filter(**key).first()
    if author is None:
        try:
            with transaction.atomic():
                return Author.objects.create(**key, **known)
        except IntegrityError:  # created concurrently by another delivery
            author = Author.objects.get(**key)
    _author_changes_save(author, known)
    return author


def _authors_merged(authors: list[NormalizedAuthor]) -> dict[str, dict]:
    """What the changes say about each author, by external id; an author named several times takes
    the fields in order (the later change wins), as one change after the other would."""
    merged: dict[str, dict] = {}
    for data in authors:
        merged.setdefault(data.external_id, {}).update(_author_known_fields(data))
    return merged


def _authors_insert_missing(*, namespace: dict, merged: dict[str, dict], existing: set[str]) -> list[tuple[int, str]]:
    """One INSERT ... ON CONFLICT DO NOTHING RETURNING id, external_id for the authors not in
    `existing`, in external-id order (concurrent inserts lock in the same order). An author another
    delivery created meanwhile is not returned."""
    missing = [external_id for external_id in sorted(merged) if external_id not in existing]
    if not missing:
        return []
    return rows_insert(
        Author,
        [{**namespace, "external_id": external_id, **merged[external_id]} for external_id in missing],
        then=f"ON CONFLICT ({_AUTHOR_KEY}) DO NOTHING RETURNING id, external_id",
    )


def _authors_found_or_created(*, namespace: dict, merged: dict[str, dict]) -> dict[str, Author]:
    """The authors with these external ids: one read, one insert of the missing ones (and a read
    only of those another delivery created meanwhile)."""
    external_ids = sorted(merged)
    found = {
        author.external_id: author
        for author in Author.objects.filter(AnyOf(F("external_id"), external_ids), **namespace)
    }
    for pk, external_id in _authors_insert_missing(namespace=namespace, merged=merged, existing=set(found)):
        found[external_id] = Author(pk=pk, **namespace, external_id=external_id, **merged[external_id])
    # Created by a concurrent delivery between the read and the insert: theirs is the row.
    raced = [external_id for external_id in external_ids if external_id not in found]
    if raced:
        found.update(
            (author.external_id, author)
            for author in Author.objects.filter(AnyOf(F("external_id"), raced), **namespace)
        )
    return found


def authors_upsert_batch(
    *, channel: Channel, authors: list[NormalizedAuthor], found: dict[str, Author] | None = None
) -> dict[str, Author]:
    """author_upsert for many authors of the channel at once, by external id: the missing ones
    created, and only authors whose data changed written, in one UPDATE. `found` (authors_found_ahead)
    are taken as read; only the others are looked up."""
    merged = _authors_merged(authors)
    read_ahead = found or {}
    found = {external_id: read_ahead[external_id] for external_id in merged if external_id in read_ahead}
    missing = {external_id: fields for external_id, fields in merged.items() if external_id not in found}
    if missing:
        found.update(_authors_found_or_created(namespace=author_namespace(channel), merged=missing))
    changed_fields: set[str] = set()
    changed_authors = []
    for external_id, author in found.items():
        changed = [name for name, value in merged[external_id].items() if getattr(author, name) != value]
        for name in changed:
            setattr(author, name, merged[external_id][name])
        if changed:
            changed_fields.update(changed)
            changed_authors.append(author)
    if changed_authors:
        Author.objects.bulk_update(changed_authors, sorted(changed_fields))
    return found


def authors_found_ahead(*, channel: Channel, authors: list[NormalizedAuthor]) -> dict[str, Author]:
    """These authors of the channel by external id, the missing ones created in a short transaction
    of their own, ahead of the batch that names them (see services.ingestion._batch_read_ahead for
    why); the batch takes them as read (authors_upsert_batch's `found`). Only a head start: if the
    insert fails (say, a deadlock with a batch that holds one of these authors), nothing is returned
    and the batch reads and creates them itself."""
    try:
        with transaction.atomic():
            return _authors_found_or_created(namespace=author_namespace(channel), merged=_authors_merged(authors))
    except DatabaseError:
        logger.warning("creating the authors ahead of a batch failed; the batch creates them", exc_info=True)
        return {}
