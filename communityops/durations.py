"""A span of time as people read it: "9 h 55 min", German "9 Std. 55 Min.".

The one wording of durations on pages (reports, statements, the inbox); inbox.js's countdown
uses the same units. Pages show whole minutes; CSV exports and the API keep the plain number.
"""

from decimal import Decimal

from django.utils.translation import pgettext


def duration_text(minutes: float | Decimal | None) -> str | None:
    """`minutes` in hours and whole minutes; under a minute (but not none) is "< 1 min"; a span
    below zero (clocks apart) counts as none."""
    if minutes is None:
        return None
    minutes = max(minutes, 0)
    whole = int(Decimal(str(minutes)).quantize(Decimal("1"), rounding="ROUND_HALF_UP"))
    if whole == 0 and minutes > 0:
        return pgettext("a duration", "< 1 min")
    hours, rest = divmod(whole, 60)
    if not hours:
        return pgettext("a duration", "%(minutes)d min") % {"minutes": rest}
    if not rest:
        return pgettext("a duration", "%(hours)d h") % {"hours": hours}
    return pgettext("a duration", "%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
