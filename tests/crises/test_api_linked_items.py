"""The crisis API keeps a shitstorm's linked items bounded: a window in the detail, keyset pages beside it."""

import base64
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import crises.selectors
from crises.models import CrisisItem
from crises.services import crisis_create, crisis_items_link


@pytest.fixture
def crisis_with_links(on_call, channel_factory, item_factory):
    """A crisis linking `count` items one by one, a second apart, oldest first; returns it and the items."""

    def make(count: int):
        channel = channel_factory()
        start = timezone.now() - timedelta(hours=1)
        crisis = crisis_create(acting_user=on_call, client=channel.client, title="Glass rumour", now=start)
        items = [item_factory(channel=channel, text=f"Scherben im Glas Nummer {number}") for number in range(count)]
        for offset, item in enumerate(items, start=1):
            crisis_items_link(crisis=crisis, items=[item], acting_user=on_call, now=start + timedelta(seconds=offset))
        return crisis, items

    return make


@pytest.fixture
def agent_client(client, agent_for):
    """The test client logged in as an agent serving the given client."""

    def login(served_client):
        client.force_login(agent_for(served_client))
        return client

    return login


def _all_pages(http, crisis_id: int, *, limit: int) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        body = http.get(f"/api/crises/{crisis_id}/items/", params).json()
        pages.append([row["item_id"] for row in body["results"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_detail_shows_the_most_recently_linked_items_and_counts_all(crisis_with_links, agent_client, monkeypatch):
    monkeypatch.setattr(crises.selectors, "CRISIS_PAGE_LINKED_ITEMS", 3)
    crisis, items = crisis_with_links(5)

    body = agent_client(crisis.client).get(f"/api/crises/{crisis.pk}/").json()

    assert [row["item_id"] for row in body["items"]] == [item.pk for item in items[2:]]
    assert body["items_total"] == 5


def test_detail_of_a_small_crisis_shows_all_its_linked_items(crisis_with_links, agent_client, monkeypatch):
    monkeypatch.setattr(crises.selectors, "CRISIS_PAGE_LINKED_ITEMS", 3)
    crisis, items = crisis_with_links(2)

    body = agent_client(crisis.client).get(f"/api/crises/{crisis.pk}/").json()

    assert [row["item_id"] for row in body["items"]] == [item.pk for item in items]
    assert body["items_total"] == 2


def test_detail_reads_the_same_number_of_queries_however_many_items_are_linked(
    crisis_with_links, client, on_call, monkeypatch
):
    monkeypatch.setattr(crises.selectors, "CRISIS_PAGE_LINKED_ITEMS", 3)
    small, _items = crisis_with_links(4)
    large, _items = crisis_with_links(40)
    http = client
    http.force_login(on_call)  # a shift lead sees every client's crises

    with CaptureQueriesContext(connection) as few_links:
        small_body = http.get(f"/api/crises/{small.pk}/").json()
    with CaptureQueriesContext(connection) as many_links:
        large_body = http.get(f"/api/crises/{large.pk}/").json()

    assert (small_body["items_total"], large_body["items_total"]) == (4, 40)
    assert len(large_body["items"]) == 3
    assert len(many_links) == len(few_links)


def test_paging_walks_every_linked_item_once_in_linking_order(crisis_with_links, agent_client, on_call, item_factory):
    crisis, items = crisis_with_links(5)
    # Three more linked in one call (one linked_at): their ids keep them in linking order across pages.
    same_moment = [item_factory(channel=items[0].channel) for _ in range(3)]
    crisis_items_link(crisis=crisis, items=same_moment, acting_user=on_call, now=timezone.now())
    expected = list(CrisisItem.objects.filter(crisis=crisis).order_by("id").values_list("item_id", flat=True))

    pages = _all_pages(agent_client(crisis.client), crisis.pk, limit=3)

    assert [len(page) for page in pages] == [3, 3, 2]
    assert [item_id for page in pages for item_id in page] == expected
    assert set(expected) == {item.pk for item in items + same_moment}


def test_items_linked_while_paging_come_at_the_end(crisis_with_links, agent_client, on_call, item_factory):
    crisis, items = crisis_with_links(4)
    http = agent_client(crisis.client)
    first = http.get(f"/api/crises/{crisis.pk}/items/", {"limit": 2}).json()
    latecomer = item_factory(channel=items[0].channel)
    crisis_items_link(crisis=crisis, items=[latecomer], acting_user=on_call, now=timezone.now())

    rest = http.get(f"/api/crises/{crisis.pk}/items/", {"limit": 10, "cursor": first["next_cursor"]}).json()

    seen = [row["item_id"] for row in first["results"] + rest["results"]]
    assert seen == [item.pk for item in items] + [latecomer.pk]
    assert rest["next_cursor"] is None


def test_a_page_carries_what_the_detail_shows_of_each_item(crisis_with_links, agent_client):
    crisis, items = crisis_with_links(2)
    http = agent_client(crisis.client)

    page = http.get(f"/api/crises/{crisis.pk}/items/").json()
    detail = http.get(f"/api/crises/{crisis.pk}/").json()

    assert page == {"results": detail["items"], "next_cursor": None}
    assert page["results"][0] | {"linked_at": None} == {
        "item_id": items[0].pk,
        "text": "Scherben im Glas Nummer 0",
        "item_status": "new",
        "linked_at": None,
        "answered_version": None,
    }


def test_a_page_reads_the_same_number_of_queries_whatever_its_size(
    crisis_with_links, agent_client, django_assert_max_num_queries
):
    crisis, _items = crisis_with_links(30)
    http = agent_client(crisis.client)

    with CaptureQueriesContext(connection) as small_page:
        small = http.get(f"/api/crises/{crisis.pk}/items/", {"limit": 2}).json()
    with django_assert_max_num_queries(len(small_page)) as large_page:
        large = http.get(f"/api/crises/{crisis.pk}/items/", {"limit": 25}).json()

    assert (len(small["results"]), len(large["results"])) == (2, 25)
    assert len(large_page) == len(small_page)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        *(
            base64.urlsafe_b64encode(raw).decode()
            for raw in (b"yesterday|7", b"2026-01-01T00:00|7", b"2026-01-01T00:00:00+00:00|7")
        ),
    ],
)
def test_a_broken_cursor_is_a_400(crisis_with_links, agent_client, cursor):
    crisis, _items = crisis_with_links(1)

    response = agent_client(crisis.client).get(f"/api/crises/{crisis.pk}/items/", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json() == {
        "cursor": [
            "Invalid cursor (altered, of another list, or from before an update): "
            "request the first page again, without a cursor."
        ]
    }


def test_the_page_size_is_bounded(crisis_with_links, agent_client):
    crisis, _items = crisis_with_links(1)

    response = agent_client(crisis.client).get(f"/api/crises/{crisis.pk}/items/", {"limit": 201})

    assert response.status_code == 400 and "limit" in response.json()


def test_agents_of_other_clients_and_foreign_contacts_get_404(
    crisis_with_links, client, agent_for, contact_user_for, client_factory
):
    crisis, _items = crisis_with_links(2)
    other = client_factory()
    responses = {}
    for who, user in {
        "agent of another client": agent_for(other),
        "contact of another client": contact_user_for(other),
    }.items():
        client.force_login(user)
        responses[who] = client.get(f"/api/crises/{crisis.pk}/items/").status_code

    assert responses == {"agent of another client": 404, "contact of another client": 404}


def test_a_contact_pages_their_own_client_s_crisis_but_cannot_link(crisis_with_links, client, contact_user_for):
    crisis, items = crisis_with_links(2)
    client.force_login(contact_user_for(crisis.client))

    page = client.get(f"/api/crises/{crisis.pk}/items/")
    link = client.post(f"/api/crises/{crisis.pk}/items/", {"item_ids": [items[0].pk]}, content_type="application/json")

    assert page.status_code == 200 and [row["item_id"] for row in page.json()["results"]] == [i.pk for i in items]
    assert link.status_code == 403


def test_anonymous_gets_no_items(crisis_with_links, client):
    crisis, _items = crisis_with_links(1)

    response = client.get(f"/api/crises/{crisis.pk}/items/")

    assert response.status_code in (401, 403) and b"Scherben" not in response.content


def test_a_link_whose_request_waited_for_the_crisis_lock_is_not_skipped(
    crisis_with_links, agent_client, item_factory, on_call
):
    # A POST took its time (now) before waiting at the crisis lock while other links committed: its
    # linked_at is older than theirs, but it is linked after a client read the first page.
    crisis, items = crisis_with_links(2)
    http = agent_client(crisis.client)
    first = http.get(f"/api/crises/{crisis.pk}/items/", {"limit": 1}).json()
    late = item_factory(channel=items[0].channel)
    crisis_items_link(crisis=crisis, items=[late], acting_user=on_call, now=crisis.created_at + timedelta(seconds=0.5))

    rest = http.get(f"/api/crises/{crisis.pk}/items/", {"limit": 10, "cursor": first["next_cursor"]}).json()

    seen = [row["item_id"] for row in first["results"] + rest["results"]]
    assert seen == [*(item.pk for item in items), late.pk]
