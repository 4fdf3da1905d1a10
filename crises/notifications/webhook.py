"""Outgoing webhooks: POST JSON to a configured URL (an SMS/phone gateway or a chat incoming webhook).

The outgoing-webhook body is {"to", "text", "crisis_id", "severity", "acknowledge_url"}; the
gateway behind it turns that into an SMS or a call. Slack and Microsoft Teams incoming webhooks
both accept {"text": ...}.
"""

import json
import urllib.error
import urllib.request

from . import DeliveryError

TIMEOUT_SECONDS = 10


def webhook_post_json(*, url: str, payload: dict) -> None:
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"Not an http(s) URL: {url!r}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "CommunityOps-Crises/1"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} from webhook") from error
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(f"Webhook unreachable: {error}") from error
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status} from webhook")


def chat_post(*, url: str, text: str) -> None:
    """A Slack/Teams-compatible incoming-webhook message."""
    webhook_post_json(url=url, payload={"text": text})
