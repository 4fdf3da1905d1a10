"""Background work of billing (django-q2 tasks take ids)."""

from .models import Quote
from .services import quote_request_notify


def quote_request_notify_task(quote_id: int) -> int:
    """Tell the agency's admins that a prospect asked to take a quote up (once, however often it runs)."""
    return quote_request_notify(quote=Quote.objects.get(pk=quote_id))
