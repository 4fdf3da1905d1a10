"""The conversation an agent answers into: what the composer shows and the reply's compare-and-set
watches. A comment's conversation is its top-level comment with every reply under it, not the
whole post (a shitstorm post's thousands of other comments); a direct message's is the chat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communityops.models import Channel
from inbox import selectors
from inbox.models import Item, OutboundAction
from inbox.selectors import (
    _CONVERSATION_SQL,
    CONVERSATION_SHOWN,
    item_conversation_for_composer,
    item_conversation_queryset,
    item_conversation_version,
)
from inbox.services.claims import item_claim
from inbox.services.errors import ReplyConflict
from inbox.services.outbox import item_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(channel_factory, open_item_factory):
    """A post's comments, nested three levels deep as WordPress nests them (on a page channel): two
    top-level comments and replies; returns a factory for more and the items by name."""
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)

    def comment(name: str, parent: str = "", **fields) -> Item:
        return open_item_factory(
            channel=channel, thread_external_id="post-1", external_id=name, parent_external_id=parent, **fields
        )

    items = {
        "first": comment("first"),
        "reply": comment("reply", "first"),
        "reply-to-reply": comment("reply-to-reply", "reply"),
        "deepest": comment("deepest", "reply-to-reply"),
        "second": comment("second"),
        "second-reply": comment("second-reply", "second"),
    }
    return comment, items


def _names(queryset) -> set[str]:
    return set(queryset.values_list("external_id", flat=True))


def test_a_comment_s_conversation_is_its_top_level_comment_and_every_reply_under_it(post):
    _comment, items = post
    first_conversation = {"first", "reply", "reply-to-reply", "deepest"}

    for name in first_conversation:
        assert _names(item_conversation_queryset(item=items[name])) == first_conversation
    assert _names(item_conversation_queryset(item=items["second-reply"])) == {"second", "second-reply"}


def test_a_direct_message_s_conversation_is_the_whole_chat(channel_factory, open_item_factory):
    channel = channel_factory()
    messages = [
        open_item_factory(channel=channel, kind=Item.Kind.DM, thread_external_id="chat-1", external_id=f"m{n}")
        for n in range(3)
    ]
    open_item_factory(channel=channel, kind=Item.Kind.DM, thread_external_id="chat-2", external_id="other")

    assert _names(item_conversation_queryset(item=messages[1])) == {"m0", "m1", "m2"}


def test_a_cycle_of_parent_ids_ends_without_walking_it_again(channel_factory, open_item_factory):
    """A generic source may send any parent ids; two items naming each other must neither loop nor
    make the query walk their replies once per lap."""
    channel = channel_factory()
    a = open_item_factory(channel=channel, thread_external_id="t", external_id="a", parent_external_id="b")
    open_item_factory(channel=channel, thread_external_id="t", external_id="b", parent_external_id="a")
    for number in range(10):
        open_item_factory(channel=channel, thread_external_id="t", external_id=f"r{number}", parent_external_id="a")

    conversation = item_conversation_queryset(item=a)

    assert _names(conversation) == {"a", "b", *(f"r{number}" for number in range(10))}
    with connection.cursor() as cursor:  # the recursive query's own rows, before IN removes repeats
        cursor.execute(
            f"SELECT count(*) FROM ({_CONVERSATION_SQL}) AS walked",  # noqa: S608 - our constant SQL
            (a.pk, a.channel_id, "t", "t", a.channel_id, "t"),
        )
        assert cursor.fetchone()[0] == 12


def test_the_conversation_stays_within_the_post_and_the_client(channel_factory, open_item_factory):
    """A parent id naming an item under another post does not pull the item out of its own
    conversation, and a top-level comment that names the post as its parent is still top-level."""
    channel = channel_factory()
    open_item_factory(channel=channel, thread_external_id="other-post", external_id="elsewhere")
    item = open_item_factory(channel=channel, thread_external_id="p", external_id="c1", parent_external_id="elsewhere")
    sibling = open_item_factory(channel=channel, thread_external_id="p", external_id="c2", parent_external_id="p")
    reply = open_item_factory(channel=channel, thread_external_id="p", external_id="c2-r", parent_external_id="c2")

    assert _names(item_conversation_queryset(item=item)) == {"c1"}
    assert _names(item_conversation_queryset(item=reply)) == {"c2", "c2-r"}
    assert (sibling.is_reply, reply.is_reply) == (False, True)
    assert item_conversation_for_composer(item=item).elsewhere_under_post == 2


def test_a_new_comment_elsewhere_under_the_post_does_not_refuse_the_reply(
    post, agent_for, meta_graph_stub, django_capture_on_commit_callbacks
):
    comment, items = post
    item = items["reply"]
    agent = agent_for(item.client)
    item_claim(acting_user=agent, item_id=item.pk)
    loaded = item_conversation_version(item=item)
    comment("third")  # a shitstorm goes on under the post
    comment("second-reply-2", "second")

    with django_capture_on_commit_callbacks(execute=True):
        action = item_reply(acting_user=agent, item_id=item.pk, text="Danke!", loaded_at_event_id=loaded)

    action.refresh_from_db()
    assert action.status == OutboundAction.Status.SENT


def test_a_colleague_s_answer_higher_up_the_conversation_refuses_the_reply(
    post, agent_for, meta_graph_stub, django_capture_on_commit_callbacks
):
    _comment, items = post
    agent = agent_for(items["first"].client)
    colleague = agent_for(items["first"].client)
    item_claim(acting_user=agent, item_id=items["deepest"].pk)
    loaded = item_conversation_version(item=items["deepest"])
    item_claim(acting_user=colleague, item_id=items["first"].pk)
    with django_capture_on_commit_callbacks(execute=True):
        item_reply(
            acting_user=colleague,
            item_id=items["first"].pk,
            text="Wir kümmern uns.",
            loaded_at_event_id=item_conversation_version(item=items["first"]),
        )

    with pytest.raises(ReplyConflict) as conflict:
        item_reply(acting_user=agent, item_id=items["deepest"].pk, text="Danke!", loaded_at_event_id=loaded)

    assert [change["kind"] for change in conflict.value.details["changes"]] == ["reply_queued"]
    assert conflict.value.details["changes"][0]["item_id"] == items["first"].pk


def test_the_composer_shows_the_first_message_the_item_and_the_newest_of_a_long_conversation(post):
    comment, items = post
    replies = [comment(f"r{n}", "second") for n in range(CONVERSATION_SHOWN + 10)]
    item = replies[3]

    conversation = item_conversation_for_composer(item=item)

    # "second", "second-reply", r0 ... r59: the first, the item (r3) and the newest 50 (r10 ... r59).
    expected = [(0, "second"), (4, "r3"), (6, "r10"), *((0, f"r{n}") for n in range(11, CONVERSATION_SHOWN + 10))]
    assert [(left_out, message.external_id) for left_out, message in conversation.shown] == expected
    assert conversation.not_shown == 10
    assert conversation.elsewhere_under_post == 4  # "first" and its three replies


def test_the_composer_s_queries_do_not_grow_with_the_post(client, post, agent_for):
    comment, items = post
    agent = agent_for(items["first"].client)
    client.force_login(agent)
    url = reverse("inbox:item", args=[items["reply"].pk])
    client.get(url, headers={"HX-Request": "true", "Accept-Language": "en"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, headers={"HX-Request": "true", "Accept-Language": "en"})
    for number in range(30):
        comment(f"more-{number}")
        comment(f"more-{number}-reply", "reply")

    with CaptureQueriesContext(connection) as many:
        page = client.get(url, headers={"HX-Request": "true", "Accept-Language": "en"}).content.decode()

    assert len(many) == len(few)
    # "second", its reply and the 30 new top-level comments; the 30 new replies joined the conversation.
    assert "32 more comments under this post belong to other conversations" in page


def test_a_viral_post_s_other_comments_are_counted_up_to_a_limit(client, post, agent_for, monkeypatch):
    # Counting every comment of a post with tens of thousands read them all each time an agent
    # opened one of them; the composer counts up to ELSEWHERE_COUNTED and says "more than".
    monkeypatch.setattr(selectors, "ELSEWHERE_COUNTED", 3)
    comment, items = post
    client.force_login(agent_for(items["first"].client))
    url = reverse("inbox:item", args=[items["reply"].pk])
    assert item_conversation_for_composer(item=items["reply"]).elsewhere_under_post == 2  # "second" and its reply

    comment("more-1")
    comment("more-2")
    conversation = item_conversation_for_composer(item=items["reply"])
    page = client.get(url, headers={"HX-Request": "true", "Accept-Language": "en"}).content.decode()

    assert (conversation.elsewhere_under_post, conversation.more_elsewhere) == (3, True)
    assert "More than 3 comments under this post belong to other conversations." in page


def test_the_claim_status_poll_reads_the_item_alone(client, post, agent_for):
    _comment, items = post
    agent = agent_for(items["first"].client)
    client.force_login(agent)

    with CaptureQueriesContext(connection) as queries:
        fragment = client.get(reverse("inbox:claim_status", args=[items["reply"].pk])).content.decode()

    assert 'data-claim-state="free"' in fragment
    assert not any("RECURSIVE" in query["sql"] or "inbox_itemevent" in query["sql"] for query in queries)


def test_a_new_message_in_the_chat_refuses_a_reply_to_a_direct_message(
    channel_factory, open_item_factory, agent_for, meta_graph_stub
):
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    message = open_item_factory(channel=channel, kind=Item.Kind.DM, thread_external_id="chat-1")
    agent = agent_for(channel.client)
    item_claim(acting_user=agent, item_id=message.pk)
    loaded = item_conversation_version(item=message)
    open_item_factory(channel=channel, kind=Item.Kind.DM, thread_external_id="chat-2")
    assert item_conversation_version(item=message) == loaded  # another chat is another conversation
    follow_up = open_item_factory(channel=channel, kind=Item.Kind.DM, thread_external_id="chat-1")

    with pytest.raises(ReplyConflict) as conflict:
        item_reply(acting_user=agent, item_id=message.pk, text="Hallo!", loaded_at_event_id=loaded)

    assert [change["item_id"] for change in conflict.value.details["changes"]] == [follow_up.pk]
    assert conflict.value.details["conversation_version"] > loaded


def test_the_item_api_returns_the_conversation_and_the_version_the_claim_gave(
    client, post, agent_for, django_assert_max_num_queries
):
    comment, items = post
    for number in range(20):
        comment(f"late-{number}", "reply")
    agent = agent_for(items["first"].client)
    client.force_login(agent)
    claimed = client.post(reverse("api_inbox_item_claim", args=[items["deepest"].pk])).json()

    with django_assert_max_num_queries(20):
        body = client.get(reverse("api_inbox_item", args=[items["deepest"].pk])).json()

    assert [message["external_id"] for message in body["conversation"]][:4] == [
        "first",
        "reply",
        "reply-to-reply",
        "deepest",
    ]
    assert len(body["conversation"]) == 24
    assert body["conversation"][1]["parent_external_id"] == "first"
    assert (body["conversation_not_shown"], body["elsewhere_under_post"]) == (0, 2)
    assert body["conversation_version"] == claimed["loaded_at_event_id"]
