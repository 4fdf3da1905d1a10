import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from communityops.models import Channel, User
from inbox.models import Item, ItemEvent, OutboundAction
from inbox.services.ingestion import item_mark_removed_on_platform


@pytest.fixture
def served(channel_factory):
    return channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)


@pytest.fixture
def agent_client(client, served, agent_for):
    agent = agent_for(served.client)
    client.force_login(agent)
    client.agent = agent
    return client


def _item_url(name: str, item: Item) -> str:
    return reverse(name, args=[item.pk])


def test_claim_next_returns_204_when_nothing_waits(agent_client):
    response = agent_client.post(reverse("api_inbox_claim_next"), content_type="application/json")

    assert response.status_code == 204


def test_claim_next_returns_the_item_with_its_lease(agent_client, served, open_item_factory):
    item = open_item_factory(channel=served)

    response = agent_client.post(reverse("api_inbox_claim_next"), content_type="application/json")

    body = response.json()
    assert response.status_code == 200
    assert body["item"]["id"] == item.pk
    assert body["item"]["claimed_by"]["id"] == agent_client.agent.pk
    assert body["lease_expires_at"]
    assert body["loaded_at_event_id"] > 0


def test_foreign_items_are_404_everywhere(agent_client, channel_factory, open_item_factory):
    foreign = open_item_factory(channel=channel_factory())

    assert agent_client.get(_item_url("api_inbox_item", foreign)).status_code == 404
    for name in ("api_inbox_item_claim", "api_inbox_item_heartbeat", "api_inbox_item_release"):
        assert agent_client.post(_item_url(name, foreign)).status_code == 404
    reply = agent_client.post(
        _item_url("api_inbox_item_reply", foreign),
        {"text": "x", "loaded_at_event_id": 0},
        content_type="application/json",
    )
    assert reply.status_code == 404


