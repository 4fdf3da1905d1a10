"""Who works on what: presence, manual assignment, and per-team auto-assignment.

Auto-assignment gives an agent a claim (a lease) on their behalf, with an ASSIGNED
event; like any claim it lapses unless the agent opens the item and heartbeats, so work
handed to someone who walked away returns to the queue within one lease.
Only agents with a live presence heartbeat receive work; an agent whose heartbeat stops
(or who ends their shift) goes offline and their claims are released; one who ended their shift
stays offline, whatever their open pages send, until they start a shift again.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from communityops.models import User

from ..lock_objects import (
    agent_presence_qs_select_for_update,
    item_qs_urgent_skip_locked,
    team_assignment_policy_qs_select_for_update,
)
from ..models import AgentPresence, Item, ItemEvent, TeamAssignmentPolicy
from ..selectors import lease_is_live, presence_timeout, staff_may_serve_client, user_is_online_q
from .claims import CLAIMABLE_STATUSES, claim_locked_item, claimable_q, claims_release_for_user, item_for_update
from .errors import AssigneeOffline, InvalidAssignee, ItemHeldByOther, ItemNotOpen


def presence_heartbeat(*, user: User, now: datetime | None = None) -> AgentPresence:
    """The agent is at their desk (sent by the browser every minute or so), unless they ended their
    shift: then they stay offline until presence_start_shift.

    One conditional UPDATE, so a heartbeat racing an end of shift cannot put the agent back online.
    """
    now = now or timezone.now()
    AgentPresence.objects.filter(user=user, shift_ended_at__isnull=True).update(is_online=True, last_seen_at=now)
    presence, _created = AgentPresence.objects.get_or_create(
        user=user, defaults={"is_online": True, "last_seen_at": now}
    )
    return presence


@transaction.atomic
def presence_start_shift(*, user: User, now: datetime | None = None) -> AgentPresence:
    """The agent starts working (again): online at once, and the heartbeat keeps them so."""
    presence, _created = AgentPresence.objects.update_or_create(
        user=user, defaults={"is_online": True, "last_seen_at": now or timezone.now(), "shift_ended_at": None}
    )
    return presence


@transaction.atomic
def presence_end_shift(*, user: User, now: datetime | None = None) -> int:
    """The agent goes offline until they start a shift again (the heartbeat of an open inbox page
    does not bring them back): returns how many claims were released."""
    now = now or timezone.now()
    AgentPresence.objects.update_or_create(user=user, defaults={"is_online": False, "shift_ended_at": now})
    return claims_release_for_user(user=user, reason="offline")


def agents_offline_release(*, now: datetime | None = None) -> int:
    """The periodic sweep: agents without a heartbeat for the timeout go offline, claims released."""
    now = now or timezone.now()
    released = 0
    stale = AgentPresence.objects.filter(is_online=True, last_seen_at__lt=now - presence_timeout())
    for presence_id in stale.values_list("pk", flat=True):
        with transaction.atomic():
            presence = (
                agent_presence_qs_select_for_update()
                .select_related("user")
                .filter(pk=presence_id, is_online=True, last_seen_at__lt=now - presence_timeout())
                .first()
            )
            if presence is None:  # a heartbeat arrived meanwhile
                continue
            presence.is_online = False
            presence.save(update_fields=["is_online"])
            released += claims_release_for_user(user=presence.user, reason="offline")
    return released


@transaction.atomic
def item_assign(*, acting_user: User, item_id: int, assignee_id: int, now: datetime | None = None) -> Item:
    """Hand an item to a colleague who serves its client and is at their desk (their inbox open:
    a presence heartbeat; shift leads and admins too); they get the lease. Handed to someone away,
    the item would lie held until the offline sweep or the lease gave it back.

    Taking it from someone with a live lease needs the holder themself or a shift lead/admin.
    """
    now = now or timezone.now()
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    if item.status not in CLAIMABLE_STATUSES:
        raise ItemNotOpen(status=item.status)
    assignee = User.objects.filter(pk=assignee_id).first()
    if assignee is None or not staff_may_serve_client(user=assignee, client_id=item.client_id):
        raise InvalidAssignee(assignee_id=assignee_id)
    if not User.objects.filter(user_is_online_q(now=now), pk=assignee.pk).exists():
        raise AssigneeOffline(
            message=_("%(name)s is not online: the item would go straight back to the queue.") % {"name": assignee},
            assignee_id=assignee_id,
        )
    held_by_other = lease_is_live(item=item, now=now) and item.claimed_by_id != acting_user.pk
    if held_by_other and not acting_user.is_shift_lead_or_admin:
        raise ItemHeldByOther(holder_id=item.claimed_by_id, lease_expires_at=item.lease_expires_at.isoformat())
    return claim_locked_item(
        item=item,
        holder=assignee,
        actor=acting_user,
        now=now,
        kind=ItemEvent.Kind.ASSIGNED,
        # holder_id (claim_locked_item) is the assignee; their name as it was then is kept beside it.
        data={"mode": "manual", "previous_holder_id": item.claimed_by_id, "assignee_name": str(assignee)},
    )


def _agent_pick(*, mode: str, agents: list[User], load: dict[int, int], after_user_id: int | None) -> User | None:
    """The next agent with room: in turn after the last one (round robin) or the least loaded."""
    free = [agent for agent in agents if load[agent.pk] < agent.presence.capacity]
    if not free:
        return None
    if mode == TeamAssignmentPolicy.Mode.LEAST_LOADED:
        return min(free, key=lambda agent: (load[agent.pk], agent.pk))
    later = [agent for agent in free if after_user_id is None or agent.pk > after_user_id]
    return (later or free)[0]


@transaction.atomic
def team_auto_assign(*, policy_id: int, now: datetime | None = None) -> int:
    """Assign the team's claimable items, most urgent first, to its online agents with room.

    The policy row lock serializes runs for one team, so capacity is never overshot;
    items are taken with SKIP LOCKED, so agents pulling "next item" are never blocked.
    """
    now = now or timezone.now()
    policy = team_assignment_policy_qs_select_for_update().filter(pk=policy_id).select_related("team").first()
    if policy is None or policy.mode == TeamAssignmentPolicy.Mode.OFF:
        return 0
    agents = list(
        policy.team.members.filter(
            is_active=True,
            role__in=User.STAFF_ROLES,
        )
        .filter(user_is_online_q(now=now))
        .select_related("presence")
        .order_by("pk")
    )
    if not agents:
        return 0
    load = {agent.pk: 0 for agent in agents}
    for row in (
        Item.objects.filter(claimed_by__in=agents, lease_expires_at__gt=now)
        .values("claimed_by")
        .annotate(n=Count("pk"))
    ):
        load[row["claimed_by"]] = row["n"]
    room = sum(max(agent.presence.capacity - load[agent.pk], 0) for agent in agents)
    if room == 0:
        return 0
    claimable = Item.objects.filter(claimable_q(now), client__in=policy.team.clients.values("pk"))
    assigned = 0
    for item in item_qs_urgent_skip_locked(claimable)[:room]:
        agent = _agent_pick(mode=policy.mode, agents=agents, load=load, after_user_id=policy.last_assigned_user_id)
        if agent is None:
            break
        claim_locked_item(
            item=item,
            holder=agent,
            actor=None,
            now=now,
            kind=ItemEvent.Kind.ASSIGNED,
            data={"mode": policy.mode, "team_id": policy.team_id, "assignee_name": str(agent)},
        )
        load[agent.pk] += 1
        policy.last_assigned_user_id = agent.pk
        assigned += 1
    policy.save(update_fields=["last_assigned_user"])
    return assigned


def items_auto_assign(*, now: datetime | None = None) -> int:
    """The periodic run over every team with auto-assignment on; one transaction per team."""
    policies = TeamAssignmentPolicy.objects.exclude(mode=TeamAssignmentPolicy.Mode.OFF).values_list("pk", flat=True)
    return sum(team_auto_assign(policy_id=policy_id, now=now) for policy_id in policies)
