"""Inbox test fixtures."""

# --- ingestion/triage fixtures ---
import json
import time

import pytest
from django.urls import reverse

from communityops.models import Channel
from inbox.webhooks import generic_signature_for, meta_signature_for


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
    def post(channel: Channel, payload, *, timestamp: int | None = None, signature: str | None = None):
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