def test_reply_conflict_is_409_with_what_changed(agent_client, served, open_item_factory, meta_graph_stub):
    item = open_item_factory(channel=served, thread_external_id="p1")
    claimed = agent_client.post(_item_url("api_inbox_item_claim", item)).json()
    newcomer = open_item_factory(
        channel=served, thread_external_id="p1", parent_external_id=item.external_id, text="Noch eine Frage"
    )

    response = agent_client.post(
        _item_url("api_inbox_item_reply", item),
        {"text": "Danke!", "loaded_at_event_id": claimed["loaded_at_event_id"]},
        content_type="application/json",
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "reply_conflict"
    assert [change["item_id"] for change in body["details"]["changes"]] == [newcomer.pk]


@pytest.mark.parametrize("answered", ["the comment", "a reply under it"])
def test_a_reply_to_a_comment_removed_on_the_platform_is_409_with_the_reason(
    agent_client, served, open_item_factory, meta_graph_stub, answered
):
    """Facebook deletes a comment's replies with it (and an answer to a reply goes to that comment)."""
    comment = open_item_factory(channel=served, thread_external_id="post-1")
    reply = open_item_factory(
        channel=served, kind=Item.Kind.REPLY, thread_external_id="post-1", parent_external_id=comment.external_id
    )
    item = comment if answered == "the comment" else reply
    agent_client.post(_item_url("api_inbox_item_claim", item))
    item_mark_removed_on_platform(channel=served, external_id=comment.external_id, reason="removed on Facebook")
    reloaded = agent_client.get(_item_url("api_inbox_item", item)).json()

    response = agent_client.post(
        _item_url("api_inbox_item_reply", item),
        {"text": "Danke!", "loaded_at_event_id": reloaded["conversation_version"]},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 409
    assert response.json() == {
        "code": "item_removed_on_platform",
        "detail": "This comment was removed on the platform: neither a reply nor a moderation can reach it there. "
        "You can still close the item, add a note or tag it.",
        "details": {},
    }
    assert not item.outbound_actions.exists()
    assert meta_graph_stub.requests == []


def test_moderating_a_comment_removed_on_the_platform_is_409_and_taking_its_tag_off_is_400(
    agent_client, served, open_item_factory
):
    item = open_item_factory(channel=served)
    item_mark_removed_on_platform(channel=served, external_id=item.external_id, reason="removed on Facebook")

    hide = agent_client.post(
        _item_url("api_inbox_item_moderate", item), {"action": "hide"}, content_type="application/json"
    )
    untag = agent_client.post(
        _item_url("api_inbox_item_tags", item),
        {"remove": [Item.TAG_REMOVED_ON_PLATFORM]},
        content_type="application/json",
    )

    assert (hide.status_code, hide.json()["code"]) == (409, "item_removed_on_platform")
    assert (untag.status_code, untag.json()["code"]) == (400, "inbox_action_refused")
    item.refresh_from_db()
    assert (item.status, item.tags) == (Item.Status.NEW, [Item.TAG_REMOVED_ON_PLATFORM])


def test_reply_is_accepted_under_the_lease(agent_client, served, open_item_factory, meta_graph_stub):
    item = open_item_factory(channel=served)
    claimed = agent_client.post(_item_url("api_inbox_item_claim", item)).json()

    response = agent_client.post(
        _item_url("api_inbox_item_reply", item),
        {"text": "Danke!", "loaded_at_event_id": claimed["loaded_at_event_id"]},
        content_type="application/json",
    )

    assert response.status_code == 202
    assert response.json()["kind"] == "reply"
    item.refresh_from_db()
    assert item.status == Item.Status.ANSWERED


def test_a_reply_on_a_conversation_version_the_item_does_not_have_is_refused_and_nothing_sent(
    agent_client, served, open_item_factory, meta_graph_stub
):
    # Any number above the real version passed the conflict check: a reply could skip what it never read.
    item = open_item_factory(channel=served)
    claimed = agent_client.post(_item_url("api_inbox_item_claim", item)).json()
    never_loaded = ItemEvent.objects.latest("id").pk + 1

    response = agent_client.post(
        _item_url("api_inbox_item_reply", item),
        {"text": "Danke!", "loaded_at_event_id": never_loaded},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "unknown_conversation_version",
        "detail": "This item's conversation has no such version. Load the item again and reply to what it shows.",
        "details": {"conversation_version": claimed["loaded_at_event_id"]},
    }
    item.refresh_from_db()
    assert (item.status, item.outbound_actions.count()) == (Item.Status.CLAIMED, 0)


def test_claim_held_by_someone_else_is_409(agent_client, served, open_item_factory, agent_for):
    item = open_item_factory(channel=served)
    colleague = agent_for(served.client)
    from inbox.services.claims import item_claim

    item_claim(acting_user=colleague, item_id=item.pk)

    response = agent_client.post(_item_url("api_inbox_item_claim", item))

    assert response.status_code == 409
    assert response.json()["code"] == "item_held_by_other"


def test_take_over_is_for_shift_leads(agent_client, client, served, open_item_factory, user_factory):
    item = open_item_factory(channel=served)
    agent_client.post(_item_url("api_inbox_item_claim", item))
    denied = agent_client.post(
        _item_url("api_inbox_item_take_over", item),
        {"reason": "mine"},
        content_type="application/json",
        headers={"Accept-Language": "de"},
    )
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    client.force_login(lead)

    taken = client.post(_item_url("api_inbox_item_take_over", item), {"reason": "VIP"}, content_type="application/json")

    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")
    assert (
        denied.json()["detail"]
        == "Nur Schichtleitungen und Admins können einen Beitrag übernehmen, den jemand anderes bearbeitet."
    )
    assert taken.status_code == 200
    assert taken.json()["item"]["claimed_by"]["id"] == lead.pk


def test_detail_notes_and_moderation(agent_client, served, open_item_factory, meta_graph_stub):
    item = open_item_factory(channel=served)
    note = agent_client.post(
        _item_url("api_inbox_item_notes", item), {"text": "Stammkunde"}, content_type="application/json"
    )
    hide = agent_client.post(
        _item_url("api_inbox_item_moderate", item),
        {"action": "hide", "reason": "Netiquette 2"},
        content_type="application/json",
    )
    approve = agent_client.post(
        _item_url("api_inbox_item_moderate", item), {"action": "approve"}, content_type="application/json"
    )

    detail = agent_client.get(_item_url("api_inbox_item", item)).json()

    assert (note.status_code, hide.status_code, approve.status_code) == (201, 202, 400)
    assert approve.json()["code"] == "action_not_supported"
    assert detail["item"]["status"] == "hidden"
    assert [entry["text"] for entry in detail["notes"]] == ["Stammkunde"]
    assert [action["kind"] for action in detail["outbound_actions"]] == ["hide"]
    assert {"received", "note_added", "action_queued", "status_changed"} <= {
        event["kind"] for event in detail["events"]
    }


def test_list_pages_through_the_queue_with_a_cursor(agent_client, served, open_item_factory):
    items = [open_item_factory(channel=served, due_in=index) for index in range(7)]
    url = reverse("api_inbox_items")

    first = agent_client.get(url, {"limit": 3}).json()
    second = agent_client.get(url, {"limit": 3, "cursor": first["next_cursor"]}).json()
    third = agent_client.get(url, {"limit": 3, "cursor": second["next_cursor"]}).json()

    seen = [entry["id"] for page in (first, second, third) for entry in page["results"]]
    assert seen == [item.pk for item in items]
    assert third["next_cursor"] is None


def test_the_queue_lists_equal_due_times_by_priority_and_claim_next_takes_the_top_one(
    agent_client, served, open_item_factory
):
    """A morning backlog: everything that came in overnight is due at the same time."""
    due = timezone.now() + timedelta(minutes=59)
    normal, urgent, low, undated_urgent, undated_normal = [
        open_item_factory(channel=served, sla_due_at=sla_due_at, priority=priority)
        for sla_due_at, priority in [(due, 3), (due, 1), (due, 4), (None, 1), (None, 3)]
    ]
    url = reverse("api_inbox_items")

    pages, cursor = [], None
    while True:
        page = agent_client.get(url, {"limit": 2} | ({"cursor": cursor} if cursor else {})).json()
        pages.append([entry["id"] for entry in page["results"]])
        if not (cursor := page["next_cursor"]):
            break
    claimed = agent_client.post(reverse("api_inbox_claim_next"), content_type="application/json").json()

    assert pages == [[urgent.pk, normal.pk], [low.pk, undated_urgent.pk], [undated_normal.pk]]
    assert claimed["item"]["id"] == urgent.pk


def test_a_cursor_from_before_the_queue_sorted_by_priority_is_a_400_that_says_what_to_do(
    agent_client, served, open_item_factory
):
    item = open_item_factory(channel=served)
    old_style = base64.urlsafe_b64encode(f"{item.sla_due_at.isoformat()}|{item.pk}".encode()).decode()

    response = agent_client.get(reverse("api_inbox_items"), {"cursor": old_style})

    assert response.status_code == 400
    assert response.json() == {
        "cursor": [
            "Invalid cursor (altered, of another list, or from before an update): "
            "request the first page again, without a cursor."
        ]
    }


def test_list_filters(agent_client, served, open_item_factory):
    tagged = open_item_factory(channel=served, tags=["rueckruf"], author_tier="A")
    open_item_factory(channel=served)
    url = reverse("api_inbox_items")

    searched = open_item_factory(channel=served, text="Schimmel im Brot")
    by_search = agent_client.get(url, {"q": "schimmel"}).json()["results"]
    by_tag = agent_client.get(url, {"tag": "rueckruf"}).json()["results"]
    by_tier = agent_client.get(url, {"tier": "A"}).json()["results"]
    answered = agent_client.get(url, {"status": "answered"}).json()["results"]
    bad_cursor = agent_client.get(url, {"cursor": "???"})

    assert [entry["id"] for entry in by_search] == [searched.pk]
    assert [entry["id"] for entry in by_tag] == [tagged.pk]
    assert [entry["id"] for entry in by_tier] == [tagged.pk]
    assert answered == []
    assert bad_cursor.status_code == 400


@pytest.mark.parametrize("page_size", [5, 50])
def test_list_query_count_does_not_grow_with_page_size(
    agent_client, served, channel_factory, open_item_factory, django_assert_max_num_queries, page_size
):
    other_channel = channel_factory(client=served.client)
    for index in range(page_size):
        open_item_factory(channel=served if index % 2 else other_channel, due_in=index)

    with django_assert_max_num_queries(8):
        response = agent_client.get(reverse("api_inbox_items"), {"limit": page_size})

    assert len(response.json()["results"]) == page_size


@pytest.fixture
def token_client(served, agent_for):
    """An agent calling the API with a token and no session, as the agents' tools do."""
    agent = agent_for(served.client)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}")
    api.agent = agent
    return api


def test_claim_next_then_reply_take_a_fixed_number_of_queries(
    token_client, served, open_item_factory, django_assert_num_queries, monkeypatch
):
    # Given the cluster runs tasks from the ORM broker (as in production, not inline) and a queue
    monkeypatch.setattr(Conf, "SYNC", False)
    item = open_item_factory(channel=served, thread_external_id="post1")
    open_item_factory(channel=served, thread_external_id="post2", due_in=120)

    # When the agent claims the next item and answers it
    # token, savepoint, the served client ids, the candidates from each client's queue head, lock the
    # first free one (with client, channel, author), claim, CLAIMED event, release, conversation version
    with django_assert_num_queries(9):
        claimed = token_client.post(reverse("api_inbox_claim_next"), format="json").json()
    # token, savepoint, lock the item (with channel), conversation version, action, item, REPLY_QUEUED event,
    # the send task's queue row, release
    with django_assert_num_queries(9):
        reply = token_client.post(
            _item_url("api_inbox_item_reply", item),
            {"text": "Danke!", "loaded_at_event_id": claimed["loaded_at_event_id"]},
            format="json",
        )

    # Then both answers describe what was written, and the send task is queued for the action
    assert claimed["item"]["id"] == item.pk
    assert claimed["item"]["client"]["name"] == served.client.name
    assert claimed["item"]["claimed_by"]["id"] == token_client.agent.pk
    assert claimed["loaded_at_event_id"] == ItemEvent.objects.get(item=item, kind=ItemEvent.Kind.RECEIVED).pk
    action = OutboundAction.objects.get(item=item)
    assert reply.status_code == 202
    assert reply.json()["id"] == action.pk
    assert (reply.json()["status"], reply.json()["requested_by"]["id"]) == ("queued", token_client.agent.pk)
    [queued] = OrmQ.objects.all()
    assert (queued.func(), queued.task["args"]) == ("inbox.tasks.outbound_action_send_task", (action.pk,))


def test_presence_heartbeat_and_end_of_shift(agent_client):
    heartbeat = agent_client.post(reverse("api_inbox_presence_heartbeat"))
    end = agent_client.post(reverse("api_inbox_presence_end_shift"))

    assert heartbeat.json()["is_online"] is True
    assert end.json() == {"released": 0}


def test_after_the_end_of_shift_only_starting_one_brings_the_agent_online(agent_client):
    agent_client.post(reverse("api_inbox_presence_end_shift"))

    heartbeat = agent_client.post(reverse("api_inbox_presence_heartbeat")).json()
    started = agent_client.post(reverse("api_inbox_presence_start_shift")).json()

    assert heartbeat["is_online"] is False and heartbeat["shift_ended_at"]
    assert (started["is_online"], started["shift_ended_at"]) == (True, None)


def test_client_contacts_cannot_use_the_inbox_api(client, served, contact_user_for, open_item_factory):
    client.force_login(contact_user_for(served.client))

    assert client.get(reverse("api_inbox_items")).status_code == 403


def test_the_item_list_offers_only_statuses_an_item_can_have(agent_client, served):
    response = agent_client.get(reverse("api_inbox_items"), {"status": "awaiting_approval"})

    assert response.status_code == 400
    assert Item.OPEN_STATUSES == (Item.Status.NEW, Item.Status.CLAIMED)


def test_a_tag_is_measured_once_after_trimming_and_refused_with_the_services_reason(
    agent_client, served, open_item_factory
):
    item = open_item_factory(channel=served)
    url = _item_url("api_inbox_item_tags", item)
    longest = "x" * Item.TAG_MAX_LENGTH

    accepted = agent_client.post(url, {"add": [f"  {longest}  "]}, content_type="application/json")
    refused = agent_client.post(
        url, {"add": [longest + "y"]}, content_type="application/json", headers={"Accept-Language": "en"}
    )

    assert accepted.status_code == 200
    assert refused.status_code == 400
    assert f"at most {Item.TAG_MAX_LENGTH} characters" in refused.json()["detail"]
    item.refresh_from_db()
    assert item.tags == [longest]


def test_a_tag_past_the_limit_is_refused_with_the_services_reason_and_nothing_changes(
    agent_client, served, open_item_factory
):
    full = [f"tag-{n}" for n in range(Item.TAGS_MAX)]
    item = open_item_factory(channel=served, tags=full)
    url = _item_url("api_inbox_item_tags", item)

    refused = agent_client.post(
        url, {"add": ["rückruf"]}, content_type="application/json", headers={"Accept-Language": "en"}
    )
    removed = agent_client.post(url, {"remove": ["tag-0"]}, content_type="application/json")

    assert refused.status_code == 400
    assert f"at most {Item.TAGS_MAX} tags" in refused.json()["detail"]
    assert removed.status_code == 200
    assert removed.json()["tags"] == full[1:]


def test_a_repeated_moderation_answers_with_the_pending_action(agent_client, served, open_item_factory):
    item = open_item_factory(channel=served)
    url = _item_url("api_inbox_item_moderate", item)

    first, again = (
        agent_client.post(url, {"action": "hide", "reason": "Netiquette 2"}, content_type="application/json")
        for _call in range(2)
    )

    assert (first.status_code, again.status_code) == (202, 202)
    assert first.json() == again.json()
    assert list(OutboundAction.objects.filter(item=item).values_list("pk", flat=True)) == [first.json()["id"]]


def test_a_repeated_note_answers_with_the_note_stored(agent_client, served, open_item_factory):
    item = open_item_factory(channel=served)
    url = _item_url("api_inbox_item_notes", item)

    first, again = (
        agent_client.post(url, {"text": "Stammkunde"}, content_type="application/json") for _call in range(2)
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.NOTE_ADDED).count() == 1
