"""Reads of the inbox, always scoped to the clients the user may see."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from communityops.models import User
from communityops.selectors import client_ids_for_user

from .models import Item


def item_queryset_for_user(*, user: User) -> QuerySet[Item]:
    return Item.objects.filter(client__in=client_ids_for_user(user=user))


def item_get_for_user(*, user: User, item_id: int) -> Item:
    return get_object_or_404(
        item_queryset_for_user(user=user).select_related("client", "channel", "author", "claimed_by"), pk=item_id
    )


def item_open_queue_for_user(*, user: User) -> QuerySet[Item]:
    """Open items, most urgent first: by SLA due time, then id (the keyset order)."""
    return (
        item_queryset_for_user(user=user)
        .filter(status__in=Item.OPEN_STATUSES)
        .select_related("client", "channel", "author", "claimed_by")
        .order_by("sla_due_at", "id")
    )


# --- reads for the agent inbox pages ---


@dataclass(frozen=True)
class ClaimState:
    """Who holds an item, from the point of view of `user`: mine, other, free or closed."""

    state: str


def item_claim_state(*, item: Item, user: User, now: datetime | None = None) -> ClaimState:
    now = now or timezone.now()
    if item.status not in Item.OPEN_STATUSES:
        return ClaimState("closed")
    if item.claimed_by_id is None or item.lease_expires_at is None or item.lease_expires_at <= now:
        return ClaimState("mine" if item.claimed_by_id == user.pk else "free")
    return ClaimState("mine" if item.claimed_by_id == user.pk else "other")


def author_profile_for_item(*, item: Item) -> AuthorProfile | None:
    return AuthorProfile.objects.filter(client_id=item.client_id, author_id=item.author_id).first()


def author_history_for_item(*, item: Item, user: User, limit: int = 8) -> list[Item]:
    """The author's other items the user may see, newest first."""
    return list(
        item_queryset_for_user(user=user)
        .filter(author_id=item.author_id)
        .exclude(pk=item.pk)
        .select_related("client")
        .order_by("-received_at")[:limit]
    )


@dataclass(frozen=True)
class CannedText:
    title: str
    text: str


def canned_responses_for_item(*, item: Item) -> list[CannedText]:
    """The client's canned responses with {author_name} and {client_name} filled in."""
    values = {"author_name": str(item.author), "client_name": item.client.name}
    return [
        CannedText(title=canned.title, text=_placeholders_fill(canned.body, values))
        for canned in CannedResponse.objects.filter(client_id=item.client_id).order_by("title")
    ]


def _placeholders_fill(body: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        body = body.replace("{" + name + "}", value)
    return body


@dataclass(frozen=True)
class ClientQueueCount:
    client: object
    open: int
    overdue: int
    due_soon: int


def client_queue_counts(*, user: User, now: datetime | None = None) -> list[ClientQueueCount]:
    """Per visible client: open items, how many are past their SLA and how many are due within 15 minutes."""
    now = now or timezone.now()
    rows = (
        item_queryset_for_user(user=user)
        .filter(status__in=Item.OPEN_STATUSES)
        .values("client_id")
        .annotate(
            open=Count("id"),
            overdue=Count("id", filter=Q(sla_due_at__lt=now)),
            due_soon=Count("id", filter=Q(sla_due_at__gte=now, sla_due_at__lt=now + timedelta(minutes=15))),
        )
    )
    by_client = {row["client_id"]: row for row in rows}
    return [
        ClientQueueCount(
            client=client,
            open=by_client.get(client.pk, {}).get("open", 0),
            overdue=by_client.get(client.pk, {}).get("overdue", 0),
            due_soon=by_client.get(client.pk, {}).get("due_soon", 0),
        )
        for client in client_queryset_for_user(user=user).filter(is_active=True).order_by("name")
    ]
