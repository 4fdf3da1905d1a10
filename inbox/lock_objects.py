"""The locking querysets of the inbox, in one place so lock order and scope are visible.

Row locks are always taken on the item's own row only (`of=("self",)`), never on the
joined client/channel rows, so a claim never blocks someone editing a client.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from .models import Item, OutboundAction, TeamAssignmentPolicy


def item_qs_select_for_update() -> QuerySet[Item]:
    """FOR NO KEY UPDATE, in id order: nothing changes an item's id, and rows that point at a locked
    item (its events, crisis links) can still be inserted meanwhile, whose foreign-key check would
    otherwise wait for the lock (and could close a deadlock with a bulk lock in id order)."""
    return Item.objects.order_by("pk").select_for_update(of=("self",), no_key=True)


# The advisory locks on an author's erasure: (this namespace, the author's id folded into 32 bits).
# Two ids 2**32 apart share a key; that only makes one wait for the other's erasure, never wrong.
_AUTHOR_ERASURE_LOCK_NAMESPACE = 0x45524153  # "ERAS"


def _author_erasure_lock_key(author_id: int) -> int:
    return author_id % 2**32 - 2**31


def author_erasure_lock(*, author_id: int) -> None:
    """Taken by the erasure of the author's data (services.erasure), exclusively, before any row lock.

    Whatever links the author's items to another app's rows that the erasure then redacts (crises:
    crisis_items_link) takes authors_erasure_lock_shared first: so the erasure either sees those
    links (it waited for them to commit) or the linking sees the items erased (it waited for the
    erasure to commit), never neither. Not a lock on the author's row: a delivery storing a new
    item of the author checks its foreign key against that row, and must not wait for this."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [_AUTHOR_ERASURE_LOCK_NAMESPACE, _author_erasure_lock_key(author_id)],
        )


def authors_erasure_lock_shared(*, author_ids: Iterable[int]) -> None:
    """The other side of author_erasure_lock, for these authors: taken before any row lock (a
    crisis, an item), held to the end of the transaction. Linkings do not wait for each other,
    only for an erasure of one of the authors, and an erasure only for the linkings under way."""
    keys = sorted({_author_erasure_lock_key(author_id) for author_id in author_ids})
    if not keys:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock_shared(%s, key)) FROM unnest(%s::int[]) AS key",
            [_AUTHOR_ERASURE_LOCK_NAMESPACE, keys],
        )


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
