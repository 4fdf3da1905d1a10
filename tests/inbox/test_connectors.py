import base64
import hashlib
import hmac
import json

import pytest

from communityops.models import Channel
from inbox.connectors import ConnectorError, connector_for_channel
from inbox.models import Item, ItemEvent, OutboundAction
from inbox.services.outbox import outbound_action_send
from inbox.stubs import StubResponse, StubServer


def _action(item: Item, kind: str, text: str = "") -> OutboundAction:
    return OutboundAction.objects.create(item=item, kind=kind, text=text)


def _send(item: Item, kind: str, text: str = "") -> str:
    return connector_for_channel(item.channel).send(action=_action(item, kind, text))


@pytest.fixture
def facebook_item(channel_factory, open_item_factory):
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE, access_token="fb-token")
    return open_item_factory(channel=channel, external_id="111_222", thread_external_id="111")


@pytest.fixture
def instagram_item(channel_factory, open_item_factory):
    channel = channel_factory(platform=Channel.Platform.INSTAGRAM_ACCOUNT, access_token="ig-token")
    return open_item_factory(channel=channel, external_id="17890000000000001", thread_external_id="1789media")


def test_facebook_reply_posts_to_the_comment_edge(facebook_item, meta_graph_stub):
    external_id = _send(facebook_item, OutboundAction.Kind.REPLY, "Hallo!")

    [request] = meta_graph_stub.requests
    assert (request.method, request.path) == ("POST", "/v21.0/111_222/comments")
    assert request.form == {"message": "Hallo!", "access_token": "fb-token"}
    assert external_id == "111_222_1"


def test_facebook_answer_to_a_reply_goes_under_the_top_level_comment(facebook_item, meta_graph_stub):
    facebook_item.kind, facebook_item.parent_external_id = Item.Kind.REPLY, "111_100"

    _send(facebook_item, OutboundAction.Kind.REPLY, "Hallo!")

    assert meta_graph_stub.requests[0].path == "/v21.0/111_100/comments"


def test_facebook_hide_unhide_spam_and_delete(facebook_item, meta_graph_stub):
    _send(facebook_item, OutboundAction.Kind.HIDE)
    _send(facebook_item, OutboundAction.Kind.UNHIDE)
    _send(facebook_item, OutboundAction.Kind.SPAM)
    _send(facebook_item, OutboundAction.Kind.DELETE)

    hide, unhide, spam, delete = meta_graph_stub.requests
    assert (hide.method, hide.path, hide.form["is_hidden"]) == ("POST", "/v21.0/111_222", "true")
    assert unhide.form["is_hidden"] == "false"
    assert spam.form["is_hidden"] == "true"
    assert (delete.method, delete.path, delete.query) == ("DELETE", "/v21.0/111_222", {"access_token": "fb-token"})
    assert meta_graph_stub.app.deleted == {"111_222"}


def test_instagram_replies_and_hides_with_its_own_shapes(instagram_item, meta_graph_stub):
    _send(instagram_item, OutboundAction.Kind.REPLY, "Danke dir!")
    _send(instagram_item, OutboundAction.Kind.HIDE)

    reply, hide = meta_graph_stub.requests
    assert reply.path == "/v21.0/17890000000000001/replies"
    assert reply.form == {"message": "Danke dir!", "access_token": "ig-token"}
    assert (hide.path, hide.form["hide"]) == ("/v21.0/17890000000000001", "true")


def test_meta_cannot_approve_or_trash(facebook_item):
    connector = connector_for_channel(facebook_item.channel)

    assert not connector.supports(OutboundAction.Kind.APPROVE)
    with pytest.raises(ConnectorError) as refused:
        connector.send(action=_action(facebook_item, OutboundAction.Kind.TRASH))
    assert refused.value.retryable is False


def test_graph_errors_carry_the_platform_message_and_retryability(facebook_item, meta_graph_stub):
    meta_graph_stub.fail_next(1, status=400, body={"error": {"message": "(#200) Permissions error", "code": 200}})
    with pytest.raises(ConnectorError) as client_error:
        _send(facebook_item, OutboundAction.Kind.HIDE)
    meta_graph_stub.fail_next(1, status=500)
    with pytest.raises(ConnectorError) as server_error:
        _send(facebook_item, OutboundAction.Kind.HIDE)

    assert "(#200) Permissions error (code 200)" in client_error.value.message
    assert client_error.value.retryable is False
    assert server_error.value.retryable is True


def test_an_unreachable_platform_is_a_retryable_error(facebook_item, settings):
    with StubServer([]) as gone:
        settings.META_GRAPH_API_BASE_URL = gone.url
    with pytest.raises(ConnectorError) as refused:
        _send(facebook_item, OutboundAction.Kind.HIDE)

    assert refused.value.retryable is True


