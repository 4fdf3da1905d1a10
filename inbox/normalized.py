"""The one shape every connector turns platform data into before it becomes an Item."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class NormalizedAuthor:
    external_id: str
    handle: str = ""
    display_name: str = ""
    follower_count: int = 0
    verified: bool = False
    account_created_at: datetime | None = None


@dataclass(frozen=True)
class NormalizedItem:
    external_id: str
    kind: str  # Item.Kind value
    text: str
    author: NormalizedAuthor
    platform_created_at: datetime
    thread_external_id: str = ""
    parent_external_id: str = ""
    permalink: str = ""
    language: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


class NormalizationError(ValueError):
    """A change that cannot become an item; the message is stored with the change."""
