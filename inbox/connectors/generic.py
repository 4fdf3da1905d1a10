"""Generic channels (TikTok, YouTube, reviews, an integrator): actions go to the channel's reply URL.

A generic channel only has an outbound side if its `api_base_url` is set. Each action is
one signed JSON POST there, Stripe style, the same scheme as our inbound generic webhook:

    POST {api_base_url}
    Content-Type: application/json
    Idempotency-Key: <uuid of the action; the receiver must dedupe on it>
    X-CommunityOps-Timestamp: <unix seconds>
    X-CommunityOps-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the channel's app secret>

    {"action": "reply|hide|unhide|delete|approve|spam|trash", "idempotency_key": "...",
     "item_external_id": "...", "thread_external_id": "...", "parent_external_id": "...", "text": "..."}

The receiver answers 2xx, optionally with {"id": "<its id of the created reply>"}.
Without a reply URL the channel supports no action: agents answer on the platform itself.
"""

import hashlib
import hmac
import json
import time

from ..models import Item, OutboundAction
from .base import Connector, ConnectorError, http_request

SIGNATURE_HEADER = "X-CommunityOps-Signature"
TIMESTAMP_HEADER = "X-CommunityOps-Timestamp"


def generic_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class GenericWebhookConnector(Connector):
    supported = frozenset(OutboundAction.Kind.values)

    def supports(self, kind: str) -> bool:
        return bool(self.channel.api_base_url) and kind in self.supported

    def _post(self, *, action: str, item: Item, idempotency_key: str, text: str = "") -> str:
        if not self.channel.app_secret:
            raise ConnectorError("The channel has no secret to sign with.", retryable=False)
        body = json.dumps(
            {
                "action": action,
                "idempotency_key": idempotency_key,
                "item_external_id": item.external_id,
                "thread_external_id": item.thread_external_id,
                "parent_external_id": item.parent_external_id,
                "text": text,
            },
            ensure_ascii=False,
        ).encode()
        timestamp = str(int(time.time()))
        response = http_request(
            "POST",
            self.channel.api_base_url,
            raw_body=body,
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: generic_signature(secret=self.channel.app_secret, timestamp=timestamp, body=body),
            },
        )
        return str(response.body.get("id", "")) if isinstance(response.body, dict) else ""

    def send(self, *, action: OutboundAction) -> str:
        # Every action kind has the same shape here, so no per-kind methods are needed.
        if not self.supports(action.kind):
            raise ConnectorError("This channel has no reply URL.", retryable=False)
        return self._post(
            action=action.kind, item=action.item, idempotency_key=str(action.idempotency_key), text=action.text
        )
