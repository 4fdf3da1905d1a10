"""The locking querysets of the inbox, in one place so lock order and scope are visible.

Row locks are always taken on the item's own row only (`of=("self",)`), never on the
joined client/channel rows, so a claim never blocks someone editing a client.
"""

from django.db.models import QuerySet

from .models import Item, OutboundAction, TeamAssignmentPolicy


def item_qs_select_for_update() -> QuerySet[Item]:
    """FOR NO KEY UPDATE, in id order: nothing changes an item's id, and rows that point at a locked
    item (its events, crisis links) can still be inserted meanwhile, whose foreign-key check would
    otherwise wait for the lock (and could close a deadlock with a bulk lock in id order)."""
    return Item.objects.order_by("pk").select_for_update(of=("self",), no_key=True)


def item_qs_urgent_skip_locked(queryset: QuerySet[Item]) -> QuerySet[Item]:
    """Most urgent first, skipping rows another transaction is claiming right now.

    SKIP LOCKED makes concurrent "next item" calls hand out different rows instead of
    waiting on (and then double-claiming) the same one.
    """
    return queryset.order_by(*Item.URGENT_ORDER).select_for_update(of=("self",), skip_locked=True)


def outbound_action_qs_select_for_update() -> QuerySet[OutboundAction]:
    return OutboundAction.objects.order_by("pk").select_for_update(of=("self",))


def team_assignment_policy_qs_select_for_update() -> QuerySet[TeamAssignmentPolicy]:
    return TeamAssignmentPolicy.objects.order_by("pk").select_for_update(of=("self",))
