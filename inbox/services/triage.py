"""Triage on arrival: tier, sentiment, spam and fake suspicion, priority, SLA due time.

Deterministic and fast: no network, no model downloads.
"""

from dataclasses import dataclass, field
from datetime import datetime

from billing.selectors import client_sla_due_at
from communityops.models import Client

from ..models import Author, AuthorProfile, AuthorTier, Item
from ..normalized import NormalizedItem


@dataclass
class TriageResult:
    author_tier: str
    priority: int
    sentiment: str
    sentiment_score: float
    spam_score: float
    fake_score: float
    sla_due_at: datetime
    reasons: list[str] = field(default_factory=list)


def author_tier_for(*, client: Client, author: Author) -> str:
    """A = on the client's key-account list, B = influencer by follower threshold, C = everyone else."""
    profile = AuthorProfile.objects.filter(client=client, author=author).only("is_key_account").first()
    if profile is not None and profile.is_key_account:
        return AuthorTier.A
    if author.follower_count >= client.influencer_follower_threshold:
        return AuthorTier.B
    return AuthorTier.C


def triage_assess(*, client: Client, author: Author, normalized: NormalizedItem, received_at: datetime) -> TriageResult:
    reasons: list[str] = []
    tier = author_tier_for(client=client, author=author)
    priority = Item.Priority.NORMAL
    if tier == AuthorTier.A:
        priority = Item.Priority.URGENT
        reasons.append("key account")
    elif tier == AuthorTier.B:
        priority = Item.Priority.HIGH
        reasons.append("influencer")
    lowered = normalized.text.lower()
    hits = [keyword for keyword in client.alert_keywords if keyword.lower() in lowered]
    if hits:
        priority = Item.Priority.URGENT
        reasons.append("alert keyword: " + ", ".join(hits))
    return TriageResult(
        author_tier=tier,
        priority=priority,
        sentiment=Item.Sentiment.NEUTRAL,
        sentiment_score=0.0,
        spam_score=0.0,
        fake_score=0.0,
        sla_due_at=client_sla_due_at(client=client, received_at=received_at),
        reasons=reasons,
    )
