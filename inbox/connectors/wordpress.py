"""WordPress REST API (wp/v2 comments) with an application password (HTTP Basic auth).

- reply:   POST {blog}/wp-json/wp/v2/comments        {"post", "parent", "content"} -> 201 {"id", ...}
- approve: POST {blog}/wp-json/wp/v2/comments/<id>   {"status": "approved"}
- spam:    ... {"status": "spam"};  trash: ... {"status": "trash"}
- hide:    ... {"status": "hold"} (unapprove: the comment disappears from the blog);
  unhide:  ... {"status": "approved"}
- delete:  DELETE {blog}/wp-json/wp/v2/comments/<id>?force=true
- list:    GET  {blog}/wp-json/wp/v2/comments?status=hold|approve&context=edit&per_page=100&page=N
           &orderby=date&order=asc[&after=ISO]; X-WP-TotalPages tells how many pages there are.
A reply posted by the agency's application user is approved at once by WordPress.
"""

import hashlib
import html
import re
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from ..models import Item, OutboundAction
from ..normalized import NormalizationError, NormalizedAuthor, NormalizedItem
from .base import Connector, ConnectorError, http_request

Kind = OutboundAction.Kind

PENDING_MODERATION_TAG = "pending_moderation"
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 comments per status and poll is plenty; the rest come next minute.
_TAG_PATTERN = re.compile(r"<[^>]+>")


class WordPressConnector(Connector):
    # WordPress refuses comment content over 65,525 bytes (wp_get_comment_fields_max_lengths, the
    # TEXT column): REPLY_MAX_LENGTH characters are at most 32,000 bytes of UTF-8, so no lower limit.
    supported = frozenset({Kind.REPLY, Kind.APPROVE, Kind.SPAM, Kind.TRASH, Kind.HIDE, Kind.UNHIDE, Kind.DELETE})
    # Not removal_takes_replies: WordPress core trashes a comment alone (wp_trash_comment changes its
    # status only), and deleting one for good moves its replies up a level (wp_delete_comment).

    def _url(self, path: str) -> str:
        if not self.channel.api_base_url:
            raise ConnectorError("The blog channel has no API base URL.", retryable=False)
        return f"{self.channel.api_base_url.rstrip('/')}/wp-json/wp/v2/{path}"

    def _comment_url(self, item: Item) -> str:
        return self._url(f"comments/{_wordpress_id(item.external_id, what='comment')}")

    def _auth(self) -> tuple[str, str]:
        return (self.channel.api_username, self.channel.api_password)

    def reply(self, *, item: Item, text: str, idempotency_key: str) -> str:
        if not item.thread_external_id:
            raise ConnectorError("The comment has no post id to reply under.", retryable=False)
        response = http_request(
            "POST",
            self._url("comments"),
            json_body={
                "post": _wordpress_id(item.thread_external_id, what="post"),
                "parent": _wordpress_id(item.external_id, what="comment"),
                "content": text,
            },
            basic_auth=self._auth(),
            headers={"Idempotency-Key": idempotency_key},
        )
        if not isinstance(response.body, dict) or not response.body.get("id"):
            raise ConnectorError(f"Unexpected WordPress answer: {response.body!r}"[:500], retryable=False)
        return str(response.body["id"])

    def _set_status(self, *, item: Item, status: str, idempotency_key: str) -> str:
        http_request(
            "POST",
            self._comment_url(item),
            json_body={"status": status},
            basic_auth=self._auth(),
            headers={"Idempotency-Key": idempotency_key},
        )
        return ""

    def approve(self, *, item: Item, idempotency_key: str) -> str:
        return self._set_status(item=item, status="approved", idempotency_key=idempotency_key)

    def unhide(self, *, item: Item, idempotency_key: str) -> str:
        return self._set_status(item=item, status="approved", idempotency_key=idempotency_key)

    def hide(self, *, item: Item, idempotency_key: str) -> str:
        return self._set_status(item=item, status="hold", idempotency_key=idempotency_key)

    def spam(self, *, item: Item, idempotency_key: str) -> str:
        return self._set_status(item=item, status="spam", idempotency_key=idempotency_key)

    def trash(self, *, item: Item, idempotency_key: str) -> str:
        return self._set_status(item=item, status="trash", idempotency_key=idempotency_key)

    def delete(self, *, item: Item, idempotency_key: str) -> str:
        http_request(
            "DELETE",
            self._comment_url(item) + "?force=true",
            basic_auth=self._auth(),
            headers={"Idempotency-Key": idempotency_key},
        )
        return ""

    def comments_fetch(self, *, status: str, after: datetime | None = None) -> Iterator[dict]:
        """Every comment with `status` ("hold" or "approve"), oldest first, page by page."""
        page, total_pages = 1, 1
        while page <= min(total_pages, MAX_PAGES):
            query = {
                "status": status,
                "context": "edit",
                "per_page": PAGE_SIZE,
                "page": page,
                "orderby": "date",
                "order": "asc",
            }
            if after is not None:
                query["after"] = after.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            response = http_request(
                "GET", self._url("comments") + "?" + urllib.parse.urlencode(query), basic_auth=self._auth()
            )
            if not isinstance(response.body, list):
                raise ConnectorError(f"Unexpected WordPress comment list: {response.body!r}"[:500], retryable=True)
            yield from response.body
            total_pages = int(_header(response.headers, "X-WP-TotalPages") or 1)
            page += 1


