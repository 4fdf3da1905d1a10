import threading
from collections import Counter

import pytest
from django.db import connection, transaction

from inbox.models import Item, ItemEvent
from inbox.services import claims
from inbox.services.claims import item_claim_next

THREADS = 24
ITEMS = 120


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("candidates", [claims.CLAIM_CANDIDATES, 2], ids=["candidates", "mostly-past-candidates"])
def test_many_agents_claiming_from_one_queue_never_share_an_item(
    candidates, monkeypatch, channel_factory, open_item_factory, agent_for
):
    """With two candidates per claim, most claims find them taken and look past them."""
    monkeypatch.setattr(claims, "CLAIM_CANDIDATES", candidates)
    channels = [channel_factory() for _ in range(3)]
    items = [open_item_factory(channel=channels[index % 3], due_in=index % 7) for index in range(ITEMS)]
    agents = [agent_for(*(channel.client for channel in channels), with_mfa=False) for _ in range(THREADS)]
    taken: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work(agent):
        try:
            start.wait()
            while (item := item_claim_next(acting_user=agent)) is not None:
                with lock:
                    taken.append((item.pk, agent.pk))
        except BaseException as error:  # noqa: BLE001 (reported by the assert below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    claimed_ids = Counter(item_id for item_id, _agent in taken)
    assert max(claimed_ids.values()) == 1
    assert set(claimed_ids) == {item.pk for item in items}
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.CLAIMED).count() == ITEMS
    holders = dict(Item.objects.values_list("pk", "claimed_by_id"))
    assert all(holders[item_id] == agent_id for item_id, agent_id in taken)


@pytest.mark.django_db(transaction=True)
def test_claim_next_looks_past_candidates_other_agents_are_claiming(
    monkeypatch, channel_factory, open_item_factory, agent_for
):
    """All candidates locked by claims in flight: the next free item is still found, none taken twice."""
    monkeypatch.setattr(claims, "CLAIM_CANDIDATES", 2)
    channel = channel_factory()
    locked = [open_item_factory(channel=channel, due_in=minutes) for minutes in (1, 2)]
    free = open_item_factory(channel=channel, due_in=3)
    agent = agent_for(channel.client, with_mfa=False)
    holding, release = threading.Event(), threading.Event()

    def hold_locks():
        try:
            with transaction.atomic():
                list(Item.objects.select_for_update().filter(pk__in=[item.pk for item in locked]))
                holding.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_locks)
    holder.start()
    try:
        assert holding.wait(timeout=30)
        claimed = item_claim_next(acting_user=agent)
    finally:
        release.set()
        holder.join()

    assert claimed.pk == free.pk
    assert not Item.objects.filter(pk__in=[item.pk for item in locked], claimed_by__isnull=False).exists()
