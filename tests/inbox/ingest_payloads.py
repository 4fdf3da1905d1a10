"""Payload builders for ingestion tests, in the platforms' documented shapes."""

import json

from communityops.models import Channel


def facebook_comment_change(
    *,
    comment_id: str,
    message: str = "Wann habt ihr am Sonntag geöffnet?",
    author_id: str = "fb-user-1",
    author_name: str = "Erika Mustermann",
    post_id: str = "page_post-1",
    parent_id: str | None = None,
    verb: str = "add",
    created_time: int = 1_767_000_000,
) -> dict:
    """One change of a Facebook Page `feed` webhook for a comment, in Meta's documented shape."""
    value = {
        "from": {"id": author_id, "name": author_name},
        "post_id": post_id,
        "comment_id": comment_id,
        "parent_id": parent_id or post_id,
        "created_time": created_time,
        "item": "comment",
        "verb": verb,
        "message": message,
    }
    return {"field": "feed", "value": value}


def facebook_post_removal_change(*, post_id: str, item: str = "status", created_time: int = 1_767_000_000) -> dict:
    """One change of a Facebook Page `feed` webhook for a post of the page removed: its `item` is the
    kind of post (a text post is a "status"), its `verb` "remove"."""
    value = {"post_id": post_id, "created_time": created_time, "item": item, "verb": "remove"}
    return {"field": "feed", "value": value}


def instagram_comment_change(
    *, comment_id: str, text: str, username: str = "lisa.isar", media_id: str = "media-1"
) -> dict:
    return {
        "field": "comments",
        "value": {
            "id": comment_id,
            "text": text,
            "from": {"id": f"ig-{username}", "username": username},
            "media": {"id": media_id},
        },
    }


def meta_body(channel: Channel, *, changes: list[dict], obj: str = "page") -> bytes:
    """A Meta delivery with one entry: the channel's page (or Instagram account) and its changes."""
    entry = {"id": channel.external_id, "time": 1_767_000_000, "changes": changes}
    return json.dumps({"object": obj, "entry": [entry]}).encode()


def generic_event(
    event_id: str, *, external_id: str | None = None, text: str = "Tolles Produkt, danke!", **item
) -> dict:
    return {
        "event_id": event_id,
        "occurred_at": "2026-11-20T21:15:00+01:00",
        "type": "item.created",
        "item": {
            "external_id": external_id or f"review-{event_id}",
            "kind": "review",
            "text": text,
            "author": {"external_id": "reviewer-1", "name": "Max"},
            **item,
        },
    }
