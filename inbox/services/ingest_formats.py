"""The payload formats the inbox accepts, split into changes and normalised one change at a time.

Splitting (a whole body -> change payloads) is cheap: the request does it to check the shape (and
a generic body's event ids), the background task does it again for a Meta body, whose changes it
stores. Normalising (one change payload -> NormalizedItem or a decision to ignore it) happens in
the task. Either raises NormalizationError with a message that is stored and shown.

Formats:
- Meta (Facebook Page `feed` comments and post removals, Instagram `comments`): Meta's documented
  webhook shapes.
- Generic signed webhook and file import: docs/generic-webhook.md.
"""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.utils.dateparse import parse_datetime

from communityops.forms import whole_number
from communityops.models import Channel

from ..models import Item
from ..normalized import NormalizationError, NormalizedAuthor, NormalizedItem

MAX_EXTERNAL_ID_LENGTH = 200
# Long blog comments exist (WordPress allows 65,525 characters); 100,000 stays well within a TextField.
MAX_TEXT_LENGTH = 100_000
# Author.follower_count's column (a PositiveIntegerField); the largest accounts have under a billion.
MAX_FOLLOWER_COUNT = 2_147_483_647


@dataclass(frozen=True)
class ParsedChange:
    """What one change asks for: create (or confirm) an item, apply an edit, note a removal (of an
    item, or of the post `thread_external_id` with everything under it), or nothing."""

    class Action:
        UPSERT = "upsert"
        EDIT = "edit"
        REMOVE = "remove"
        REMOVE_THREAD = "remove_thread"
        IGNORE = "ignore"

    action: str
    normalized: NormalizedItem | None = None
    external_id: str = ""
    reason: str = ""
    # A removal's post, where the source names it: the replies of a removed comment that is not in
    # the inbox (the page's own) are found under it; for REMOVE_THREAD, the post removed.
    thread_external_id: str = ""


# --- splitting bodies ---------------------------------------------------------------------------


# A lone UTF-16 surrogate (a JSON escape such as "\\ud800" that is not one half of a pair) is no
# character: PostgreSQL's text and jsonb cannot hold it (nor can UTF-8), and storing it failed the
# whole delivery on every retry. A pair (an emoji) is one character once parsed.
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_body_parse(body: bytes) -> Any:
    try:
        # Decoded as json.loads would (UTF-8, -16 or -32), but strictly: a raw surrogate in the
        # bytes is malformed like any other invalid sequence.
        text = body.decode(json.detect_encoding(body))
        document = json.loads(text)
    except ValueError as error:  # undecodable, not JSON, or a number of more than 4,300 digits
        raise NormalizationError(f"malformed JSON: {error}") from error
    except RecursionError as error:  # nested deeper than Python's recursion limit: a hostile body
        raise NormalizationError("malformed JSON: nested too deeply") from error
    # JSON can only carry U+0000 or a lone surrogate escaped (a raw control character is malformed):
    # without such an escape in the text there is nothing to clean, and the walk over every value
    # (2.4 ms for a 1,000-change body) is skipped.
    return _text_storable(document) if "\\u0000" in text or _escapes_a_lone_surrogate(text) else document


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _escapes_a_lone_surrogate(text: str) -> bool:
    """Whether the JSON text escapes a surrogate that is not one half of a pair: a high one (D800-DBFF)
    not followed at once by a low one (DC00-DFFF), or a low one on its own. Emoji come as pairs
    ("\\ud83d\\ude00"), in every Meta body of a busy post. (An escaped backslash before "ud800" may
    count as one: the walk then finds nothing to replace.)"""
    low_expected_at = None  # where the low half of the last high surrogate must begin
    for escape in _SURROGATE_ESCAPE.finditer(text):
        is_high = escape.group()[3] in "89abAB"
        if low_expected_at is not None:
            if is_high or escape.start() != low_expected_at:
                return True
            low_expected_at = None
        elif is_high:
            low_expected_at = escape.end()
        else:
            return True
    return low_expected_at is not None


