"""Background work of billing (django-q2 tasks take ids)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from communityops.models import User

from .models import Quote


def quote_request_notify_task(quote_id: int) -> int:
    """Tell the agency's admins that a prospect asked to take a quote up; returns how many were told."""
    quote = Quote.objects.get(pk=quote_id)
    admins = list(
        User.objects.filter(role=User.Role.ADMIN, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not admins:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        gross = number_format(quote.gross, decimal_pos=2, use_l10n=True, force_grouping=True)
        monthly = number_format(quote.monthly_average_net, decimal_pos=2, use_l10n=True, force_grouping=True)
        subject = _("Quote requested: %(name)s, %(gross)s EUR") % {"name": quote.name, "gross": gross}
        body = _(
            "%(name)s <%(email)s> asks you to take up quote %(number)s (%(gross)s EUR gross, %(monthly)s EUR a"
            " month on average).\n\n%(message)s\n\nThe quote: %(quote_url)s\nAccept it for a client in the admin:"
            " %(admin_url)s\n"
        ) % {
            "name": quote.name,
            "email": quote.email,
            "number": quote.pk,
            "gross": gross,
            "monthly": monthly,
            "message": quote.request_message or "—",
            "quote_url": settings.SITE_URL + reverse("billing:quote_detail", kwargs={"token": quote.token}),
            "admin_url": settings.SITE_URL + reverse("admin:billing_quote_change", args=[quote.pk]),
        }
    EmailMessage(subject, body, to=admins, reply_to=[quote.email]).send()
    return len(admins)
