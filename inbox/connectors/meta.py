"""Meta Graph API: Facebook Page comments and Instagram comments.

Documented shapes (base URL = settings.META_GRAPH_API_BASE_URL, e.g. .../v21.0):
- Facebook reply:  POST /{comment-id}/comments  message, access_token   -> {"id": "..."}
- Facebook hide:   POST /{comment-id}           is_hidden=true|false      -> {"success": true}
- Instagram reply: POST /{ig-comment-id}/replies message, access_token   -> {"id": "..."}
- Instagram hide:  POST /{ig-comment-id}        hide=true|false           -> {"success": true}
- delete (both):   DELETE /{comment-id}?access_token=...                  -> {"success": true}
The Graph API has no spam flag for comments: marking spam hides the comment there.
It has no idempotency key either; we still send Idempotency-Key (ignored by Meta,
recorded by our stub) so the at-most-once guarantee rests on our outbox row.
"""

import urllib.parse

from django.conf import settings

from ..models import Item, OutboundAction
from .base import Connector, ConnectorError, http_request

Kind = OutboundAction.Kind


class MetaGraphConnector(Connector):
    supported = frozenset({Kind.REPLY, Kind.HIDE, Kind.UNHIDE, Kind.DELETE, Kind.SPAM})
    # Deleting a comment on Facebook or Instagram deletes its replies; Meta's webhook reference
    # (Webhooks for Pages, `feed`) documents a `remove` for the comment and says nothing of one for
    # each reply, so the replies are not left waiting for one.
    removal_takes_replies = True
    reply_edge = "comments"
    hide_field = "is_hidden"

    def _url(self, *parts: str) -> str:
        base = settings.META_GRAPH_API_BASE_URL.rstrip("/")
        return "/".join([base, *(urllib.parse.quote(part, safe="_") for part in parts)])

    def _token(self) -> str:
        if not self.channel.access_token:
            raise ConnectorError("The channel has no access token.", retryable=False)
        return self.channel.access_token

    def _reply_target(self, item: Item) -> str:
        # Comments nest only one level: an answer to a reply goes to the top-level comment.
        if item.kind == Item.Kind.REPLY and item.parent_external_id:
            return item.parent_external_id
        return item.external_id

    def reply(self, *, item: Item, text: str, idempotency_key: str) -> str:
        response = http_request(
            "POST",
            self._url(self._reply_target(item), self.reply_edge),
            form={"message": text, "access_token": self._token()},
            headers={"Idempotency-Key": idempotency_key},
        )
        if not isinstance(response.body, dict) or not response.body.get("id"):
            raise ConnectorError(f"Unexpected Graph API answer: {response.body!r}"[:500], retryable=False)
        return str(response.body["id"])

    def _set_hidden(self, *, item: Item, hidden: bool, idempotency_key: str) -> str:
        http_request(
            "POST",
            self._url(item.external_id),
            form={self.hide_field: "true" if hidden else "false", "access_token": self._token()},
            headers={"Idempotency-Key": idempotency_key},
        )
        return ""

    def hide(self, *, item: Item, idempotency_key: str) -> str:
        return self._set_hidden(item=item, hidden=True, idempotency_key=idempotency_key)

    def unhide(self, *, item: Item, idempotency_key: str) -> str:
        return self._set_hidden(item=item, hidden=False, idempotency_key=idempotency_key)

    def spam(self, *, item: Item, idempotency_key: str) -> str:
        return self._set_hidden(item=item, hidden=True, idempotency_key=idempotency_key)

    def delete(self, *, item: Item, idempotency_key: str) -> str:
        query = urllib.parse.urlencode({"access_token": self._token()})
        http_request("DELETE", f"{self._url(item.external_id)}?{query}", headers={"Idempotency-Key": idempotency_key})
        return ""


class FacebookConnector(MetaGraphConnector):
    # No limit on `message` is documented for POST /{object-id}/comments (Graph API reference,
    # developers.facebook.com/docs/graph-api/reference/object/comments): only REPLY_MAX_LENGTH applies.
    reply_edge = "comments"
    hide_field = "is_hidden"


class InstagramConnector(MetaGraphConnector):
    reply_edge = "replies"
    hide_field = "hide"
    # The Graph API reference of POST /{ig-comment-id}/replies names no limit; Instagram takes at most
    # 2,200 characters in a comment (as in a caption), so a longer reply is refused here rather than
    # failing at send time. (The 300 characters of Instagram's 2014 developer blog were a rule of its
    # retired API.)
    platform_reply_max_length = 2200
