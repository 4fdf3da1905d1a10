"""The locking querysets of the inbox, in one place so lock order and scope are visible.

Row locks are taken on the queried model's own row only (`of=("self",)`), never on the joined
client/channel/user rows, so a claim never blocks someone editing a client; the one query without
`of` joins nothing (ingest_change_qs_skip_locked). Several rows are locked in one statement in id
order, unless the function says otherwise. item_qs_select_for_update and the author profile's lock
are FOR NO KEY UPDATE, the others FOR UPDATE; each function says why. The `_skip_locked` variants
are for claims, sweeps and tasks that may run twice: a row another transaction holds is passed
over, not waited for.

Lock order, where a service takes more than one (first listed, first taken):
- erasure (services.erasure): author_erasure_lock, the author's profile, the crises linking their
  items (crises.erasure), the items, the author's row, the replies to the items (rewritten by
  UPDATE), the items' spam decisions, the deliveries that carried them;
- author_profile_set: the profile, then the author's open items;
- a crisis (crises.lock_objects) before its items;
- a delivery's processing: the delivery (a Meta batch) or its pending changes, then the stored items
  its edits touch (one statement), then the authors whose data it updates;
- agents_offline_release: the presence, then the agent's items; team_auto_assign: the policy,
  then items; marking spam: the item, then its spam decision;
- a removal on the platform (services.ingestion.item_mark_removed_on_platform): the comment, then
  its replies;
- a send's failure (services.outbox._action_record_failure): the item, then the action, as the
  services that hold an item while they write its actions (a reply, the erasure).

Not here, because they are no SELECT ... FOR UPDATE: the advisory locks at the end of this module
(taken before any row lock), and the row locks of the conditional UPDATEs that serve as a
compare-and-set (the outbox's send claim, services.outbox._action_claim_for_sending; the presence
heartbeat).
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from .models import (
    AgentPresence,
    Author,
    AuthorProfile,
    IngestChange,
    Item,
    OutboundAction,
    SpamFeedback,
    TeamAssignmentPolicy,
    WebhookDelivery,
)


def item_qs_select_for_update() -> QuerySet[Item]:
    """FOR NO KEY UPDATE, in id order: nothing changes an item's id, and rows that point at a locked
    item (its events, crisis links) can still be inserted meanwhile, whose foreign-key check would
    otherwise wait for the lock (and could close a deadlock with a bulk lock in id order)."""
    return Item.objects.order_by("pk").select_for_update(of=("self",), no_key=True)


def item_qs_urgent_skip_locked(queryset: QuerySet[Item]) -> QuerySet[Item]:
    """Most urgent first, skipping rows another transaction is claiming right now.

    SKIP LOCKED makes concurrent "next item" calls hand out different rows instead of
    waiting on (and then double-claiming) the same one. FOR UPDATE, not NO KEY: the statement
    claim-next was measured with (BENCHMARKS.md).
    """
    return queryset.order_by(*Item.URGENT_ORDER).select_for_update(of=("self",), skip_locked=True)


def item_qs_skip_locked() -> QuerySet[Item]:
    """The lease expiry sweep's items in id order, passing over any being claimed or answered (the next
    run takes them); FOR UPDATE like the claim."""
    return Item.objects.order_by("pk").select_for_update(of=("self",), skip_locked=True)


def outbound_action_qs_select_for_update() -> QuerySet[OutboundAction]:
    """An action whose failed attempt is recorded (after its item) or which is retried by hand: whoever
    still owns it (re-checked under the lock) writes once."""
    return OutboundAction.objects.order_by("pk").select_for_update(of=("self",))


def team_assignment_policy_qs_select_for_update() -> QuerySet[TeamAssignmentPolicy]:
    """A team's auto-assignment policy: runs for one team take turns, so no agent's capacity is overshot."""
    return TeamAssignmentPolicy.objects.order_by("pk").select_for_update(of=("self",))


def agent_presence_qs_select_for_update() -> QuerySet[AgentPresence]:
    """An agent's presence while the offline sweep re-checks and ends it: a heartbeat that came first wins."""
    return AgentPresence.objects.order_by("pk").select_for_update(of=("self",))


def author_profile_qs_select_for_update() -> QuerySet[AuthorProfile]:
    """A client's profile of an author: its changes and the author's erasure take turns. NO KEY: nothing
    points at a profile; of self: every new item of the client checks its foreign key on the client."""
    return AuthorProfile.objects.order_by("pk").select_for_update(of=("self",), no_key=True)


def author_qs_select_for_update() -> QuerySet[Author]:
    """The author's row, which the erasure may delete: FOR UPDATE, so a new item's foreign-key check (at
    commit) waits for the outcome."""
    return Author.objects.order_by("pk").select_for_update(of=("self",))


def spam_feedback_qs_select_for_update() -> QuerySet[SpamFeedback]:
    """An item's spam decision while it is changed or forgotten (deleted, hence FOR UPDATE)."""
    return SpamFeedback.objects.order_by("pk").select_for_update(of=("self",))


def ingest_change_qs_skip_locked() -> QuerySet[IngestChange]:
    """A delivery's pending changes in position order, passing over those another run of the task holds.
    No `of` (one table): the batch's statement stays as benchmarked."""
    return IngestChange.objects.order_by("position").select_for_update(skip_locked=True)


def webhook_delivery_qs_select_for_update() -> QuerySet[WebhookDelivery]:
    """A Meta delivery being split batch by batch: a second run of the task waits, then goes on after."""
    return WebhookDelivery.objects.order_by("pk").select_for_update(of=("self",))


def webhook_delivery_qs_skip_locked() -> QuerySet[WebhookDelivery]:
    """Deliveries whose raw body is dropped, in id order, passing over held ones: retention and erasure
    never wait for each other."""
    return WebhookDelivery.objects.order_by("pk").select_for_update(of=("self",), skip_locked=True)


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
