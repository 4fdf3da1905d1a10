"""The locking querysets of billing, in one place so lock order and scope are visible.

Row locks are taken on the queried model's own row only (`of=("self",)`), never on rows a join
brings in (a coverage plan's default ordering joins the client). Querysets of several rows lock
them in id order. Where a service takes two of these locks, quote_accept shows the order: the
quote, then the client's coverage plans (coverage_plan_create). Billing takes no raw-SQL locks.
"""

from django.db.models import QuerySet

from .models import CoveragePlan, Quote, RateCard


def rate_card_qs_select_for_update() -> QuerySet[RateCard]:
    """The newest version first (rate_card_publish locks the first row; which row matters, not the
    order of several). A concurrent publish waits for it, but keeps the version it read before
    waiting and fails on RateCard.version's unique constraint instead of taking the next number."""
    return RateCard.objects.order_by("-version").select_for_update(of=("self",))


def quote_qs_select_for_update() -> QuerySet[Quote]:
    """A saved quote being requested, notified about or accepted: the request, the admins' mail and
    the acceptance each happen once, whoever comes second finds the first's outcome."""
    return Quote.objects.order_by("pk").select_for_update(of=("self",))


def coverage_plan_qs_select_for_update() -> QuerySet[CoveragePlan]:
    """A client's plans while a new one closes the open one (coverage_plan_create). Only the plans
    there were when the statement began are locked: a concurrent change waits, then its new open plan
    fails on coverage_plan_one_open_per_client instead of closing the plan the first change made."""
    return CoveragePlan.objects.order_by("pk").select_for_update(of=("self",))