def _text_storable(value: Any) -> Any:
    """Every string as PostgreSQL can store it: U+0000 dropped (in a comment it means nothing) and
    a lone surrogate replaced by U+FFFD, so that the delivery is stored, not refused on every retry."""
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return value if value.isascii() else _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_text_storable(element) for element in value]
    if isinstance(value, dict):
        return {_text_storable(key): _text_storable(element) for key, element in value.items()}
    return value


def meta_changes_split(body: bytes) -> list[dict]:
    """Meta's `{"object": "page"|"instagram", "entry": [{"id", "time", "changes": [...]}]}` -> one
    payload per change, each carrying its entry's id and time (the page / account and the clock)."""
    document = json_body_parse(body)
    if not isinstance(document, dict) or document.get("object") not in ("page", "instagram"):
        raise NormalizationError('not a Meta webhook: expected an object with "object": "page" or "instagram"')
    entries = document.get("entry")
    if not isinstance(entries, list):
        raise NormalizationError('not a Meta webhook: "entry" must be a list')
    payloads = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise NormalizationError('not a Meta webhook: every "entry" must be an object')
        changes = entry.get("changes", [])
        # Messenger-style entries carry "messaging" instead of "changes"; they are kept and ignored.
        changes = changes if isinstance(changes, list) else [changes]
        for change in changes + [{"field": "messaging", "value": m} for m in entry.get("messaging", []) or []]:
            payloads.append(
                {
                    "object": document["object"],
                    "entry_id": entry.get("id"),
                    "entry_time": entry.get("time"),
                    "change": change,
                }
            )
    return payloads


def generic_events_split(body: bytes) -> list[dict]:
    """One event object, or `{"events": [...]}`; every event needs a string event_id (the dedupe key)."""
    document = json_body_parse(body)
    if isinstance(document, dict) and "events" in document:
        events = document["events"]
        if not isinstance(events, list):
            raise NormalizationError('"events" must be a list')
    elif isinstance(document, dict):
        events = [document]
    else:
        raise NormalizationError('expected an event object or {"events": [...]}')
    for position, event in enumerate(events):
        if not isinstance(event, dict):
            raise NormalizationError(f"event {position}: must be an object")
        event_id = event.get("event_id")
        if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > MAX_EXTERNAL_ID_LENGTH:
            raise NormalizationError(f"event {position}: event_id must be a non-empty string of at most 200 characters")
    return events


# --- normalising one change ---------------------------------------------------------------------


def change_parse(*, source: str, channel: Channel, payload: dict, received_at: datetime) -> ParsedChange:
    if "unparsed_body" in payload:
        raise NormalizationError(payload["unparsed_body"])
    if source == "meta":
        return meta_change_parse(channel=channel, payload=payload, received_at=received_at)
    if source == "generic":
        return generic_event_parse(channel=channel, event=payload, received_at=received_at)
    if source == "import":
        if "invalid" in payload:
            raise NormalizationError(payload["invalid"])
        record = payload.get("record")
        if not isinstance(record, dict):
            raise NormalizationError("the row is not an object")
        return ParsedChange(
            action=ParsedChange.Action.UPSERT,
            normalized=generic_item_normalize(channel=channel, item=record, default_created_at=None),
        )
    raise NormalizationError(f"no parser for source {source!r}")


