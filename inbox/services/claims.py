"""Claims: an agent's exclusive, expiring right (a lease) to answer an item.

Invariants: an item has at most one holder; a holder's lease has an expiry; every
change writes an ItemEvent in the same transaction. Each function is one short
transaction holding only the item's row lock. `now` is injectable for tests.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from communityops.models import User
from communityops.selectors import client_id_list_for_user

from ..lock_objects import item_qs_select_for_update, item_qs_skip_locked, item_qs_urgent_skip_locked
from ..lookups import AnyOf
from ..models import Item, ItemEvent
from ..selectors import ItemFilters, item_filters_apply, item_queryset_for_user, lease_is_live
from .errors import ItemErased, ItemHeldByOther, ItemNotOpen, LeaseNotHeld

# Statuses a claim may start from; an expired CLAIMED row is claimable again.
CLAIMABLE_STATUSES = (Item.Status.NEW, Item.Status.CLAIMED)
# How many of the most urgent claimable items claim-next reads before locking the first one
# nobody else is locking: more than the claims that can be in flight at once on the same
# clients (each web worker thread runs one at a time).
CLAIM_CANDIDATES = 64


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.INBOX_LEASE_SECONDS)


def claimable_q(now: datetime) -> Q:
    """Items a claim may take at `now`: open, and unclaimed or with a lapsed lease."""
    return Q(status__in=CLAIMABLE_STATUSES) & (Q(claimed_by__isnull=True) | Q(lease_expires_at__lte=now))


def claim_fields_set(*, item: Item, holder: User, now: datetime) -> list[str]:
    """Make `holder` the item's holder with a fresh lease; returns the fields to save."""
    item.claimed_by = holder
    item.claimed_at = now
    item.lease_expires_at = now + lease_duration()
    item.status = Item.Status.CLAIMED
    return ["claimed_by", "claimed_at", "lease_expires_at", "status"]


def claim_fields_clear(*, item: Item, status: str | None = None) -> list[str]:
    """Drop the holder; an item still claimed goes back to NEW unless a status is given."""
    item.claimed_by = None
    item.claimed_at = None
    item.lease_expires_at = None
    if status is not None:
        item.status = status
    elif item.status == Item.Status.CLAIMED:
        item.status = Item.Status.NEW
    return ["claimed_by", "claimed_at", "lease_expires_at", "status"]


def items_claims_clear(*, items: list[Item], status: str, also: dict | None = None) -> None:
    """claim_fields_clear for locked items moving to one status, written with one UPDATE (`also`:
    more fields, the same value for every item)."""
    if not items:
        return
    for item in items:
        cleared = claim_fields_clear(item=item, status=status)
        for name, value in (also or {}).items():
            setattr(item, name, value)
    # Every item now holds the same values in these fields: one UPDATE writes them all.
    values = {name: getattr(items[0], name) for name in [*cleared, *(also or {})]}
    Item.objects.filter(AnyOf(F("pk"), [item.pk for item in items])).update(**values)


def claim_locked_item(*, item: Item, holder: User, actor: User | None, now: datetime, kind: str, data: dict) -> Item:
    """Give `holder` a fresh lease on an item whose row the caller has locked, with one event."""
    if item.claimed_by_id not in (None, holder.pk) and not lease_is_live(item=item, now=now):
        # The previous holder's lease lapsed and nobody has expired it yet: say so in the timeline.
        # (A live one is being handed over: item_assign records the previous holder itself.)
        data = {**data, "expired_holder_id": item.claimed_by_id}
    fields = claim_fields_set(item=item, holder=holder, now=now)
    item.save(update_fields=fields)
    ItemEvent.objects.create(
        item=item,
        actor=actor,
        kind=kind,
        data={**data, "holder_id": holder.pk, "lease_expires_at": item.lease_expires_at.isoformat()},
    )
    return item


