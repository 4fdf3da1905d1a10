"""Webhook endpoints: verify the sender, store the raw body, answer fast; processing runs in a task.

Answers: 200 accepted (also for a replayed generic event), 400 body unusable (still stored, with
the reason, see WebhookDelivery / IngestChange), 403 handshake or signature wrong (nothing
stored), 404 no such active channel, 413 body larger than MAX_BODY_BYTES.
"""

import hashlib
import hmac
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from communityops.forms import whole_number
from communityops.models import Channel

from .services.deliveries import DeliveryReceipt, generic_delivery_receive, meta_delivery_receive

MAX_BODY_BYTES = 5 * 1024 * 1024  # Meta's 1,000 changes are far below this
GENERIC_TOLERANCE_SECONDS = 300
META_PLATFORMS = (Channel.Platform.FACEBOOK_PAGE, Channel.Platform.INSTAGRAM_ACCOUNT)


def meta_signature_for(*, secret: str, body: bytes) -> str:
    """The X-Hub-Signature-256 header value Meta sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def generic_signature_for(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-CO-Signature header value: hex HMAC-SHA256 over "<timestamp>.<raw body>"."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def meta_signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    # Compared as bytes: compare_digest refuses a str with non-ASCII characters (TypeError), and a
    # header may carry any Latin-1 character.
    return (
        bool(secret)
        and bool(header)
        and hmac.compare_digest(meta_signature_for(secret=secret, body=body).encode(), header.encode())
    )


def generic_signature_valid(*, secret: str, body: bytes, timestamp: str, signature: str, now: float) -> bool:
    """Signature right and timestamp within 5 minutes either way (stops replays of old requests)."""
    seconds = whole_number(timestamp)
    if not secret or not signature or seconds is None or abs(now - seconds) > GENERIC_TOLERANCE_SECONDS:
        return False
    expected = generic_signature_for(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected.encode(), signature.encode())  # bytes: see meta_signature_valid


def _channel(channel_id: int, platforms) -> Channel | None:
    return (
        Channel.objects.select_related("client").filter(pk=channel_id, is_active=True, platform__in=platforms).first()
    )


def _read_body(request: HttpRequest) -> bytes | None:
    """The raw body, or None when it is larger than MAX_BODY_BYTES (checked before reading it all)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    # read() rather than .body: .body caps at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), our limit is ours.
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _too_large() -> JsonResponse:
    return JsonResponse({"error": f"body larger than {MAX_BODY_BYTES} bytes"}, status=413)


def _forbidden(reason: str) -> HttpResponse:
    return HttpResponse(reason, status=403, content_type="text/plain")


def _receipt_response(receipt: DeliveryReceipt) -> JsonResponse:
    if receipt.rejected:
        return JsonResponse({"error": receipt.error, "delivery": receipt.delivery.pk}, status=400)
    return JsonResponse(
        {"accepted": receipt.accepted, "duplicates": receipt.duplicates, "delivery": receipt.delivery.pk}
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(channel_id, META_PLATFORMS)
    if channel is None:
        return JsonResponse({"error": "no such channel"}, status=404)
    if request.method == "GET":
        token = request.GET.get("hub.verify_token", "")
        if (
            request.GET.get("hub.mode") != "subscribe"
            or not channel.verify_token
            or not hmac.compare_digest(token.encode(), channel.verify_token.encode())
        ):
            return _forbidden("verification failed")
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    body = _read_body(request)
    if body is None:
        return _too_large()
    if not meta_signature_valid(
        secret=channel.app_secret, body=body, header=request.headers.get("X-Hub-Signature-256", "")
    ):
        return _forbidden("invalid signature")
    return _receipt_response(meta_delivery_receive(channel=channel, body=body))


@csrf_exempt
@require_http_methods(["POST"])
def generic_webhook(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = _channel(channel_id, [Channel.Platform.GENERIC])
    if channel is None:
        return JsonResponse({"error": "no such channel"}, status=404)
    body = _read_body(request)
    if body is None:
        return _too_large()
    if not generic_signature_valid(
        secret=channel.app_secret,
        body=body,
        timestamp=request.headers.get("X-CO-Timestamp", ""),
        signature=request.headers.get("X-CO-Signature", ""),
        now=time.time(),
    ):
        return _forbidden("invalid signature or timestamp outside the 5-minute window")
    return _receipt_response(generic_delivery_receive(channel=channel, body=body))
