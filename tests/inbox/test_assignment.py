from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from communityops.models import User
from inbox.models import AgentPresence, Item, ItemEvent, TeamAssignmentPolicy
from inbox.services.assignment import (
    agents_offline_release,
    item_assign,
    items_auto_assign,
    presence_end_shift,
    presence_heartbeat,
    presence_start_shift,
)
from inbox.services.claims import item_claim
from inbox.services.errors import AssigneeOffline, InvalidAssignee


@pytest.fixture
def team_setup(channel_factory, user_factory, team_factory, open_item_factory):
    """A team of three agents serving one client with six open items."""

    def make(*, mode: str, online=(True, True, True), capacity: int = 5):
        channel = channel_factory()
        agents = [user_factory(role=User.Role.AGENT, with_mfa=False) for _ in online]
        team = team_factory(members=agents, clients=[channel.client])
        TeamAssignmentPolicy.objects.create(team=team, mode=mode)
        for agent, is_online in zip(agents, online, strict=True):
            presence_heartbeat(user=agent)
            AgentPresence.objects.filter(user=agent).update(is_online=is_online, capacity=capacity)
        items = [open_item_factory(channel=channel, due_in=index) for index in range(6)]
        return agents, items

    return make


def _holders() -> Counter:
    return Counter(Item.objects.exclude(claimed_by=None).values_list("claimed_by_id", flat=True))


def test_round_robin_deals_items_in_turn_to_online_agents(team_setup):
    (anna, ben, clara), items = team_setup(mode=TeamAssignmentPolicy.Mode.ROUND_ROBIN, online=(True, True, False))

    assigned = items_auto_assign()

    assert assigned == 6
    assert _holders() == {anna.pk: 3, ben.pk: 3}
    first = Item.objects.get(pk=items[0].pk)
    assert first.claimed_by == anna
    event = first.events.get(kind=ItemEvent.Kind.ASSIGNED)
    assert event.data["mode"] == "round_robin" and event.actor is None


def test_least_loaded_respects_capacity(team_setup, open_item_factory):
    (anna, ben, clara), items = team_setup(mode=TeamAssignmentPolicy.Mode.LEAST_LOADED, capacity=2)
    item_claim(acting_user=anna, item_id=items[5].pk)

    assigned = items_auto_assign()

    assert assigned == 5
    assert _holders() == {anna.pk: 2, ben.pk: 2, clara.pk: 2}
    assert items_auto_assign() == 0


def test_policy_off_assigns_nothing(team_setup):
    team_setup(mode=TeamAssignmentPolicy.Mode.OFF)

    assert items_auto_assign() == 0


def test_agents_without_a_heartbeat_go_offline_and_lose_their_claims(team_setup, settings):
    settings.INBOX_PRESENCE_TIMEOUT_SECONDS = 180
    (anna, ben, clara), items = team_setup(mode=TeamAssignmentPolicy.Mode.OFF)
    item_claim(acting_user=anna, item_id=items[0].pk)
    item_claim(acting_user=ben, item_id=items[1].pk)
    later = timezone.now() + timedelta(seconds=181)
    presence_heartbeat(user=ben, now=later)

    released = agents_offline_release(now=later)

    assert released == 1
    assert AgentPresence.objects.get(user=anna).is_online is False
    assert _holders() == {ben.pk: 1}
    assert items[0].events.filter(kind=ItemEvent.Kind.RELEASED, data__reason="offline").exists()


def test_ending_a_shift_releases_claims(team_setup):
    (anna, _ben, _clara), items = team_setup(mode=TeamAssignmentPolicy.Mode.OFF)
    item_claim(acting_user=anna, item_id=items[0].pk)

    assert presence_end_shift(user=anna) == 1
    assert _holders() == {}


def test_an_ended_shift_outlasts_the_heartbeat_of_a_page_still_open(team_setup):
    # The queue page she lands on after "End shift" keeps sending heartbeats.
    (anna, ben, _clara), items = team_setup(mode=TeamAssignmentPolicy.Mode.LEAST_LOADED)
    presence_end_shift(user=anna)

    presence = presence_heartbeat(user=anna, now=timezone.now() + timedelta(seconds=1))

    assert presence.is_online is False
    with pytest.raises(AssigneeOffline):
        item_assign(acting_user=ben, item_id=items[0].pk, assignee_id=anna.pk)
    items_auto_assign()
    assert anna.pk not in _holders()


def test_starting_a_shift_brings_the_agent_online_and_the_heartbeat_keeps_her_there(team_setup):
    (anna, _ben, _clara), _items = team_setup(mode=TeamAssignmentPolicy.Mode.OFF)
    presence_end_shift(user=anna)

    started = presence_start_shift(user=anna)
    later = presence_heartbeat(user=anna, now=timezone.now() + timedelta(seconds=60))

    assert (started.is_online, started.shift_ended_at) == (True, None)
    assert later.is_online is True


def test_assigning_to_a_colleague_who_serves_the_client(team_setup, agent_for, channel_factory):
    (anna, ben, _clara), items = team_setup(mode=TeamAssignmentPolicy.Mode.OFF)
    outsider = agent_for(channel_factory().client)

    item_assign(acting_user=anna, item_id=items[0].pk, assignee_id=ben.pk)

    assert Item.objects.get(pk=items[0].pk).claimed_by == ben
    with pytest.raises(InvalidAssignee):
        item_assign(acting_user=anna, item_id=items[1].pk, assignee_id=outsider.pk)


def test_a_hand_over_records_to_whom(team_setup):
    (anna, ben, _clara), items = team_setup(mode=TeamAssignmentPolicy.Mode.OFF)
    item_claim(acting_user=anna, item_id=items[0].pk)

    item_assign(acting_user=anna, item_id=items[0].pk, assignee_id=ben.pk)

    event = items[0].events.get(kind=ItemEvent.Kind.ASSIGNED)
    assert event.actor == anna
    assert event.data["holder_id"] == ben.pk
    assert event.data["assignee_name"] == str(ben)
    assert event.data["previous_holder_id"] == anna.pk
    assert "expired_holder_id" not in event.data  # anna's lease was live: she handed it over


def test_an_auto_assignment_records_to_whom(team_setup):
    (anna, _ben, _clara), items = team_setup(mode=TeamAssignmentPolicy.Mode.ROUND_ROBIN, online=(True, False, False))

    items_auto_assign()

    event = items[0].events.get(kind=ItemEvent.Kind.ASSIGNED)
    assert event.data["holder_id"] == anna.pk and event.data["assignee_name"] == str(anna)