@pytest.fixture
def blog_item(wordpress_channel, open_item_factory, wordpress_stub):
    comment = wordpress_stub.site.comment_add(post=42, content="Wann ist das Bier wieder da?", status="hold")
    return open_item_factory(
        channel=wordpress_channel(),
        kind=Item.Kind.BLOG_COMMENT,
        external_id=str(comment["id"]),
        thread_external_id="42",
    )


def test_wordpress_reply_is_a_child_comment_with_basic_auth(blog_item, wordpress_stub):
    external_id = _send(blog_item, OutboundAction.Kind.REPLY, "Ab Montag wieder!")

    [request] = wordpress_stub.requests
    assert (request.method, request.path) == ("POST", "/wp-json/wp/v2/comments")
    assert request.json == {"post": 42, "parent": int(blog_item.external_id), "content": "Ab Montag wieder!"}
    expected = base64.b64encode(b"communityops:app pass word").decode()
    assert request.header("Authorization") == f"Basic {expected}"
    assert wordpress_stub.site.comments[int(external_id)]["parent"] == int(blog_item.external_id)


@pytest.mark.parametrize(
    ("kind", "wp_status"),
    [("approve", "approved"), ("spam", "spam"), ("trash", "trash"), ("hide", "hold"), ("unhide", "approved")],
)
def test_wordpress_moderation_sets_the_comment_status(blog_item, wordpress_stub, kind, wp_status):
    _send(blog_item, kind)

    [request] = wordpress_stub.requests
    assert (request.method, request.path) == ("POST", f"/wp-json/wp/v2/comments/{blog_item.external_id}")
    assert request.json == {"status": wp_status}
    assert wordpress_stub.site.comments[int(blog_item.external_id)]["status"] == wp_status


@pytest.mark.parametrize(
    ("kind", "external_id", "thread_external_id", "reason"),
    [
        ("hide", "demo-blog-1850", "42", "'demo-blog-1850' is not a WordPress comment id"),
        ("delete", "demo-blog-1850", "42", "'demo-blog-1850' is not a WordPress comment id"),
        ("reply", "1850", "demo-blog-post-1", "'demo-blog-post-1' is not a WordPress post id"),
    ],
)
def test_wordpress_refuses_a_non_numeric_id_at_once_and_for_good(
    wordpress_channel, open_item_factory, wordpress_stub, kind, external_id, thread_external_id, reason
):
    item = open_item_factory(
        channel=wordpress_channel(),
        kind=Item.Kind.BLOG_COMMENT,
        external_id=external_id,
        thread_external_id=thread_external_id,
    )
    action = _action(item, kind, "Danke!" if kind == "reply" else "")

    sent = outbound_action_send(action_id=action.pk)

    assert (sent.status, sent.attempts, sent.next_attempt_at) == (OutboundAction.Status.FAILED, 1, None)
    assert reason in sent.last_error
    assert sent.failure == OutboundAction.Failure.NOT_POSSIBLE
    assert item.events.get(kind=ItemEvent.Kind.SEND_FAILED).data["will_retry"] is False
    assert wordpress_stub.requests == []


def test_wordpress_with_a_wrong_password_is_a_permanent_error(blog_item, wordpress_stub):
    blog_item.channel.api_password = "wrong"

    with pytest.raises(ConnectorError) as refused:
        _send(blog_item, OutboundAction.Kind.APPROVE)

    assert refused.value.retryable is False
    assert "You are not currently logged in. (rest_not_logged_in)" in refused.value.message


class _ReceiverApp:
    def handle(self, request):
        return StubResponse(200, {"id": "ext-99"})


def test_generic_channel_posts_a_signed_json_action_to_its_reply_url(channel_factory, open_item_factory):
    with StubServer([_ReceiverApp()]) as receiver:
        channel = channel_factory(
            platform=Channel.Platform.GENERIC, api_base_url=f"{receiver.url}/hook", app_secret="s3"
        )
        item = open_item_factory(channel=channel, external_id="review-5")
        action = _action(item, OutboundAction.Kind.REPLY, "Danke für 5 Sterne!")

        external_id = connector_for_channel(channel).send(action=action)

    [request] = receiver.requests
    timestamp = request.header("X-CommunityOps-Timestamp")
    expected = hmac.new(b"s3", timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.header("X-CommunityOps-Signature") == f"sha256={expected}"
    assert request.header("Idempotency-Key") == str(action.idempotency_key)
    body = json.loads(request.body)
    assert (body["action"], body["item_external_id"], body["text"]) == ("reply", "review-5", "Danke für 5 Sterne!")
    assert external_id == "ext-99"


def test_generic_channel_without_a_reply_url_supports_nothing(channel_factory):
    channel = channel_factory(platform=Channel.Platform.GENERIC, api_base_url="")

    assert not connector_for_channel(channel).supports(OutboundAction.Kind.REPLY)
