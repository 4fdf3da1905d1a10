"""Fixtures of the inbox tests; each helper's block is marked."""

import itertools
import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from communityops.models import Channel, User
from inbox.models import Author, Item, ItemEvent
from inbox.services.authors import author_namespace
from inbox.stubs import MetaGraphStub, WordPressStub
from inbox.webhooks import generic_signature_for, meta_signature_for

# --- work (claims/outbox/connectors/assignment) fixtures ---

_item_numbers = itertools.count(1)


@pytest.fixture
def open_item_factory(db, channel_factory):
    """An open, unclaimed item with its RECEIVED event, as ingestion would leave it.

    `due_in` sets the SLA due time relative to now (minutes); thread/parent ids default to none.
    """

    def make(*, channel: Channel | None = None, due_in: float = 60, **fields) -> Item:
        channel = channel or channel_factory()
        number = next(_item_numbers)
        author, _created = Author.objects.get_or_create(
            **author_namespace(channel),
            external_id=fields.pop("author_external_id", f"author-{number}"),
            defaults={"display_name": f"Author {number}"},
        )
        now = timezone.now()
        fields.setdefault("external_id", f"comment-{number}")
        fields.setdefault("text", f"Frage Nummer {number}: wann kommt meine Bestellung?")
        fields.setdefault("platform_created_at", now)
        fields.setdefault("sla_due_at", now + timedelta(minutes=due_in))
        item = Item.objects.create(client=channel.client, channel=channel, author=author, **fields)
        ItemEvent.objects.create(item=item, kind=ItemEvent.Kind.RECEIVED)
        return item

    return make


@pytest.fixture
def meta_graph_stub(settings):
    """A Graph API on 127.0.0.1 that the Meta connectors talk to for this test."""
    with MetaGraphStub() as stub:
        settings.META_GRAPH_API_BASE_URL = stub.base_url
        yield stub


@pytest.fixture
def wordpress_stub():
    with WordPressStub(username="communityops", password="app pass word") as stub:
        yield stub


@pytest.fixture
def wordpress_channel(channel_factory, wordpress_stub):
    def make(**fields) -> Channel:
        fields.setdefault("platform", Channel.Platform.WORDPRESS_BLOG)
        fields.setdefault("api_base_url", wordpress_stub.base_url)
        fields.setdefault("api_username", "communityops")
        fields.setdefault("api_password", "app pass word")
        return channel_factory(**fields)

    return make


# --- end work fixtures ---


# --- ingestion/triage fixtures ---


@pytest.fixture
def api_as():
    """The API as the given user."""

    def login(user: User) -> APIClient:
        api = APIClient()
        api.force_authenticate(user)
        return api

    return login


@pytest.fixture
def facebook_channel(channel_factory) -> Channel:
    return channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)


@pytest.fixture
def generic_channel(channel_factory) -> Channel:
    return channel_factory(platform=Channel.Platform.GENERIC)


@pytest.fixture
def post_meta(client):
    """POST a body to the channel's Meta webhook, signed correctly unless a signature is given."""

    def post(channel: Channel, body: bytes, *, signature: str | None = None):
        headers = {}
        signature = meta_signature_for(secret=channel.app_secret, body=body) if signature is None else signature
        if signature:
            headers["X-Hub-Signature-256"] = signature
        return client.post(
            reverse("webhook_meta", args=[channel.pk]), data=body, content_type="application/json", headers=headers
        )

    return post


@pytest.fixture
def post_generic(client):
    def post(channel: Channel, payload, *, timestamp: int | str | None = None, signature: str | None = None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        if signature is None:
            signature = generic_signature_for(secret=channel.app_secret, timestamp=stamp, body=body)
        return client.post(
            reverse("webhook_generic", args=[channel.pk]),
            data=body,
            content_type="application/json",
            headers={"X-CO-Timestamp": stamp, "X-CO-Signature": signature},
        )

    return post


# --- end ingestion/triage fixtures ---
