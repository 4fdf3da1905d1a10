from django import template

from communityops.durations import duration_text

register = template.Library()


@register.filter
def duration(minutes):
    """`{{ minutes|duration }}`: "9 h 55 min" (communityops.durations); None stays None."""
    return duration_text(minutes)
