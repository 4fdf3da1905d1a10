"""One small interface every platform connector implements, and the HTTP call they share.

A connector turns one OutboundAction into one platform request. It raises
ConnectorError(message, retryable): retryable for timeouts, 429 and 5xx (the outbox
backs off and tries again), not retryable for 4xx (a retry would fail the same way).
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from communityops.models import Channel

from ..models import OutboundAction

HTTP_TIMEOUT_SECONDS = 10

# The longest reply we accept anywhere (the API's and the composer's cap); a platform whose own
# documented limit is lower says so in its connector's `reply_max_length`.
REPLY_MAX_LENGTH = 8000


def reply_length(text: str) -> int:
    """A reply's length as every limit counts it: code points, a line break once, whether a form sent
    it (CR LF) or the API (LF)."""
    return len(text.replace("\r\n", "\n"))


class ConnectorError(Exception):
    def __init__(self, message: str, *, retryable: bool, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status


@dataclass(frozen=True)
class HttpResponse:
    status: int
    body: Any
    headers: dict[str, str]


def _platform_error_text(body: Any, fallback: str) -> str:
    """Meta says {"error": {"message", "type", "code"}}, WordPress {"code", "message"}."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and error.get("message"):
            code = error.get("code")
            return f"{error['message']} (code {code})" if code is not None else str(error["message"])
        if body.get("message"):
            return f"{body['message']} ({body['code']})" if body.get("code") else str(body["message"])
    return fallback


def http_request(
    method: str,
    url: str,
    *,
    form: dict[str, str] | None = None,
    json_body: Any = None,
    raw_body: bytes | None = None,
    headers: dict[str, str] | None = None,
    basic_auth: tuple[str, str] | None = None,
    timeout: float = HTTP_TIMEOUT_SECONDS,
) -> HttpResponse:
    """One HTTP request with the standard library; platform errors become ConnectorError."""
    request_headers = {"Accept": "application/json", **(headers or {})}
    data = raw_body
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        request_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        data = json.dumps(json_body).encode()
        request_headers["Content-Type"] = "application/json"
    if basic_auth is not None:
        token = base64.b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
        request_headers["Authorization"] = f"Basic {token}"
    if not url.startswith(("http://", "https://")):
        raise ConnectorError(f"Not an HTTP URL: {url!r}", retryable=False)
    request = urllib.request.Request(url, data=data, method=method, headers=request_headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            raw = response.read()
            return HttpResponse(status=response.status, body=_json_or_text(raw), headers=dict(response.headers))
    except urllib.error.HTTPError as error:
        body = _json_or_text(error.read())
        retryable = error.code == 429 or error.code >= 500
        message = _platform_error_text(body, fallback=f"HTTP {error.code} {error.reason}")
        raise ConnectorError(f"HTTP {error.code}: {message}", retryable=retryable, status=error.code) from error
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        raise ConnectorError(f"Network error: {reason}", retryable=True) from error


def _json_or_text(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")[:2000]


class Connector:
    """Base of all connectors: `supported` lists the OutboundAction kinds the platform can do.

    `send` dispatches one action and returns the platform's id of what it created ("" if none).
    A subclass implements one method per supported kind, named after it:
    `reply(*, item, text, idempotency_key)` and `<kind>(*, item, idempotency_key)` for the others.
    """

    supported: ClassVar[frozenset[str]] = frozenset()
    # The platform's documented limit on a reply's text, in characters, where it is below
    # REPLY_MAX_LENGTH; None where no lower limit is documented. Each connector names its source.
    platform_reply_max_length: ClassVar[int | None] = None
    # Whether removing a comment on the platform takes the replies under it too. Ingestion then marks
    # them removed with it (services.ingestion.item_mark_removed_on_platform), whatever the platform
    # tells of each reply.
    removal_takes_replies: ClassVar[bool] = False

    def __init__(self, channel: Channel):
        self.channel = channel

    def supports(self, kind: str) -> bool:
        return kind in self.supported

    @classmethod
    def reply_max_length(cls) -> int:
        """The most characters (Python's len of the text) a reply may have on this platform. Every
        reply of a channel goes out the same way (see `reply`), so the item's kind does not change it."""
        return min(REPLY_MAX_LENGTH, cls.platform_reply_max_length or REPLY_MAX_LENGTH)

    def send(self, *, action: OutboundAction) -> str:
        if not self.supports(action.kind):
            raise ConnectorError(
                _("%(platform)s cannot carry out “%(action)s”.")
                % {"platform": self.channel.get_platform_display(), "action": action.get_kind_display()},
                retryable=False,
            )
        method = getattr(self, action.kind)
        key = str(action.idempotency_key)
        if action.kind == OutboundAction.Kind.REPLY:
            return method(item=action.item, text=action.text, idempotency_key=key) or ""
        return method(item=action.item, idempotency_key=key) or ""


def connector_for_channel(channel: Channel) -> Connector:
    return connector_class(channel.platform)(channel)


def connector_class(platform: str) -> type[Connector]:
    from .generic import GenericWebhookConnector
    from .meta import FacebookConnector, InstagramConnector
    from .wordpress import WordPressConnector

    connectors: dict[str, type[Connector]] = {
        Channel.Platform.FACEBOOK_PAGE: FacebookConnector,
        Channel.Platform.INSTAGRAM_ACCOUNT: InstagramConnector,
        Channel.Platform.WORDPRESS_BLOG: WordPressConnector,
        Channel.Platform.GENERIC: GenericWebhookConnector,
    }
    return connectors[platform]
