"""WordPress blog comments arrive by polling the WP REST API (WordPress sends no webhooks).

Every minute each active WordPress channel is asked for its held ("hold", awaiting
approval) and approved comments. Held comments become open items tagged
`pending_moderation` (a tag, not a status: claims and replies change the status, and the
tag survives them); approving one (services.moderation) removes the tag.

Polling is idempotent: known comment ids are skipped before anything is stored; new
ones are kept raw (WebhookDelivery + IngestChange, source wordpress_poll) before they
are normalized, so a comment that fails to normalize keeps its error for a retry.
A held comment later approved in wp-admin loses its tag on the next poll.
"""

import json
import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from communityops.models import Channel

from ..connectors import ConnectorError
from ..connectors.wordpress import (
    PENDING_MODERATION_TAG,
    WordPressConnector,
    wordpress_comment_created_at,
    wordpress_comment_normalize,
)
from ..lock_objects import item_qs_select_for_update
from ..models import IngestChange, Item, ItemEvent, WebhookDelivery, WordPressPollState
from ..normalized import NormalizationError
from .ingestion import item_ingest

logger = logging.getLogger(__name__)

# Approved comments are asked for from a little before the newest one seen, so a
# comment approved late (dated earlier) is still found; held ones are always listed whole.
APPROVED_OVERLAP = timedelta(days=2)


def _comments_store_raw(*, channel: Channel, comments: list[dict]) -> list[IngestChange]:
    delivery = WebhookDelivery.objects.create(
        channel=channel, source=WebhookDelivery.Source.WORDPRESS_POLL, body=json.dumps(comments).encode()
    )
    return IngestChange.objects.bulk_create(
        IngestChange(delivery=delivery, position=position, payload=comment) for position, comment in enumerate(comments)
    )


def _change_ingest(*, channel: Channel, change: IngestChange) -> Item | None:
    try:
        normalized = wordpress_comment_normalize(change.payload)
    except NormalizationError as error:
        change.status, change.error = IngestChange.Status.FAILED, str(error)
        change.save(update_fields=["status", "error"])
        return None
    item, created = item_ingest(channel=channel, normalized=normalized)
    change.status = IngestChange.Status.INGESTED if created else IngestChange.Status.DUPLICATE
    change.item = item
    change.save(update_fields=["status", "item"])
    return item


@transaction.atomic
def _pending_tags_clear(*, channel: Channel, approved_ids: set[str]) -> int:
    """Held comments that have been approved on the blog meanwhile lose the pending tag."""
    items = item_qs_select_for_update().filter(
        channel=channel, external_id__in=approved_ids, tags__contains=[PENDING_MODERATION_TAG]
    )
    cleared = 0
    for item in items:
        item.tags = [tag for tag in item.tags if tag != PENDING_MODERATION_TAG]
        item.save(update_fields=["tags"])
        ItemEvent.objects.create(
            item=item,
            kind=ItemEvent.Kind.TAGGED,
            data={"added": [], "removed": [PENDING_MODERATION_TAG], "reason": "approved on the blog"},
        )
        cleared += 1
    return cleared


def wordpress_channel_poll(*, channel: Channel, now: datetime | None = None) -> int:
    """Poll one blog; returns how many new items were created. Errors are kept on the poll state."""
    now = now or timezone.now()
    state, _created = WordPressPollState.objects.get_or_create(channel=channel)
    connector = WordPressConnector(channel)
    after = state.newest_comment_at - APPROVED_OVERLAP if state.newest_comment_at else None
    try:
        comments = list(connector.comments_fetch(status="hold"))
        comments += list(connector.comments_fetch(status="approve", after=after))
    except ConnectorError as error:
        state.last_polled_at, state.last_error = now, error.message[:2000]
        state.save(update_fields=["last_polled_at", "last_error"])
        logger.warning("Polling %s failed: %s", channel, error.message)
        return 0
    by_id = {str(comment.get("id")): comment for comment in comments if isinstance(comment, dict)}
    known = set(Item.objects.filter(channel=channel, external_id__in=by_id).values_list("external_id", flat=True))
    new = [comment for comment_id, comment in by_id.items() if comment_id not in known]
    created = 0
    if new:
        with transaction.atomic():
            changes = _comments_store_raw(channel=channel, comments=new)
        for change in changes:
            with transaction.atomic():
                item = _change_ingest(channel=channel, change=change)
            created += item is not None
        WebhookDelivery.objects.filter(pk=changes[0].delivery_id).update(
            status=WebhookDelivery.Status.PARTIAL if created < len(changes) else WebhookDelivery.Status.PROCESSED,
            processed_at=timezone.now(),
        )
    approved_known = {cid for cid in known if by_id[cid].get("status") == "approved"}
    if approved_known:
        _pending_tags_clear(channel=channel, approved_ids=approved_known)
    newest = max(filter(None, (_comment_date(comment) for comment in by_id.values())), default=None)
    if newest and (state.newest_comment_at is None or newest > state.newest_comment_at):
        state.newest_comment_at = newest
    state.last_polled_at, state.last_error = now, ""
    state.save(update_fields=["last_polled_at", "last_error", "newest_comment_at"])
    return created


def _comment_date(comment: dict) -> datetime | None:
    try:
        return wordpress_comment_created_at(comment)
    except NormalizationError:
        return None


def wordpress_channels_poll(*, now: datetime | None = None) -> int:
    """The every-minute schedule: poll each active blog channel; one blog's failure stops no other."""
    channels = Channel.objects.filter(
        platform=Channel.Platform.WORDPRESS_BLOG, is_active=True, client__is_active=True
    ).exclude(api_base_url="")
    return sum(wordpress_channel_poll(channel=channel, now=now) for channel in channels.select_related("client"))
