"""A reply longer than the channel's platform takes is refused before it is queued, with the limit."""

import pytest
from django.urls import reverse
from django.utils import translation

from communityops.models import Channel
from inbox.connectors import REPLY_MAX_LENGTH
from inbox.models import Item, ItemEvent, OutboundAction
from inbox.selectors import item_conversation_version
from inbox.services.claims import item_claim
from inbox.services.errors import ReplyTooLong
from inbox.services.outbox import item_reply
from tests.communityops.test_api_contract import assert_documented, openapi  # noqa: F401, F811 (a fixture)

INSTAGRAM_LIMIT = 2200  # inbox.connectors.meta.InstagramConnector: the longest comment Instagram takes


@pytest.fixture
def claimed_on(channel_factory, open_item_factory, agent_for):
    """An item claimed by an agent on a channel of the given platform; returns (item, agent)."""

    def make(platform: str) -> tuple[Item, object]:
        channel = channel_factory(platform=platform, access_token="token", api_base_url="https://example.test/")
        item = open_item_factory(channel=channel, thread_external_id="post1")
        agent = agent_for(channel.client)
        item_claim(acting_user=agent, item_id=item.pk)
        return item, agent

    return make


@pytest.mark.parametrize(
    ("platform", "limit"),
    [
        (Channel.Platform.INSTAGRAM_ACCOUNT, INSTAGRAM_LIMIT),
        (Channel.Platform.FACEBOOK_PAGE, REPLY_MAX_LENGTH),
        (Channel.Platform.WORDPRESS_BLOG, REPLY_MAX_LENGTH),
        (Channel.Platform.GENERIC, REPLY_MAX_LENGTH),
    ],
)
def test_a_reply_at_the_platforms_limit_is_accepted(claimed_on, platform, limit):
    item, agent = claimed_on(platform)

    action = item_reply(
        acting_user=agent, item_id=item.pk, text="ä" * limit, loaded_at_event_id=item_conversation_version(item=item)
    )

    assert len(action.text) == limit


def test_a_line_break_counts_once_however_it_is_sent(claimed_on):
    item, agent = claimed_on(Channel.Platform.INSTAGRAM_ACCOUNT)
    lines = ["x" * 99] * (INSTAGRAM_LIMIT // 100)  # 22 lines of 99 and 21 breaks between: 2,199 characters

    action = item_reply(
        acting_user=agent,
        item_id=item.pk,
        text="\r\n".join(lines),  # as a form sends it; the API sends "\n"
        loaded_at_event_id=item_conversation_version(item=item),
    )

    assert action.pk


@pytest.mark.parametrize(
    ("platform", "limit", "name"),
    [
        (Channel.Platform.INSTAGRAM_ACCOUNT, INSTAGRAM_LIMIT, "Instagram account"),
        (Channel.Platform.FACEBOOK_PAGE, REPLY_MAX_LENGTH, "Facebook page"),
    ],
)
def test_a_reply_one_character_over_the_limit_is_refused_and_nothing_is_written(claimed_on, platform, limit, name):
    item, agent = claimed_on(platform)
    events_before = ItemEvent.objects.count()

    with translation.override("en"), pytest.raises(ReplyTooLong) as refused:
        item_reply(
            acting_user=agent,
            item_id=item.pk,
            text="  " + "😀" * (limit + 1) + "\n",  # surrounding whitespace is not sent, so it does not count
            loaded_at_event_id=item_conversation_version(item=item),
        )

    assert refused.value.code == "reply_too_long"
    assert refused.value.details == {"length": limit + 1, "limit": limit, "over": 1}
    assert str(refused.value.message) == (
        f"This reply has {limit + 1} characters, 1 more than the {limit} a reply may have here ({name}). Shorten it."
    )
    item.refresh_from_db()
    assert (item.status, item.claimed_by) == (Item.Status.CLAIMED, agent)
    assert not OutboundAction.objects.exists()
    assert ItemEvent.objects.count() == events_before


def test_the_api_refuses_a_reply_over_the_limit_with_400_its_code_and_reason(client, claimed_on, openapi):  # noqa: F811
    item, agent = claimed_on(Channel.Platform.INSTAGRAM_ACCOUNT)
    client.force_login(agent)

    response = client.post(
        reverse("api_inbox_item_reply", args=[item.pk]),
        {"text": "x" * (INSTAGRAM_LIMIT + 5), "loaded_at_event_id": item_conversation_version(item=item)},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "reply_too_long",
        "detail": "This reply has 2205 characters, 5 more than the 2200 a reply may have here (Instagram account). "
        "Shorten it.",
        "details": {"length": 2205, "limit": 2200, "over": 5},
    }
    assert_documented(openapi, "inbox_items_reply", response)
    assert "reply_too_long" in openapi["paths"]["/api/inbox/items/{item_id}/reply/"]["post"]["description"]
    assert not OutboundAction.objects.exists()


def test_the_api_tells_an_items_reply_limit(client, claimed_on, openapi):  # noqa: F811
    item, agent = claimed_on(Channel.Platform.INSTAGRAM_ACCOUNT)
    client.force_login(agent)

    response = client.get(reverse("api_inbox_item", args=[item.pk]))

    assert response.json()["reply_max_length"] == INSTAGRAM_LIMIT
    assert_documented(openapi, "inbox_items_retrieve", response)


def test_the_composer_keeps_a_reply_over_the_limit_and_says_why(client, claimed_on):
    item, agent = claimed_on(Channel.Platform.INSTAGRAM_ACCOUNT)
    client.force_login(agent)
    draft = "Ein langer Entwurf " + "x" * INSTAGRAM_LIMIT

    response = client.post(
        reverse("inbox:reply", args=[item.pk]),
        {"text": draft, "conversation_version": item_conversation_version(item=item)},
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "2219 characters, 19 more than the 2200 a reply may have here (Instagram account)" in body
    assert draft in body
    assert 'data-max-chars="2200"' in body
    assert not OutboundAction.objects.exists()
