"""The crises' rows on a client's monthly statement: billing asks its registered providers for
them (billing.statements), so that billing never imports crises."""

from datetime import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from billing.statements import StatementRow
from communityops.models import Client

from .models import Crisis, CrisisItem


def crisis_statement_rows(*, client: Client, start: datetime, end: datetime) -> list[StatementRow]:
    """Crises opened in the month, how many escalated to the client's contacts, and the items
    linked to them."""
    opened = Crisis.objects.filter(client=client, created_at__gte=start, created_at__lt=end)
    counts = opened.aggregate(crises=Count("id"), escalated=Count("id", filter=Q(escalation_started_at__isnull=False)))
    linked = CrisisItem.objects.filter(crisis__in=opened).count()
    return [
        StatementRow(label=_("Crises opened"), value=str(counts["crises"])),
        StatementRow(label=_("of them escalated to your contacts"), value=str(counts["escalated"])),
        StatementRow(label=_("Items linked to a crisis"), value=str(linked)),
    ]
