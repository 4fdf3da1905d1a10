from datetime import UTC, datetime, timedelta

import pytest

from inbox.connectors.wordpress import PENDING_MODERATION_TAG
from inbox.models import IngestChange, Item, ItemEvent, WebhookDelivery, WordPressPollState
from inbox.services.wordpress_polling import wordpress_channel_poll, wordpress_channels_poll


@pytest.fixture
def blog(wordpress_channel):
    return wordpress_channel()


def test_polling_ingests_held_and_approved_comments_once(blog, wordpress_stub):
    site = wordpress_stub.site
    held = site.comment_add(post=7, content="Ist das vegan?", author_name="Mia", author_email="mia@example.org")
    approved = site.comment_add(post=7, content="Super Rezept!", status="approved", parent=held["id"])

    first = wordpress_channel_poll(channel=blog)
    second = wordpress_channel_poll(channel=blog)

    assert (first, second) == (2, 0)
    items = {item.external_id: item for item in Item.objects.filter(channel=blog)}
    held_item, approved_item = items[str(held["id"])], items[str(approved["id"])]
    assert held_item.kind == Item.Kind.BLOG_COMMENT
    assert held_item.tags == [PENDING_MODERATION_TAG]
    assert (held_item.thread_external_id, held_item.text) == ("7", "Ist das vegan?")
    assert held_item.author.external_id.startswith("guest:") and "mia" not in held_item.author.external_id
    assert approved_item.tags == []
    assert approved_item.parent_external_id == str(held["id"])
    polls = [request for request in wordpress_stub.requests if request.method == "GET"]
    assert {request.query["status"] for request in polls} == {"hold", "approve"}
    assert all(request.query["context"] == "edit" and request.query["per_page"] == "100" for request in polls)
    assert WebhookDelivery.objects.filter(channel=blog, source=WebhookDelivery.Source.WORDPRESS_POLL).count() == 1


def test_polling_follows_the_pages(blog, wordpress_stub):
    start = datetime(2026, 1, 10, 20, 0, tzinfo=UTC)
    for index in range(130):
        wordpress_stub.site.comment_add(post=1, content=f"Kommentar {index}", date=start + timedelta(minutes=index))

    created = wordpress_channel_poll(channel=blog)

    assert created == 130
    pages = [request.query["page"] for request in wordpress_stub.requests if request.query.get("status") == "hold"]
    assert pages == ["1", "2"]


def test_a_comment_approved_on_the_blog_loses_its_pending_tag(blog, wordpress_stub):
    comment = wordpress_stub.site.comment_add(post=3, content="Bitte freischalten")
    wordpress_channel_poll(channel=blog)
    wordpress_stub.site.comments[comment["id"]]["status"] = "approved"

    wordpress_channel_poll(channel=blog)

    item = Item.objects.get(channel=blog, external_id=str(comment["id"]))
    assert item.tags == []
    assert item.events.filter(kind=ItemEvent.Kind.TAGGED).exists()


def test_a_comment_that_cannot_be_normalized_is_kept_with_its_error(blog, wordpress_stub):
    broken = wordpress_stub.site.comment_add(post=3, content="")

    wordpress_channel_poll(channel=blog)

    change = IngestChange.objects.get(delivery__channel=blog)
    assert change.status == IngestChange.Status.FAILED
    assert str(broken["id"]) in change.error
    assert change.delivery.status == WebhookDelivery.Status.PARTIAL


def test_a_failing_blog_records_the_error_and_does_not_stop_the_others(blog, wordpress_channel, wordpress_stub):
    broken = wordpress_channel(api_base_url="http://127.0.0.1:9/")
    wordpress_stub.site.comment_add(post=3, content="Hallo")

    created = wordpress_channels_poll()

    assert created == 1
    assert "Network error" in WordPressPollState.objects.get(channel=broken).last_error
    assert WordPressPollState.objects.get(channel=blog).last_error == ""