def _wordpress_id(value: str, *, what: str) -> int:
    """WordPress numbers its posts and comments; any other id cannot be one of this blog's, now or later."""
    if not value.isascii() or not value.isdigit():
        raise ConnectorError(f"{value!r} is not a WordPress {what} id (WordPress ids are numbers).", retryable=False)
    return int(value)


def _header(headers: dict[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), None)


def wordpress_comment_author(comment: dict) -> NormalizedAuthor:
    """Logged-in WordPress users by user id; guests by a hash of their email (never the email itself)."""
    name = str(comment.get("author_name") or "")
    if comment.get("author"):
        external_id = f"wp-user:{comment['author']}"
    else:
        email = str(comment.get("author_email") or "").strip().lower()
        basis = email or name.strip().lower()
        external_id = "guest:" + hashlib.sha256(basis.encode()).hexdigest()[:32]
    return NormalizedAuthor(external_id=external_id, handle=name, display_name=name)


def wordpress_comment_text(comment: dict) -> str:
    content = comment.get("content") or {}
    if isinstance(content, dict) and content.get("raw"):
        return str(content["raw"]).strip()
    rendered = content.get("rendered", "") if isinstance(content, dict) else str(content)
    return html.unescape(_TAG_PATTERN.sub("", rendered)).strip()


def wordpress_comment_created_at(comment: dict) -> datetime:
    value = comment.get("date_gmt")
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise NormalizationError(f"comment {comment.get('id')!r} has no valid date_gmt")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def wordpress_comment_normalize(comment: dict) -> NormalizedItem:
    """One WP REST comment (context=edit) as a blog_comment item; held comments carry a tag."""
    if not isinstance(comment, dict) or not comment.get("id") or not comment.get("post"):
        raise NormalizationError("a WordPress comment needs an id and a post")
    text = wordpress_comment_text(comment)
    if not text:
        raise NormalizationError(f"comment {comment['id']} has no text")
    parent = comment.get("parent") or 0
    return NormalizedItem(
        external_id=str(comment["id"]),
        kind=Item.Kind.BLOG_COMMENT,
        text=text,
        author=wordpress_comment_author(comment),
        platform_created_at=wordpress_comment_created_at(comment),
        thread_external_id=str(comment["post"]),
        parent_external_id=str(parent) if parent else "",
        permalink=str(comment.get("link") or "")[:500],
        tags=(PENDING_MODERATION_TAG,) if comment.get("status") == "hold" else (),
    )
