"""PostgreSQL aggregates the ORM lacks, shared by the apps that compute figures in the database."""

from django.db.models import Aggregate, FloatField


class PercentileCont(Aggregate):
    """`percentile_cont(p) WITHIN GROUP (ORDER BY expression)`: the interpolated percentile.

    PostgreSQL's ordered-set aggregate; NULLs are ignored, an empty group gives NULL.
    `filter=Q(...)` becomes `FILTER (WHERE ...)` after the WITHIN GROUP clause. The result is
    double precision; over an interval pass `output_field=DurationField()`.
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
