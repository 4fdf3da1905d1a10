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
