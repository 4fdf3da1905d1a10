"""Authors whose ids a source chooses (generic webhooks, file imports, WordPress blogs) belong to that
channel: another client's source naming the same id reaches none of them. Meta assigns its users' ids
itself, so a Facebook or Instagram author is one row for every client."""

import json
import time

import pytest
from django.test import TestCase
from django.urls import reverse

from communityops.models import Channel
from inbox.models import Author, AuthorTier, Item
from inbox.services.wordpress_polling import wordpress_channel_poll
from inbox.stubs import WordPressStub
from inbox.webhooks import generic_signature_for, meta_signature_for
from tests.inbox.ingest_payloads import facebook_comment_change, generic_event, meta_body


@pytest.fixture
def post_generic(client):
    def post(channel: Channel, payload: dict):
        body = json.dumps(payload).encode()
        stamp = str(int(time.time()))
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post(
                reverse("webhook_generic", args=[channel.pk]),
                data=body,
                content_type="application/json",
                headers={
                    "X-CO-Timestamp": stamp,
                    "X-CO-Signature": generic_signature_for(secret=channel.app_secret, timestamp=stamp, body=body),
                },
            )
        assert response.status_code == 200, response.content
        return response

    return post


def _review(event_id: str, *, author: dict) -> dict:
    return generic_event(event_id, author=author)


def test_a_generic_webhook_cannot_rename_or_promote_another_clients_author(channel_factory, post_generic):
    own = channel_factory(platform=Channel.Platform.GENERIC)
    foreign = channel_factory(platform=Channel.Platform.GENERIC)
    post_generic(own, _review("b-1", author={"external_id": "reviewer-1", "name": "Max", "follower_count": 12}))
    own_item = Item.objects.select_related("author").get(channel=own)
    assert own_item.author_tier == AuthorTier.C

    post_generic(
        foreign,
        _review("a-1", author={"external_id": "reviewer-1", "name": "Renamed By A", "follower_count": 5_000_000}),
    )
    post_generic(own, _review("b-2", author={"external_id": "reviewer-1"}))

    own_author = Author.objects.get(pk=own_item.author_id)
    assert (own_author.display_name, own_author.follower_count) == ("Max", 12)
    assert Item.objects.get(channel=own, external_id="review-b-2").author_tier == AuthorTier.C
    assert Item.objects.get(channel=own, external_id="review-b-2").author_id == own_author.pk
    foreign_item = Item.objects.select_related("author").get(channel=foreign)
    assert foreign_item.author_id != own_author.pk
    assert (foreign_item.author.display_name, foreign_item.author.external_id) == ("Renamed By A", "reviewer-1")
    assert foreign_item.author_tier == AuthorTier.B


def test_a_generic_author_is_one_per_channel_even_within_one_client(channel_factory, post_generic):
    reviews = channel_factory(platform=Channel.Platform.GENERIC)
    shop = channel_factory(platform=Channel.Platform.GENERIC, client=reviews.client)

    post_generic(reviews, _review("r-1", author={"external_id": "customer-7", "name": "Anna"}))
    post_generic(shop, _review("s-1", author={"external_id": "customer-7", "name": "Bernd"}))

    assert sorted(Author.objects.filter(external_id="customer-7").values_list("display_name", flat=True)) == [
        "Anna",
        "Bernd",
    ]


def test_wordpress_commenters_are_one_per_blog(channel_factory):
    with (
        WordPressStub(username="u", password="p") as first_blog,
        WordPressStub(username="u", password="p") as second_blog,
    ):
        first_blog.site.comment_add(post=3, content="Schöner Beitrag!", author=5, author_name="Blog user five")
        second_blog.site.comment_add(post=3, content="Naja.", author=5, author_name="Someone else entirely")
        first, second = (
            channel_factory(
                platform=Channel.Platform.WORDPRESS_BLOG, api_base_url=blog.base_url, api_username="u", api_password="p"
            )
            for blog in (first_blog, second_blog)
        )
        wordpress_channel_poll(channel=first)
        wordpress_channel_poll(channel=second)

    first_author = Item.objects.select_related("author").get(channel=first).author
    second_author = Item.objects.select_related("author").get(channel=second).author
    assert first_author.pk != second_author.pk
    assert (first_author.display_name, first_author.external_id) == ("Blog user five", "wp-user:5")
    assert (second_author.display_name, second_author.external_id) == ("Someone else entirely", "wp-user:5")


def test_a_meta_author_stays_one_for_every_client(channel_factory, client):
    pages = [channel_factory(platform=Channel.Platform.FACEBOOK_PAGE) for _number in range(2)]

    for number, page in enumerate(pages):
        body = meta_body(page, changes=[facebook_comment_change(comment_id=f"p_c{number}", author_id="fb-user-1")])
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(
                reverse("webhook_meta", args=[page.pk]),
                data=body,
                content_type="application/json",
                headers={"X-Hub-Signature-256": meta_signature_for(secret=page.app_secret, body=body)},
            )

    assert Item.objects.count() == 2
    assert Author.objects.filter(external_id="fb-user-1").count() == 1
    assert Author.objects.get(external_id="fb-user-1").channel_id is None
