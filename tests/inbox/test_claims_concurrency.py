import threading
from collections import Counter

import pytest
from django.db import connection

from inbox.models import Item, ItemEvent
from inbox.services.claims import item_claim_next

THREADS = 24
ITEMS = 120


@pytest.mark.django_db(transaction=True)
def test_many_agents_claiming_from_one_queue_never_share_an_item(channel_factory, open_item_factory, agent_for):
    channel = channel_factory()
    items = [open_item_factory(channel=channel, due_in=index % 7) for index in range(ITEMS)]
    agents = [agent_for(channel.client, with_mfa=False) for _ in range(THREADS)]
    claims: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work(agent):
        try:
            start.wait()
            while (item := item_claim_next(acting_user=agent)) is not None:
                with lock:
                    claims.append((item.pk, agent.pk))
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
    claimed_ids = Counter(item_id for item_id, _agent in claims)
    assert max(claimed_ids.values()) == 1
    assert set(claimed_ids) == {item.pk for item in items}
    assert ItemEvent.objects.filter(kind=ItemEvent.Kind.CLAIMED).count() == ITEMS
    holders = dict(Item.objects.values_list("pk", "claimed_by_id"))
    assert all(holders[item_id] == agent_id for item_id, agent_id in claims)
