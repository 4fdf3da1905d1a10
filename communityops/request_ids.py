"""A request id on every log line a request causes, and on its response (X-Request-ID).

The TLS proxy's id is kept when it sends a well-formed one (nginx: `proxy_set_header X-Request-ID
$request_id`), so its access log and the app's name the same request; otherwise one is made here.
"""

import logging
import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"
# The header comes from outside: anything else (spaces, line breaks, a novel) is not written to the log.
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

_current_request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if WELL_FORMED_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Kept until the request has finished: Django logs a 4xx/5xx response after the middleware.
        _current_request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished)
def _request_id_clear(**kwargs) -> None:
    _current_request_id.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Gives each record the id of the request being served ("-" outside one, as in the task worker)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current_request_id.get()
        return True