def meta_change_parse(*, channel: Channel, payload: dict, received_at: datetime) -> ParsedChange:
    change = payload.get("change")
    if not isinstance(change, dict) or not isinstance(change.get("value"), dict):
        raise NormalizationError('a change needs a "field" and an object "value"')
    field, value = change.get("field"), change["value"]
    entry_id = str(payload.get("entry_id") or "")
    own_ids = {entry_id, channel.external_id} - {""}
    expected_object = {Channel.Platform.FACEBOOK_PAGE: "page", Channel.Platform.INSTAGRAM_ACCOUNT: "instagram"}
    if expected_object.get(channel.platform) != payload.get("object"):
        raise NormalizationError(
            f"a {payload.get('object')!r} change arrived at a {channel.get_platform_display()} channel"
        )
    # Channels of one Meta app share its secret: a signature proves the app, not the page. An entry
    # of another page (a misrouted or forged delivery) must not become this client's item.
    if channel.external_id and entry_id != channel.external_id:
        raise NormalizationError(
            f"an entry of {entry_id or 'no page'!r} arrived at the channel of {channel.external_id!r}"
        )
    if payload["object"] == "page":
        if field == "feed" and value.get("item") in _FACEBOOK_POST_ITEMS and value.get("verb") == "remove":
            return ParsedChange(
                action=ParsedChange.Action.REMOVE_THREAD,
                thread_external_id=_required_id(value.get("post_id"), "post_id"),
                reason="post removed on Facebook",
            )
        if field != "feed" or value.get("item") != "comment":
            return ParsedChange(
                action=ParsedChange.Action.IGNORE, reason=f"not a comment ({field}/{value.get('item')})"
            )
        return _facebook_comment_parse(
            value=value, own_ids=own_ids, fallback_time=payload.get("entry_time"), received_at=received_at
        )
    if field != "comments":
        return ParsedChange(action=ParsedChange.Action.IGNORE, reason=f"Instagram field {field!r} is not handled")
    return _instagram_comment_parse(
        value=value, own_ids=own_ids, fallback_time=payload.get("entry_time"), received_at=received_at
    )


# The `item` values of Meta's Page `feed` webhook (Webhooks reference, Page, `feed`) whose removal
# is the whole post's: "status" (a text post) and "post". Not "photo" or "video": the removal of one
# photo of a post with several may come with that post's post_id, and a comment marked removed wrongly
# can no longer be answered at all, while one missed fails at send time with the platform's reason.
_FACEBOOK_POST_ITEMS = frozenset({"post", "status"})


