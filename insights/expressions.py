"""PostgreSQL expressions the reports aggregate with, so every figure is computed in the database."""

from django.db.models import Aggregate, F, FloatField, Func


class PercentileCont(Aggregate):
    """`percentile_cont(p) WITHIN GROUP (ORDER BY expression)`: the interpolated percentile.

    PostgreSQL's ordered-set aggregate; NULLs are ignored, an empty group gives NULL.
    `filter=Q(...)` becomes `FILTER (WHERE ...)` after the WITHIN GROUP clause.
    """

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(percentile)s) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()
    arity = 1

    def __init__(self, expression, *, percentile: float, **extra):
        percentile = float(percentile)
        if not 0.0 <= percentile <= 1.0:
            raise ValueError("percentile must lie between 0 and 1")
        # Inlined as a literal: it is a validated float, and PostgreSQL wants a constant here.
        super().__init__(expression, percentile=repr(percentile), **extra)


class EpochSeconds(Func):
    """Seconds in an interval (or since 1970 for a timestamp), as double precision."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)::double precision"
    output_field = FloatField()
    arity = 1


def response_seconds():
    """Wall-clock seconds from arrival to the first response (NULL while unanswered)."""
    return EpochSeconds(F("first_response_at") - F("received_at"))
