from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from communityops.models import User
from inbox.models import Item, ItemEvent
from inbox.selectors import ItemFilters
from inbox.services.claims import (
    item_claim,
    item_claim_next,
    item_heartbeat,
    item_release,
    item_take_over,
    leases_expire,
)
from inbox.services.errors import ItemHeldByOther, LeaseNotHeld


@pytest.fixture
def served_channel(channel_factory):
    return channel_factory()


def _event_kinds(item: Item) -> list[str]:
    return list(item.events.order_by("id").values_list("kind", flat=True))


def test_claim_next_takes_the_most_urgent_item_of_served_clients(
    served_channel, channel_factory, open_item_factory, agent_for
):
    foreign = open_item_factory(channel=channel_factory(), due_in=1)
    later = open_item_factory(channel=served_channel, due_in=30)
    sooner_low = open_item_factory(channel=served_channel, due_in=10, priority=Item.Priority.LOW)
    sooner_urgent = open_item_factory(channel=served_channel, due_in=10, priority=Item.Priority.URGENT)
    sooner_urgent.sla_due_at = sooner_low.sla_due_at
    sooner_urgent.save(update_fields=["sla_due_at"])
    agent = agent_for(served_channel.client)

    claimed = [item_claim_next(acting_user=agent) for _ in range(3)]

    assert [item.pk for item in claimed] == [sooner_urgent.pk, sooner_low.pk, later.pk]
    assert item_claim_next(acting_user=agent) is None
    foreign.refresh_from_db()
    assert foreign.claimed_by is None


def test_claim_next_merges_the_queues_of_all_served_clients_by_urgency(channel_factory, open_item_factory, agent_for):
    first, second, foreign = channel_factory(), channel_factory(), channel_factory()
    for due_in in range(1, 40):
        open_item_factory(channel=foreign, due_in=due_in)
    expected = [
        open_item_factory(channel=channel, due_in=due_in).pk
        for channel, due_in in [(first, 5), (second, 10), (first, 15), (second, 20), (second, 25), (first, 30)]
    ]
    agent = agent_for(first.client, second.client)

    claimed = [item_claim_next(acting_user=agent).pk for _ in expected]

    assert claimed == expected
    assert item_claim_next(acting_user=agent) is None
    assert not Item.objects.filter(channel=foreign, claimed_by__isnull=False).exists()


def test_claim_next_with_only_answered_items_chosen_claims_nothing(served_channel, open_item_factory, agent_for):
    waiting = open_item_factory(channel=served_channel)
    agent = agent_for(served_channel.client)

    claimed = item_claim_next(acting_user=agent, filters=ItemFilters(statuses=(Item.Status.ANSWERED,)))

    waiting.refresh_from_db()
    assert claimed is None and waiting.claimed_by is None


def test_claim_next_sets_a_lease_and_writes_an_event(served_channel, open_item_factory, agent_for, settings):
    settings.INBOX_LEASE_SECONDS = 120
    item = open_item_factory(channel=served_channel)
    agent = agent_for(served_channel.client)
    now = timezone.now()

    claimed = item_claim_next(acting_user=agent, now=now)

    claimed.refresh_from_db()
    assert claimed.status == Item.Status.CLAIMED
    assert claimed.claimed_by == agent
    assert claimed.lease_expires_at == now + timedelta(seconds=120)
    assert _event_kinds(item) == [ItemEvent.Kind.RECEIVED, ItemEvent.Kind.CLAIMED]


def test_claim_next_respects_filters(channel_factory, open_item_factory, agent_for):
    first, second = channel_factory(), channel_factory()
    open_item_factory(channel=first, due_in=1)
    wanted = open_item_factory(channel=second, due_in=50, tags=["vip"])
    agent = agent_for(first.client, second.client)

    claimed = item_claim_next(acting_user=agent, filters=ItemFilters(client_id=second.client_id, tag="vip"))

    assert claimed.pk == wanted.pk


def test_claiming_an_item_held_by_another_agent_fails_clearly(served_channel, open_item_factory, agent_for):
    item = open_item_factory(channel=served_channel)
    anna, ben = agent_for(served_channel.client), agent_for(served_channel.client)
    item_claim(acting_user=anna, item_id=item.pk)

    with pytest.raises(ItemHeldByOther) as refused:
        item_claim(acting_user=ben, item_id=item.pk)

    assert refused.value.details["holder_id"] == anna.pk


def test_claiming_a_foreign_clients_item_looks_like_it_does_not_exist(channel_factory, open_item_factory, agent_for):
    item = open_item_factory(channel=channel_factory())
    outsider = agent_for(channel_factory().client)

    with pytest.raises(Http404):
        item_claim(acting_user=outsider, item_id=item.pk)


