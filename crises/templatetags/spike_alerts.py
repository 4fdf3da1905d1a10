from django import template

from crises.event_summaries import spike_alert_counts
from crises.models import SpikeAlert

register = template.Library()


@register.filter
def spike_counts(alert: SpikeAlert) -> str:
    """`{{ alert|spike_counts }}`: "32 in one hour, usually about 1" (spike_alert_counts)."""
    return spike_alert_counts(
        kind=alert.kind,
        observed=alert.observed,
        baseline=alert.baseline,
        window_start=alert.window_start,
        window_end=alert.window_end,
    )