@transaction.atomic
def item_claim_next(
    *, acting_user: User, filters: ItemFilters | None = None, now: datetime | None = None
) -> Item | None:
    """Claim the most urgent claimable item of the clients `acting_user` may serve, or None.

    Ordered by SLA due time, priority, id. The most urgent candidates are read from the head
    of each client's queue, then one SELECT ... FOR UPDATE SKIP LOCKED LIMIT 1 among them
    locks the first free one: concurrent callers each get a different row, never the same
    one. The item comes back with its client, channel and author loaded, so rendering it
    needs no second read.
    """
    now = now or timezone.now()
    filters = filters or ItemFilters()
    if filters.statuses is not None and not set(filters.statuses) & set(CLAIMABLE_STATUSES):
        return None  # the agent is looking at answered or closed items: none of those to claim
    client_ids = client_id_list_for_user(user=acting_user)
    if filters.client_id is not None:
        client_ids = [client_id for client_id in client_ids if client_id == filters.client_id]
    claimable = item_filters_apply(queryset=Item.objects.filter(claimable_q(now)), filters=filters)
    candidates = _claim_candidate_ids(queryset=claimable, client_ids=client_ids)
    item = _urgent_unlocked_first(claimable.filter(pk__in=candidates))
    if item is None and len(candidates) == CLAIM_CANDIDATES:
        # Every candidate is being claimed by someone else right now: look past them.
        item = _urgent_unlocked_first(claimable.filter(client_id__in=client_ids))
    if item is None:
        return None
    return claim_locked_item(
        item=item, holder=acting_user, actor=acting_user, now=now, kind=ItemEvent.Kind.CLAIMED, data={}
    )


def _claim_candidate_ids(*, queryset: QuerySet[Item], client_ids: list[int]) -> list[int]:
    """The ids of the CLAIM_CANDIDATES most urgent items of `queryset` among these clients.

    Merged from the head of each client's queue (index item_claim_queue_by_client), so the cost
    depends on the clients served, not on how many older items the others have waiting: one
    walk in global order, filtered by client row by row, passed thousands of those once a team
    had drained the head of its own queue. Not locked: a candidate may be taken meanwhile, which
    the locking query's SKIP LOCKED and its re-checked conditions see.
    """
    heads = [
        queryset.filter(client_id=client_id)
        .order_by(*Item.URGENT_ORDER)
        .values_list("id", "sla_due_at", "priority")[:CLAIM_CANDIDATES]
        for client_id in client_ids
    ]
    if len(heads) > 1:
        heads = [heads[0].union(*heads[1:], all=True).order_by(*Item.URGENT_ORDER)[:CLAIM_CANDIDATES]]
    return [item_id for head in heads for item_id, _due, _priority in head]


def _urgent_unlocked_first(queryset: QuerySet[Item]) -> Item | None:
    """Lock and return the most urgent row nobody else is locking, with what rendering it needs
    (client, channel and author joined in the same SELECT; only the item row is locked)."""
    return item_qs_urgent_skip_locked(queryset).select_related("client", "channel", "author").first()


@transaction.atomic
def item_claim(*, acting_user: User, item_id: int, now: datetime | None = None) -> Item:
    """Claim one specific item; refused while another agent's lease is live. Re-claiming renews."""
    now = now or timezone.now()
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    if item.status not in CLAIMABLE_STATUSES:
        raise ItemNotOpen(status=item.status)
    if lease_is_live(item=item, now=now) and item.claimed_by_id != acting_user.pk:
        raise ItemHeldByOther(holder_id=item.claimed_by_id, lease_expires_at=item.lease_expires_at.isoformat())
    return claim_locked_item(
        item=item, holder=acting_user, actor=acting_user, now=now, kind=ItemEvent.Kind.CLAIMED, data={}
    )


def item_for_update(*, acting_user: User, item_id: int, erased_allowed: bool = False) -> Item:
    """Lock the item row if the user may see it; Http404 otherwise (a foreign id looks missing).
    An item whose author's data was erased (services.erasure) stays as it is: ItemErased, unless
    the caller allows it (deleting the comment on the platform).

    The channel comes along in the same SELECT (its row is not locked): replies and moderation
    ask the channel's connector what it supports.
    """
    visible = item_queryset_for_user(user=acting_user).filter(pk=item_id).values("pk")
    item = item_qs_select_for_update().filter(pk__in=visible).select_related("channel").first()
    if item is None:
        raise Http404("No item matches the given query.")
    if item.erased_at is not None and not erased_allowed:
        raise ItemErased()
    return item


def lease_require_holder(*, item: Item, user: User) -> None:
    """The caller must be the current holder (the row is locked by the caller's transaction).

    A lapsed lease that nobody else took is still the holder's: nobody can have acted on it.
    """
    if item.claimed_by_id != user.pk:
        raise LeaseNotHeld(holder_id=item.claimed_by_id)