def _required_id(value: Any, name: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise NormalizationError(f"{name} is missing")
    if len(value) > MAX_EXTERNAL_ID_LENGTH:
        raise NormalizationError(f"{name} is longer than {MAX_EXTERNAL_ID_LENGTH} characters")
    return value.strip()


def _epoch_or_now(value: Any, received_at: datetime) -> datetime:
    """Meta's time of a change (epoch seconds or ISO 8601), or the arrival for anything else."""
    parsed = None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            parsed = datetime.fromtimestamp(value, tz=UTC)
        elif isinstance(value, str) and value:
            parsed = parse_datetime(value.replace("+0000", "+00:00"))
    except (OverflowError, OSError, ValueError):  # beyond the calendar, or no such day (30 February)
        parsed = None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if parsed is not None and _platform_time_plausible(parsed) else received_at


# Times from the platforms lie within these years. PostgreSQL stores far more, but psycopg cannot
# read back a time before year 1 or after 9999 in UTC ("0001-01-01T00:00:00+14:00" is 2 BC): such
# a row broke every page listing it, and the SLA arithmetic overflows near the calendar's ends.
EARLIEST_PLATFORM_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_PLATFORM_TIME = datetime(2100, 1, 1, tzinfo=UTC)


def _platform_time_plausible(value: datetime) -> bool:
    return EARLIEST_PLATFORM_TIME <= value < LATEST_PLATFORM_TIME


def _meta_author(value: dict) -> tuple[dict, str]:
    author = value.get("from")
    if not isinstance(author, dict):
        raise NormalizationError("the comment has no author (from)")
    return author, _required_id(author.get("id"), "from.id")


def _facebook_comment_parse(
    *, value: dict, own_ids: set[str], fallback_time: Any, received_at: datetime
) -> ParsedChange:
    comment_id = _required_id(value.get("comment_id"), "comment_id")
    verb = value.get("verb", "add")
    if verb == "remove":
        return ParsedChange(
            action=ParsedChange.Action.REMOVE,
            external_id=comment_id,
            reason="removed on Facebook",
            thread_external_id=str(value.get("post_id") or "")[:MAX_EXTERNAL_ID_LENGTH],
        )
    if verb not in ("add", "edited"):
        return ParsedChange(action=ParsedChange.Action.IGNORE, external_id=comment_id, reason=f"verb {verb!r}")
    author, author_id = _meta_author(value)
    if author_id in own_ids:
        return ParsedChange(action=ParsedChange.Action.IGNORE, external_id=comment_id, reason="written by the page")
    post_id = str(value.get("post_id") or "")
    parent_id = str(value.get("parent_id") or "")
    is_reply = bool(parent_id) and parent_id != post_id
    post = value.get("post") if isinstance(value.get("post"), dict) else {}
    normalized = NormalizedItem(
        external_id=comment_id,
        kind=Item.Kind.REPLY if is_reply else Item.Kind.COMMENT,
        text=_text(value.get("message")),
        author=NormalizedAuthor(external_id=author_id, display_name=str(author.get("name") or "")[:200]),
        platform_created_at=_epoch_or_now(value.get("created_time", fallback_time), received_at),
        thread_external_id=post_id[:MAX_EXTERNAL_ID_LENGTH],
        parent_external_id=parent_id[:MAX_EXTERNAL_ID_LENGTH] if is_reply else "",
        permalink=_permalink(post.get("permalink_url")) or f"https://www.facebook.com/{comment_id}",
    )
    action = ParsedChange.Action.EDIT if verb == "edited" else ParsedChange.Action.UPSERT
    return ParsedChange(action=action, normalized=normalized, external_id=comment_id)


def _instagram_comment_parse(
    *, value: dict, own_ids: set[str], fallback_time: Any, received_at: datetime
) -> ParsedChange:
    comment_id = _required_id(value.get("id"), "id")
    author, author_id = _meta_author(value)
    if author_id in own_ids:
        return ParsedChange(action=ParsedChange.Action.IGNORE, external_id=comment_id, reason="written by the account")
    media = value.get("media") if isinstance(value.get("media"), dict) else {}
    parent_id = str(value.get("parent_id") or "")
    normalized = NormalizedItem(
        external_id=comment_id,
        kind=Item.Kind.REPLY if parent_id else Item.Kind.COMMENT,
        text=_text(value.get("text")),
        author=NormalizedAuthor(external_id=author_id, handle=str(author.get("username") or "")[:200]),
        platform_created_at=_epoch_or_now(value.get("timestamp", fallback_time), received_at),
        thread_external_id=str(media.get("id") or "")[:MAX_EXTERNAL_ID_LENGTH],
        parent_external_id=parent_id[:MAX_EXTERNAL_ID_LENGTH],
    )
    return ParsedChange(action=ParsedChange.Action.UPSERT, normalized=normalized, external_id=comment_id)


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise NormalizationError("the text is empty")
    if len(value) > MAX_TEXT_LENGTH:
        raise NormalizationError(f"the text is longer than {MAX_TEXT_LENGTH} characters")
    return value


def _permalink(value: Any) -> str:
    # A broken link is dropped rather than holding back the customer's comment.
    if not isinstance(value, str) or len(value) > 500:
        return ""
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else ""


_GENERIC_ACTIONS = {
    "item.created": ParsedChange.Action.UPSERT,
    "item.updated": ParsedChange.Action.EDIT,
    "item.deleted": ParsedChange.Action.REMOVE,
}


def generic_event_parse(*, channel: Channel, event: dict, received_at: datetime) -> ParsedChange:
    event_type = event.get("type", "item.created")
    action = _GENERIC_ACTIONS.get(event_type)
    if action is None:
        return ParsedChange(action=ParsedChange.Action.IGNORE, reason=f"event type {event_type!r} is not handled")
    item = event.get("item")
    if not isinstance(item, dict):
        raise NormalizationError('"item" must be an object')
    if action == ParsedChange.Action.REMOVE:
        external_id = _required_id(item.get("external_id"), "item.external_id")
        return ParsedChange(action=action, external_id=external_id, reason="deleted at the source")
    occurred_at = _datetime_field(event.get("occurred_at"), "occurred_at", channel=channel, required=False)
    normalized = generic_item_normalize(channel=channel, item=item, default_created_at=occurred_at or received_at)
    return ParsedChange(action=action, normalized=normalized, external_id=normalized.external_id)


def _datetime_field(value: Any, name: str, *, channel: Channel, required: bool) -> datetime | None:
    if value in (None, ""):
        if required:
            raise NormalizationError(f"{name} is missing")
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such time (30 February, an offset of 99 hours)
        parsed = None
    if parsed is None:
        raise NormalizationError(f"{name} is not an ISO 8601 date-time: {value!r}")
    if parsed.tzinfo is None:
        # Naive times (common in spreadsheets) are read in the client's time zone.
        parsed = parsed.replace(tzinfo=ZoneInfo(channel.client.time_zone))
    if not _platform_time_plausible(parsed):
        raise NormalizationError(f"{name} lies outside the years 1970 to 2099: {value!r}")
    return parsed


def generic_item_normalize(*, channel: Channel, item: dict, default_created_at: datetime | None) -> NormalizedItem:
    """The generic item object (webhook and import): see docs/generic-webhook.md."""
    external_id = _required_id(item.get("external_id"), "external_id")
    kind = item.get("kind") or Item.Kind.COMMENT
    if kind not in Item.Kind.values:
        raise NormalizationError(f"kind {kind!r} is not one of {', '.join(Item.Kind.values)}")
    author = item.get("author")
    if not isinstance(author, dict):
        raise NormalizationError("author must be an object with at least an external_id")
    followers = author.get("follower_count", 0) or 0
    if isinstance(followers, str) and (number := whole_number(followers.strip())) is not None:
        followers = number
    if not isinstance(followers, int) or isinstance(followers, bool) or not 0 <= followers <= MAX_FOLLOWER_COUNT:
        raise NormalizationError(
            f"author.follower_count must be a whole number from 0 to {MAX_FOLLOWER_COUNT}: {str(followers)[:30]!r}"
        )
    verified = author.get("verified", False)
    if isinstance(verified, str):
        verified = verified.strip().lower() in ("1", "true", "yes", "ja")
    created_at = _datetime_field(
        item.get("created_at"), "created_at", channel=channel, required=default_created_at is None
    )
    tags = item.get("tags") or []
    if isinstance(tags, str):
        tags = [tag for tag in tags.split("|") if tag]
    if not isinstance(tags, list) or not all(isinstance(tag, str) and len(tag) <= 50 for tag in tags):
        raise NormalizationError("tags must be a list of strings of at most 50 characters")
    language = item.get("language") or ""
    if not isinstance(language, str) or len(language) > 8:
        raise NormalizationError(f"language must be a short code such as de or en: {language!r}")
    return NormalizedItem(
        external_id=external_id,
        kind=kind,
        text=_text(item.get("text")),
        author=NormalizedAuthor(
            external_id=_required_id(author.get("external_id"), "author.external_id"),
            handle=str(author.get("handle") or "")[:200],
            display_name=str(author.get("name") or "")[:200],
            follower_count=followers,
            verified=bool(verified),
            account_created_at=_datetime_field(
                author.get("account_created_at"), "author.account_created_at", channel=channel, required=False
            ),
        ),
        platform_created_at=created_at or default_created_at,
        thread_external_id=str(item.get("thread_id") or "")[:MAX_EXTERNAL_ID_LENGTH],
        parent_external_id=str(item.get("parent_id") or "")[:MAX_EXTERNAL_ID_LENGTH],
        permalink=_permalink(item.get("permalink")),
        language=language.lower(),
        tags=tuple(tags),
    )
