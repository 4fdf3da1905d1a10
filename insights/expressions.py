"""PostgreSQL expressions the reports aggregate with, so every figure is computed in the database."""

from django.db.models import F, FloatField, Func


class EpochSeconds(Func):
    """Seconds in an interval (or since 1970 for a timestamp), as double precision."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
    output_field = FloatField()
    arity = 1


def response_seconds():
    """Wall-clock seconds from arrival to the first response (NULL while unanswered)."""
    return EpochSeconds(F("first_response_at") - F("received_at"))