@transaction.atomic
def item_heartbeat(*, acting_user: User, item_id: int, now: datetime | None = None) -> Item:
    """Renew the lease while the composer is open; refused once someone else holds the item.

    No event row: a renewal changes no state an auditor cares about, only the expiry.
    """
    now = now or timezone.now()
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    lease_require_holder(item=item, user=acting_user)
    item.lease_expires_at = now + lease_duration()
    item.save(update_fields=["lease_expires_at"])
    return item


@transaction.atomic
def item_release(
    *, acting_user: User, item_id: int, reason: str = "", expected_holder_id: int | None = None
) -> User | None:
    """Give the item back to the queue (skip). Only the holder, or a shift lead/admin, may release
    (a lead releases a colleague's claim, live lease or not). Returns whose claim was released,
    None when nobody held the item. With `expected_holder_id` (the holder the lead's page showed)
    a claim someone else took meanwhile is not released (ItemHeldByOther)."""
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    if item.claimed_by_id is None:
        return None
    if expected_holder_id is not None and item.claimed_by_id != expected_holder_id:
        raise ItemHeldByOther(
            _("%(name)s holds this item now, not whom your page showed: nothing was released.")
            % {"name": item.claimed_by},
            holder_id=item.claimed_by_id,
        )
    if item.claimed_by_id != acting_user.pk and not acting_user.is_shift_lead_or_admin:
        raise LeaseNotHeld(
            _("You do not hold this item: only its holder, a shift lead or an admin can release it."),
            holder_id=item.claimed_by_id,
        )
    # The holder's own release (a skip) reads no user row while the item is locked.
    previous_holder = acting_user if item.claimed_by_id == acting_user.pk else item.claimed_by
    item.save(update_fields=claim_fields_clear(item=item))
    ItemEvent.objects.create(
        item=item,
        actor=acting_user,
        kind=ItemEvent.Kind.RELEASED,
        data={"previous_holder_id": previous_holder.pk, "reason": reason},
    )
    return previous_holder


@transaction.atomic
def item_take_over(*, acting_user: User, item_id: int, reason: str, now: datetime | None = None) -> Item:
    """A shift lead or admin takes an item from its holder, live lease or not; audited with the reason."""
    if not acting_user.is_shift_lead_or_admin:
        raise PermissionDenied(_("Only shift leads and admins can take over an item."))
    now = now or timezone.now()
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    if item.status not in CLAIMABLE_STATUSES:
        raise ItemNotOpen(status=item.status)
    return claim_locked_item(
        item=item,
        holder=acting_user,
        actor=acting_user,
        now=now,
        kind=ItemEvent.Kind.TAKEN_OVER,
        data={"previous_holder_id": item.claimed_by_id, "reason": reason},
    )


def claims_release_for_user(*, user: User, reason: str) -> int:
    """Release every item `user` holds (offline, end of shift), back to NEW with one UPDATE.
    Caller owns the transaction.

    A held item is CLAIMED (claim_fields_set; every other status change drops the claim), so one
    status fits all; a row that broke that rule would keep its claim until its lease expires.
    """
    items = list(item_qs_select_for_update().filter(claimed_by=user, status=Item.Status.CLAIMED))
    items_claims_clear(items=items, status=Item.Status.NEW)
    ItemEvent.objects.bulk_create(
        ItemEvent(item=item, kind=ItemEvent.Kind.RELEASED, data={"previous_holder_id": user.pk, "reason": reason})
        for item in items
    )
    return len(items)


@transaction.atomic
def leases_expire(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Release every lapsed lease with a LEASE_EXPIRED event (the every-minute schedule).

    Rows being claimed or replied to right now are skipped and seen on the next run.
    """
    now = now or timezone.now()
    items = list(item_qs_skip_locked().filter(claimed_by__isnull=False, lease_expires_at__lte=now)[:batch_size])
    events = []
    for item in items:
        previous_holder_id = item.claimed_by_id
        expired_at = item.lease_expires_at
        item.save(update_fields=claim_fields_clear(item=item))
        events.append(
            ItemEvent(
                item=item,
                kind=ItemEvent.Kind.LEASE_EXPIRED,
                data={"previous_holder_id": previous_holder_id, "lease_expired_at": expired_at.isoformat()},
            )
        )
    ItemEvent.objects.bulk_create(events)
    return len(items)
