"""Meta webhooks: handshake, signatures, batches, redelivery, malformed bodies."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from communityops.models import Channel
from inbox.models import IngestChange, Item, ItemEvent, WebhookDelivery
from inbox.services.ingest_formats import meta_changes_split
from inbox.webhooks import meta_signature_for

from .ingest_payloads import (
    facebook_comment_change,
    facebook_post_removal_change,
    instagram_comment_change,
    meta_body,
)


def test_handshake_echoes_the_challenge_for_the_right_token(client, facebook_channel):
    response = client.get(
        reverse("webhook_meta", args=[facebook_channel.pk]),
        {"hub.mode": "subscribe", "hub.verify_token": facebook_channel.verify_token, "hub.challenge": "1158201444"},
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"1158201444"


@pytest.mark.parametrize("mode, token", [("subscribe", "wrong"), ("unsubscribe", None), ("subscribe", "")])
def test_handshake_with_a_wrong_token_or_mode_is_forbidden(client, facebook_channel, mode, token):
    response = client.get(
        reverse("webhook_meta", args=[facebook_channel.pk]),
        {
            "hub.mode": mode,
            "hub.verify_token": facebook_channel.verify_token if token is None else token,
            "hub.challenge": "x",
        },
    )

    assert response.status_code == 403


def test_unknown_or_wrong_platform_channel_is_404(client, channel_factory):
    blog = channel_factory(platform=Channel.Platform.WORDPRESS_BLOG)

    assert client.get(reverse("webhook_meta", args=[blog.pk])).status_code == 404
    assert (
        client.post(reverse("webhook_meta", args=[999_999]), data=b"{}", content_type="application/json").status_code
        == 404
    )


def test_signed_comment_becomes_a_triaged_item(post_meta, facebook_channel, django_capture_on_commit_callbacks):
    body = meta_body(
        facebook_channel,
        changes=[facebook_comment_change(comment_id="post-1_c-1", message="Das Bier ist wirklich großartig!")],
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post_meta(facebook_channel, body)

    assert response.status_code == 200
    item = Item.objects.get(channel=facebook_channel, external_id="post-1_c-1")
    assert item.client == facebook_channel.client
    assert item.author.display_name == "Erika Mustermann"
    assert item.kind == Item.Kind.COMMENT
    assert item.thread_external_id == "page_post-1"
    assert item.sentiment == Item.Sentiment.POSITIVE
    assert item.language == "de"
    assert item.sla_due_at is not None
    assert ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.RECEIVED).exists()
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body
    assert delivery.status == WebhookDelivery.Status.PROCESSED
    assert delivery.changes.get().status == IngestChange.Status.INGESTED


@pytest.mark.parametrize("created_time", [10**20, "0001-01-01T00:00:00+1400", "2026-02-30T10:00:00+0000"])
def test_a_comment_time_beyond_the_calendar_or_without_a_day_is_read_as_its_arrival(
    post_meta, facebook_channel, django_capture_on_commit_callbacks, created_time
):
    # 10**20 and 30 February failed the change ("internal error"); 2 BC in UTC was stored, and
    # psycopg could not read the item back.
    body = meta_body(facebook_channel, changes=[facebook_comment_change(comment_id="c-1", created_time=created_time)])

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, body)

    assert Item.objects.get().platform_created_at == WebhookDelivery.objects.get().received_at


# A header may carry any Latin-1 character: "é" made the comparison raise a TypeError (a 500).
@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "sha1=abc", "sha256=é"])
def test_missing_or_wrong_signature_is_403_and_stores_nothing(post_meta, facebook_channel, signature):
    body = meta_body(facebook_channel, changes=[facebook_comment_change(comment_id="c-1")])

    response = post_meta(facebook_channel, body, signature=signature)

    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()
    assert not Item.objects.exists()


def test_signature_made_with_another_channels_secret_is_rejected(post_meta, facebook_channel, channel_factory):
    other = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    body = meta_body(facebook_channel, changes=[facebook_comment_change(comment_id="c-1")])

    response = post_meta(facebook_channel, body, signature=meta_signature_for(secret=other.app_secret, body=body))

    assert response.status_code == 403
    assert not WebhookDelivery.objects.exists()


def test_an_entry_of_another_page_is_kept_as_failed_not_stored_as_this_clients_item(
    post_meta, facebook_channel, channel_factory, django_capture_on_commit_callbacks
):
    """Channels of one Meta app share its secret: the signature holds, the page does not match."""
    theirs = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE, app_secret=facebook_channel.app_secret)
    body = meta_body(theirs, changes=[facebook_comment_change(comment_id="c-1", message="Für die andere Seite")])

    with django_capture_on_commit_callbacks(execute=True):
        response = post_meta(facebook_channel, body)

    assert response.status_code == 200  # accepted and kept: Meta would otherwise retry for hours
    change = IngestChange.objects.get()
    assert change.status == IngestChange.Status.FAILED
    assert (
        change.error == f"an entry of {theirs.external_id!r} arrived at the channel of {facebook_channel.external_id!r}"
    )
    assert not Item.objects.exists()


def test_batch_of_1000_changes_creates_1000_items(post_meta, facebook_channel, django_capture_on_commit_callbacks):
    changes = [
        facebook_comment_change(
            comment_id=f"post-1_c-{number}",
            author_id=f"fan-{number % 50}",
            message=f"Frage Nummer {number}: wann öffnet ihr?",
        )
        for number in range(1000)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        response = post_meta(facebook_channel, meta_body(facebook_channel, changes=changes))

    assert response.status_code == 200
    assert response.json()["accepted"] == 1000
    assert Item.objects.filter(channel=facebook_channel).count() == 1000
    assert IngestChange.objects.filter(status=IngestChange.Status.INGESTED).count() == 1000


def test_the_request_stores_the_body_alone_and_the_task_splits_it(
    post_meta, facebook_channel, django_capture_on_commit_callbacks
):
    changes = [facebook_comment_change(comment_id=f"c-{number}") for number in range(3)]

    with django_capture_on_commit_callbacks() as callbacks:
        response = post_meta(facebook_channel, meta_body(facebook_channel, changes=changes))

    assert response.status_code == 200
    assert response.json()["accepted"] == 3
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert not delivery.changes.exists()
    assert len(callbacks) == 1

    callbacks[0]()  # the enqueued task (inline in tests)

    assert list(delivery.changes.order_by("position").values_list("position", "status")) == [
        (0, "ingested"),
        (1, "ingested"),
        (2, "ingested"),
    ]
    # A settled change keeps no copy of its payload: the stored body holds it, at its position.
    assert delivery.changes.get(position=2).payload is None
    assert meta_changes_split(bytes(delivery.body))[2]["change"] == changes[2]
    assert Item.objects.filter(channel=facebook_channel).count() == 3


def test_a_body_without_changes_is_processed_at_once(post_meta, facebook_channel, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_meta(facebook_channel, json.dumps({"object": "page", "entry": []}).encode())

    assert response.json()["accepted"] == 0
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.PROCESSED
    assert callbacks == []


def test_redelivery_creates_no_duplicate(post_meta, facebook_channel, django_capture_on_commit_callbacks):
    body = meta_body(
        facebook_channel, changes=[facebook_comment_change(comment_id=f"c-{number}") for number in range(5)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, body)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_meta(facebook_channel, body)

    assert response.status_code == 200
    assert Item.objects.count() == 5
    second = WebhookDelivery.objects.order_by("pk").last()
    assert set(second.changes.values_list("status", flat=True)) == {IngestChange.Status.DUPLICATE}


@pytest.mark.django_db(transaction=True)
def test_concurrent_redelivery_creates_exactly_one_item_per_change(facebook_channel):
    body = meta_body(
        facebook_channel,
        changes=[
            facebook_comment_change(comment_id=f"c-{number}", author_id=f"fan-{number % 3}") for number in range(30)
        ],
    )
    signature = meta_signature_for(secret=facebook_channel.app_secret, body=body)
    url = reverse("webhook_meta", args=[facebook_channel.pk])
    statuses: list[int] = []
    start = threading.Barrier(6)

    def deliver() -> None:
        try:
            start.wait()
            response = HttpClient().post(
                url, data=body, content_type="application/json", headers={"X-Hub-Signature-256": signature}
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * 6
    assert Item.objects.filter(channel=facebook_channel).count() == 30
    assert sorted(Item.objects.values_list("external_id", flat=True)) == sorted(f"c-{number}" for number in range(30))
    assert IngestChange.objects.filter(status=IngestChange.Status.INGESTED).count() == 30
    assert IngestChange.objects.filter(status=IngestChange.Status.DUPLICATE).count() == 150


def test_malformed_json_is_400_and_the_raw_body_is_kept(post_meta, facebook_channel):
    body = b'{"object": "page", "entry": [ {"id": '

    response = post_meta(facebook_channel, body)

    assert response.status_code == 400
    assert "malformed JSON" in response.json()["error"]
    delivery = WebhookDelivery.objects.get()
    assert bytes(delivery.body) == body
    assert delivery.status == WebhookDelivery.Status.PARTIAL
    change = delivery.changes.get()
    assert change.status == IngestChange.Status.FAILED
    assert "malformed JSON" in change.error


@pytest.mark.parametrize("document", [[1, 2], {"object": "user", "entry": []}, {"object": "page", "entry": "x"}])
def test_json_that_is_not_a_meta_shape_is_400(post_meta, facebook_channel, document):
    response = post_meta(facebook_channel, json.dumps(document).encode())

    assert response.status_code == 400
    assert "not a Meta webhook" in response.json()["error"]
    assert not Item.objects.exists()


def test_body_over_the_limit_is_413(post_meta, facebook_channel, settings):
    body = b'{"object": "page", "entry": [], "padding": "' + b"x" * (5 * 1024 * 1024) + b'"}'

    response = post_meta(facebook_channel, body)

    assert response.status_code == 413
    assert not WebhookDelivery.objects.exists()


def test_instagram_comment_and_reply(post_meta, channel_factory, django_capture_on_commit_callbacks):
    channel = channel_factory(platform=Channel.Platform.INSTAGRAM_ACCOUNT)
    reply = instagram_comment_change(comment_id="ig-c-2", text="Same here, not good at all 😡")
    reply["value"]["parent_id"] = "ig-c-1"
    body = meta_body(
        channel,
        obj="instagram",
        changes=[instagram_comment_change(comment_id="ig-c-1", text="Love it 😍"), reply],
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = post_meta(channel, body)

    assert response.status_code == 200
    first, second = Item.objects.order_by("external_id")
    assert (first.kind, first.sentiment, first.author.handle, first.thread_external_id) == (
        "comment",
        "positive",
        "lisa.isar",
        "media-1",
    )
    assert (second.kind, second.parent_external_id, second.sentiment) == ("reply", "ig-c-1", "negative")


def test_page_own_comments_and_non_comment_changes_are_ignored(
    post_meta, facebook_channel, django_capture_on_commit_callbacks
):
    own = facebook_comment_change(
        comment_id="c-own", author_id=facebook_channel.external_id, message="Danke für Ihr Feedback!"
    )
    like = {"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "like"}}

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, meta_body(facebook_channel, changes=[own, like]))

    assert not Item.objects.exists()
    assert set(IngestChange.objects.values_list("status", flat=True)) == {IngestChange.Status.IGNORED}


def test_edit_updates_the_text_and_remove_tags_the_item(
    post_meta, facebook_channel, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(
            facebook_channel,
            meta_body(facebook_channel, changes=[facebook_comment_change(comment_id="c-1", message="Super Service!")]),
        )
    edited = facebook_comment_change(
        comment_id="c-1", message="Nachtrag: leider doch nicht gut, Lieferung kaputt.", verb="edited"
    )

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, meta_body(facebook_channel, changes=[edited]))
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(
            facebook_channel,
            meta_body(facebook_channel, changes=[facebook_comment_change(comment_id="c-1", verb="remove")]),
        )

    item = Item.objects.get()
    assert item.text.startswith("Nachtrag")
    assert item.sentiment == Item.Sentiment.NEGATIVE
    assert "removed-on-platform" in item.tags
    edited = ItemEvent.objects.get(item=item, kind=ItemEvent.Kind.EDITED)
    assert edited.data["previous_text"] == "Super Service!"


@pytest.mark.parametrize(
    ("kind_of_post", "takes_the_comments"),
    # Not a photo or video: one of several in a post may be removed under the post's id.
    [("status", True), ("post", True), ("photo", False), ("video", False)],
)
def test_a_removed_post_marks_its_comments_removed_and_is_noted_like_a_removed_comment(
    post_meta, facebook_channel, open_item_factory, django_capture_on_commit_callbacks, kind_of_post, takes_the_comments
):
    comment = open_item_factory(channel=facebook_channel, thread_external_id="page_post-1", external_id="c-1")
    removal = facebook_post_removal_change(post_id="page_post-1", item=kind_of_post)

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, meta_body(facebook_channel, changes=[removal]))

    comment.refresh_from_db()
    assert comment.removed_on_platform == takes_the_comments
    assert IngestChange.objects.get().status == IngestChange.Status.IGNORED
    if takes_the_comments:
        assert IngestChange.objects.get().error == "post removed on Facebook"


def test_a_post_removal_without_its_post_id_fails_with_the_reason(
    post_meta, facebook_channel, django_capture_on_commit_callbacks
):
    removal = {"field": "feed", "value": {"item": "status", "verb": "remove"}}

    with django_capture_on_commit_callbacks(execute=True):
        post_meta(facebook_channel, meta_body(facebook_channel, changes=[removal]))

    assert list(IngestChange.objects.values_list("status", "error")) == [
        (IngestChange.Status.FAILED, "post_id is missing")
    ]
