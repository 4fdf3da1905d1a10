"""A request the rules refuse, and the one JSON shape every API refusal has.

A service raises a Refusal subclass (inbox.services.errors, crises.services); a page shows its
message, the API answers it through communityops.apis.api_exception_handler, never a view of its own.
"""

from http import HTTPStatus

from django.utils.translation import gettext_lazy as _


class Refusal(Exception):
    """Base of every expected refusal: `code` is stable for API clients, the message is for people,
    `details` (JSON values) say more to a program; the API answers with `status_code`."""

    code = "refused"
    status_code = HTTPStatus.BAD_REQUEST
    default_message = _("This action is not possible right now.")

    def __init__(self, message=None, **details):
        self.message = message or self.default_message
        self.details = details
        super().__init__(str(self.message))


def refusal_body(*, code: str, detail, details: dict | None = None) -> dict:
    """The body of every API refusal but invalid input: `{"code", "detail", "details"}`."""
    return {"code": code, "detail": str(detail), "details": details or {}}
