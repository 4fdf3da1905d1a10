"""The locks of billing, in one place so lock order and scope are visible.

Row locks are taken on the queried model's own row only (`of=("self",)`), never on rows a join
brings in (a coverage plan's default ordering joins the client). Querysets of several rows lock
them in id order. Where a service takes several of these locks, quote_accept shows the order: the
quote, then the client's row, then the client's coverage plans (coverage_plan_create). The one lock
that is not a row lock is rate_cards_publishing_lock, a table lock.
"""

from django.db import connection
from django.db.models import QuerySet

from communityops.models import Client

from .models import CoveragePlan, Quote, RateCard


def rate_cards_publishing_lock() -> None:
    """Publishing a rate card takes turns with other publishings (rate_card_publish), held to the end
    of the transaction; the next publisher then reads the newest version after the wait.

    A table lock, because a new version has no row to lock before it exists (locking the newest
    row let the second publisher keep the number it had read and fail on the unique version).
    SHARE ROW EXCLUSIVE conflicts with itself and with inserts, not with reads or with the
    foreign-key checks of quotes being saved against the current card (FOR KEY SHARE)."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {connection.ops.quote_name(RateCard._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def quote_qs_select_for_update() -> QuerySet[Quote]:
    """A saved quote being requested, notified about or accepted: the request, the admins' mail and
    the acceptance each happen once, whoever comes second finds the first's outcome."""
    return Quote.objects.order_by("pk").select_for_update(of=("self",))


def client_plans_changing_lock(*, client_id: int) -> None:
    """A client's coverage plan changes take turns on the client's row (coverage_plan_create), held
    to the end of the transaction; the next change then reads the plans after the wait, the new
    one among them, and closes it. (Locking the plans alone missed a plan created meanwhile: the
    second change kept the plans it had read and failed on the one-open-plan constraint.)

    FOR NO KEY UPDATE: items and other rows pointing at the client keep being inserted meanwhile
    (their foreign-key checks take FOR KEY SHARE, which this does not block)."""
    Client.objects.filter(pk=client_id).select_for_update(of=("self",), no_key=True).exists()


def coverage_plan_qs_select_for_update() -> QuerySet[CoveragePlan]:
    """A client's plans while a new one closes the open one (coverage_plan_create), after
    client_plans_changing_lock."""
    return CoveragePlan.objects.order_by("pk").select_for_update(of=("self",))