def test_heartbeat_renews_only_for_the_holder(served_channel, open_item_factory, agent_for):
    item = open_item_factory(channel=served_channel)
    anna, ben = agent_for(served_channel.client), agent_for(served_channel.client)
    start = timezone.now()
    item_claim(acting_user=anna, item_id=item.pk, now=start)

    renewed = item_heartbeat(acting_user=anna, item_id=item.pk, now=start + timedelta(seconds=200))

    assert renewed.lease_expires_at == start + timedelta(seconds=500)
    with pytest.raises(LeaseNotHeld):
        item_heartbeat(acting_user=ben, item_id=item.pk)


def test_release_returns_the_item_to_the_queue(served_channel, open_item_factory, agent_for):
    item = open_item_factory(channel=served_channel)
    agent = agent_for(served_channel.client)
    item_claim(acting_user=agent, item_id=item.pk)

    item_release(acting_user=agent, item_id=item.pk, reason="skip")

    item.refresh_from_db()
    assert (item.status, item.claimed_by, item.lease_expires_at) == (Item.Status.NEW, None, None)
    assert _event_kinds(item)[-1] == ItemEvent.Kind.RELEASED


def test_expired_leases_are_released_with_an_event(served_channel, open_item_factory, agent_for):
    live, lapsed = open_item_factory(channel=served_channel), open_item_factory(channel=served_channel)
    agent = agent_for(served_channel.client)
    start = timezone.now()
    item_claim(acting_user=agent, item_id=lapsed.pk, now=start)
    item_claim(acting_user=agent, item_id=live.pk, now=start + timedelta(seconds=290))

    released = leases_expire(now=start + timedelta(seconds=301))

    lapsed.refresh_from_db()
    live.refresh_from_db()
    assert released == 1
    assert (lapsed.status, lapsed.claimed_by) == (Item.Status.NEW, None)
    assert live.claimed_by == agent
    expiry = lapsed.events.get(kind=ItemEvent.Kind.LEASE_EXPIRED)
    assert expiry.data["previous_holder_id"] == agent.pk


def test_a_lapsed_lease_can_be_claimed_by_someone_else_before_the_sweep(served_channel, open_item_factory, agent_for):
    item = open_item_factory(channel=served_channel)
    anna, ben = agent_for(served_channel.client), agent_for(served_channel.client)
    start = timezone.now()
    item_claim(acting_user=anna, item_id=item.pk, now=start)

    claimed = item_claim_next(acting_user=ben, now=start + timedelta(seconds=301))

    assert claimed.pk == item.pk and claimed.claimed_by == ben
    assert item.events.filter(kind=ItemEvent.Kind.CLAIMED).last().data["expired_holder_id"] == anna.pk
    with pytest.raises(LeaseNotHeld):
        item_heartbeat(acting_user=anna, item_id=item.pk)


def test_shift_lead_takes_over_with_an_audited_event(served_channel, open_item_factory, agent_for, user_factory):
    item = open_item_factory(channel=served_channel)
    agent = agent_for(served_channel.client)
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    item_claim(acting_user=agent, item_id=item.pk)

    item_take_over(acting_user=lead, item_id=item.pk, reason="Influencer, answer personally")

    item.refresh_from_db()
    assert item.claimed_by == lead
    event = item.events.get(kind=ItemEvent.Kind.TAKEN_OVER)
    assert event.actor == lead
    assert event.data["previous_holder_id"] == agent.pk
    assert event.data["reason"] == "Influencer, answer personally"


def test_agents_cannot_take_over(served_channel, open_item_factory, agent_for):
    item = open_item_factory(channel=served_channel)
    anna, ben = agent_for(served_channel.client), agent_for(served_channel.client)
    item_claim(acting_user=anna, item_id=item.pk)

    with pytest.raises(PermissionDenied):
        item_take_over(acting_user=ben, item_id=item.pk, reason="mine now")


def test_deleting_an_agent_leaves_their_claimed_items_unclaimed(served_channel, open_item_factory, agent_for):
    # claimed_by is indexed only where set (inbox 0017); SET NULL finds the agent's items through it.
    held, other = open_item_factory(channel=served_channel), open_item_factory(channel=served_channel)
    agent = agent_for(served_channel.client)
    item_claim(acting_user=agent, item_id=held.pk)

    agent.delete()

    held.refresh_from_db()
    assert held.claimed_by is None
    assert Item.objects.filter(claimed_by__isnull=False).count() == 0
    assert Item.objects.get(pk=other.pk).claimed_by is None
