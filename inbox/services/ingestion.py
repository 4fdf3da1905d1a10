"""Turning normalized platform data into items: idempotent per (channel, external id)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from communityops.models import Channel

from ..models import Author, Item, ItemEvent
from ..normalized import NormalizedItem
from .triage import triage_assess


def author_upsert(*, platform: str, normalized: NormalizedItem) -> Author:
    """Create the author on first sight; refresh what the platform tells us about them."""
    data = normalized.author
    author, _created = Author.objects.update_or_create(
        platform=platform,
        external_id=data.external_id,
        defaults={
            "handle": data.handle,
            "display_name": data.display_name,
            "follower_count": data.follower_count,
            "verified": data.verified,
            "account_created_at": data.account_created_at,
        },
    )
    return author


@transaction.atomic
def item_ingest(*, channel: Channel, normalized: NormalizedItem) -> tuple[Item, bool]:
    """Store one incoming item, triaged, unless the channel already has it.

    Returns (item, created). Safe under concurrent redelivery: the unique constraint
    on (channel, external_id) decides, and the loser returns the winner's row.
    """
    existing = Item.objects.filter(channel=channel, external_id=normalized.external_id).first()
    if existing is not None:
        return existing, False
    client = channel.client
    author = author_upsert(platform=channel.platform, normalized=normalized)
    received_at = timezone.now()
    triage = triage_assess(client=client, author=author, normalized=normalized, received_at=received_at)
    try:
        with transaction.atomic():
            item = Item.objects.create(
                client=client,
                channel=channel,
                external_id=normalized.external_id,
                kind=normalized.kind,
                thread_external_id=normalized.thread_external_id,
                parent_external_id=normalized.parent_external_id,
                permalink=normalized.permalink,
                author=author,
                author_tier=triage.author_tier,
                text=normalized.text,
                language=normalized.language,
                platform_created_at=normalized.platform_created_at,
                priority=triage.priority,
                sentiment=triage.sentiment,
                sentiment_score=triage.sentiment_score,
                spam_score=triage.spam_score,
                fake_score=triage.fake_score,
                triage_reasons=triage.reasons,
                sla_due_at=triage.sla_due_at,
                tags=list(normalized.tags),
            )
    except IntegrityError:
        return Item.objects.get(channel=channel, external_id=normalized.external_id), False
    ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.RECEIVED, data={"triage": triage.reasons})
    return item, True
