"""The crises' rows on a client's monthly statement: billing asks its registered providers for
them (billing.statements), so that billing never imports crises."""

from datetime import datetime

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _

from billing.statements import StatementRow
from communityops.models import Client

from .models import Crisis, CrisisItem, Notification


def crisis_statement_rows(*, client: Client, start: datetime, end: datetime) -> list[StatementRow]:
    """Crises opened in the month, how many escalated to the client's contacts, and the items
    linked to them.

    Escalated to the contacts: an alert went out to one of them. An escalation that was
    acknowledged while its steps still alerted the agency only, or of a client without an
    escalation policy (it alerts only the agency), never reached them."""
    opened = Crisis.objects.filter(client=client, created_at__gte=start, created_at__lt=end)
    contact_alerted = Notification.objects.filter(
        crisis=OuterRef("pk"), recipient_key__startswith="contact:", status=Notification.Status.SENT
    )
    counts = opened.aggregate(crises=Count("id"), escalated=Count("id", filter=Exists(contact_alerted)))
    linked = CrisisItem.objects.filter(crisis__in=opened).count()
    return [
        StatementRow(label=_("Crises opened"), value=str(counts["crises"])),
        StatementRow(label=_("of them escalated to your contacts"), value=str(counts["escalated"])),
        StatementRow(label=_("Items linked to a crisis"), value=str(linked)),
    ]
