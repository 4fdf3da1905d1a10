"""Monthly statements: booked hours and their price, delivery figures from the inbox, access rules."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from billing.pricing import CATEGORIES
from billing.services import quote_accept, quote_create, quote_price, rate_card_publish
from billing.statements import StatementRow, _row_providers, client_statement, register_statement_row_provider
from communityops.models import User
from inbox.models import Item, OutboundAction

from .conftest import pricing_input

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = [(day, 9, 17) for day in range(5)]


@pytest.fixture
def march(client_factory, plan_factory, item_factory):
    """A client with office-hours coverage and a small, hand-made March 2026."""
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 1, 1), comments_per_month=1000)
    base = datetime(2026, 3, 10, 10, 0, tzinfo=BERLIN)
    answered = []
    for minutes, status in [(10, "answered"), (20, "answered"), (30, "closed"), (100, "answered")]:
        received = base + timedelta(hours=len(answered))
        answered.append(
            item_factory(
                client=client,
                received_at=received,
                status=status,
                first_response_at=received + timedelta(minutes=minutes),
                sla_due_at=received + timedelta(minutes=60),
            )
        )
    # Open, unanswered, overdue: due and missed.
    item_factory(
        client=client,
        received_at=datetime(2026, 3, 20, 10, 0, tzinfo=BERLIN),
        sla_due_at=datetime(2026, 3, 20, 11, 0, tzinfo=BERLIN),
    )
    # April: not in March's statement.
    item_factory(
        client=client,
        received_at=datetime(2026, 4, 1, 0, 30, tzinfo=BERLIN),
        status="answered",
        first_response_at=datetime(2026, 4, 1, 0, 40, tzinfo=BERLIN),
        sla_due_at=datetime(2026, 4, 1, 10, 0, tzinfo=BERLIN),
    )
    for item, status in [(answered[0], "sent"), (answered[1], "sent"), (answered[3], "failed")]:
        OutboundAction.objects.create(
            item=item, kind="reply", text="Danke!", status=status, sent_at=item.first_response_at
        )
    return client


def test_statement_figures_on_a_hand_made_month(march):
    statement = client_statement(client=march, year=2026, month=3, now=timezone.now())

    # 22 weekdays in March 2026, no Bavarian holiday: 176 hours, one agent each at 42.00 EUR.
    assert statement.hours_by_category["weekday_day"] == 176
    assert statement.covered_hours == 176
    assert statement.labour == Decimal("7392.00")
    assert statement.surcharges == Decimal("0.00")
    assert statement.channel_fees == Decimal("90.00")
    assert statement.net == Decimal("7482.00")
    assert statement.items_received == 5
    assert statement.items_handled == 4
    assert statement.items_answered == 4
    assert statement.replies_sent == 2
    assert statement.promised_minutes == 60
    assert statement.median_minutes == Decimal("25.0")  # between 20 and 30
    assert statement.p90_minutes == Decimal("79.0")  # 30 + 0.7 x (100 - 30)
    assert (statement.sla_met, statement.sla_due) == (3, 5)
    assert statement.sla_share == Decimal("60.0")


def test_statement_sla_share_leaves_out_items_that_needed_no_answer(march, item_factory):
    # Closed unanswered after its due time, and spam (answered or not): none of them needed an
    # answer, so they count neither as due nor as met (the client report leaves them out too).
    due = datetime(2026, 3, 24, 11, 0, tzinfo=BERLIN)
    for status, first_response_at in [("closed", None), ("hidden", None), ("spam", None), ("spam", due)]:
        item_factory(
            client=march,
            received_at=due - timedelta(hours=1),
            status=status,
            first_response_at=first_response_at,
            sla_due_at=due,
        )

    statement = client_statement(client=march, year=2026, month=3, now=timezone.now())

    assert (statement.sla_met, statement.sla_due) == (3, 5)
    assert statement.sla_share == Decimal("60.0")


def test_an_item_closed_unanswered_after_its_due_time_gives_no_sla_share(client_factory, plan_factory, item_factory):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 1, 1))
    received = datetime(2026, 3, 10, 10, 0, tzinfo=BERLIN)
    item_factory(client=client, received_at=received, status="closed", sla_due_at=received + timedelta(hours=1))

    statement = client_statement(client=client, year=2026, month=3, now=received + timedelta(days=1))

    assert (statement.sla_met, statement.sla_due) == (0, 0)
    assert statement.sla_share is None


def test_statement_splits_a_month_between_two_plans(client_factory, plan_factory):
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=OFFICE, valid_from=date(2026, 1, 1))
    plan_factory(client=client, windows=[(5, 10, 14)], valid_from=date(2026, 3, 16), channels=3)

    statement = client_statement(client=client, year=2026, month=3)

    # 1-15 March: 10 weekdays x 8 h; 16-31 March: Saturdays 21 and 28, 4 h each.
    assert statement.hours_by_category["weekday_day"] == 80 + 8
    assert statement.channel_fees == Decimal("270.00")


def test_the_months_statements_add_up_to_the_accepted_quote(client_factory, plan_factory):
    # 24/7 in Bavaria with its holidays, 2 channels, 3,000 comments, 60 minutes, crisis on-call,
    # a year from 1 January 2026. Each month's 1st keeps the 40 % (and a Sunday's class, as on
    # Monday 1 June) for 00:00-04:00, because the shift began the evening before.
    terms = {"channels": 2, "comments_per_month": 3000, "crisis_on_call": True, "holidays_covered": True}
    always = [(day, 0, 24) for day in range(7)]
    _rate_card, quote = quote_price(
        pricing_input=pricing_input(windows=always, start=date(2026, 1, 1), months=12, **terms)
    )
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=always, valid_from=date(2026, 1, 1), **terms)

    statements = [client_statement(client=client, year=2026, month=month) for month in range(1, 13)]

    assert quote.net - quote.setup_fee == Decimal("470854.80")
    assert sum(statement.net for statement in statements) == Decimal("470854.80")
    june = quote.months[5]
    assert (june.month, june.net) == (date(2026, 6, 1), Decimal("38582.00"))
    assert statements[5].net == Decimal("38582.00")
    assert statements[5].hours_by_category == {name: june.hours.get(name, 0) for name in CATEGORIES}
    assert [statement.net for statement in statements] == [month.net - month.setup_fee for month in quote.months]


def test_an_odd_rate_bills_the_accepted_quotes_months_to_the_cent(client_factory, user_factory, rate_card):
    # At 42.50 an hour a night hour's 25 % is 10.625: a month with an odd number of them has half a
    # cent. Wednesdays 20-21 from 1 March 2027 for 4 months (no Bavarian holiday on a Wednesday):
    #   month  Wednesdays  labour   surcharges exact -> cents  channel fee  net
    #   Mar    5           212.50   53.125 -> 53.13            90.00        355.63
    #   Apr    4           170.00   42.50                      90.00        302.50
    #   May    4           170.00   42.50                      90.00        302.50
    #   Jun    5           212.50   53.125 -> 53.13            90.00        355.63
    # Each month is billed by its own statement and rounded once there; the quote is the sum of its
    # months (surcharges 191.26, not 191.25 rounded over the period and then split).
    terms = {name: getattr(rate_card, name) for name in rate_card.TERM_FIELDS}
    rate_card_publish(acting_user=None, terms={**terms, "base_hourly_rate": Decimal("42.50")})
    quote = quote_create(
        pricing_input=pricing_input(windows=[(2, 20, 21)], start=date(2027, 3, 1), months=4, holidays_covered=False)
    )
    customer = client_factory(federal_state="BY")
    admin = user_factory(role=User.Role.ADMIN)
    quote_accept(acting_user=admin, quote=quote, client=customer, now=datetime(2027, 2, 1, tzinfo=BERLIN))

    billed = [client_statement(client=customer, year=2027, month=month).net for month in (3, 4, 5, 6)]

    # March bills the quote's one-off setup fee as well (490.00), as the quote's March does.
    assert billed == [Decimal("845.63"), Decimal("302.50"), Decimal("302.50"), Decimal("355.63")]
    assert [Decimal(month["net"]) for month in quote.result["months"]] == billed
    assert Decimal(quote.result["surcharges"]) == Decimal("191.26")
    assert quote.net == Decimal("1806.26")  # 765.00 + 191.26 + 4 x 90.00 + setup 490.00


def test_the_setup_fee_is_billed_once_in_the_month_the_accepted_quotes_plan_starts(
    client, client_factory, user_factory
):
    quote = quote_create(
        pricing_input=pricing_input(windows=[(2, 20, 21)], start=date(2027, 3, 1), months=4, holidays_covered=False)
    )
    customer = client_factory(federal_state="BY")
    admin = user_factory(role=User.Role.ADMIN)
    # Accepted to start mid-April: April's statement bills the setup, March's has no plan yet.
    quote_accept(
        acting_user=admin,
        quote=quote,
        client=customer,
        valid_from=date(2027, 4, 14),
        now=datetime(2027, 2, 1, tzinfo=BERLIN),
    )

    fees = [client_statement(client=customer, year=2027, month=month).setup_fee for month in (3, 4, 5)]
    client.force_login(admin)
    page = client.get(reverse("billing:statement", args=[customer.pk, 2027, 4]), headers={"Accept-Language": "en"})
    export = client.get(
        reverse("billing:statement_csv", args=[customer.pk, 2027, 4]), headers={"Accept-Language": "en"}
    )

    assert fees == [Decimal("0.00"), Decimal("490.00"), Decimal("0.00")]
    assert "One-off setup (EUR),490.00" in export.content.decode()
    assert "One-off setup" in page.content.decode()


def test_a_new_plan_on_the_1st_does_not_inherit_the_old_plans_evening(client_factory, plan_factory):
    # The old plan covered Sunday 31 May 2026 until midnight; the new one starts on Monday 1 June
    # as its own quote would: no shift running, so 00:00-04:00 are plain night hours.
    client = client_factory(federal_state="BY")
    plan_factory(client=client, windows=[(6, 20, 24)], valid_from=date(2026, 1, 1))
    plan_factory(client=client, windows=[(0, 0, 4)], valid_from=date(2026, 6, 1))

    june = client_statement(client=client, year=2026, month=6)

    # Mondays 1, 8, 15, 22 and 29 June, 00:00-04:00; on 1 June no shift began the evening before.
    assert {name: hours for name, hours in june.hours_by_category.items() if hours} == {"weekday_night": 20}


def test_statement_rows_from_a_registered_provider(march):
    def crises_rows(*, client, start, end):
        return [StatementRow(label="Crises", value="2")]

    register_statement_row_provider(crises_rows)
    try:
        statement = client_statement(client=march, year=2026, month=3)
    finally:
        _row_providers.remove(crises_rows)

    assert statement.extra_rows[-1] == StatementRow(label="Crises", value="2")


def test_admin_sees_the_statement_and_its_csv(client, march, user_factory):
    client.force_login(user_factory(role=User.Role.ADMIN))

    page = client.get(reverse("billing:statement", args=[march.pk, 2026, 3]))
    export = client.get(reverse("billing:statement_csv", args=[march.pk, 2026, 3]))

    assert page.status_code == 200
    assert "7.482,00" in page.content.decode()
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    # A German CSV, as German Excel reads it: ";" between cells, decimal commas.
    assert ";7482,00" in export.content.decode()
    assert ";79,0" in export.content.decode()


def test_the_german_csv_labels_every_row_in_sentence_case(client, march, user_factory):
    # It mixed "gebuchte Stunden" and "netto (EUR)" with "Agentenstunden" and "Abrechnung".
    client.force_login(user_factory(role=User.Role.ADMIN))

    export = client.get(reverse("billing:statement_csv", args=[march.pk, 2026, 3]), headers={"Accept-Language": "de"})

    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Abschnitt", "Posten", "Wert"]
    assert rows[1] == ["Abrechnung", "Status", "Endgültig"]
    assert list(dict.fromkeys(row[0] for row in rows[1:])) == [
        "Abrechnung",
        "Gebuchte Stunden",
        "Preis",
        "Service",
        "Sonstiges",
    ]
    assert [row[1] for row in rows if row[0] == "Preis"] == [
        "Betreute Stunden",
        "Agentenstunden",
        "Arbeitszeit (EUR)",
        "Zuschläge (EUR)",
        "Kanalgebühren (EUR)",
        "Krisen-Rufbereitschaft (EUR)",
        "Einmalige Einrichtung (EUR)",
        "Netto (EUR)",
    ]
    # "Sonstiges" holds other apps' rows as their pages word them ("davon ... eskaliert" under "Eröffnete Krisen").
    own_labels = [label for row in rows if row[0] != "Sonstiges" for label in row[:2]]
    assert [label for label in own_labels if not label[:1].isupper() and not label[:1].isdigit()] == []


def test_a_month_under_way_is_preliminary_and_one_to_come_a_forecast(client, march, user_factory):
    # Both looked final: the whole month's price beside "0 items received", and "next →" without end.
    client.force_login(user_factory(role=User.Role.ADMIN))
    today = timezone.localdate()
    coming = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    after = date(coming.year + (coming.month == 12), coming.month % 12 + 1, 1)
    english = {"Accept-Language": "en"}

    def page(day: date) -> str:
        return client.get(
            reverse("billing:statement", args=[march.pk, day.year, day.month]), headers=english
        ).content.decode()

    past, running, future = page(date(2026, 3, 1)), page(today), page(coming)
    running_csv = client.get(
        reverse("billing:statement_csv", args=[march.pk, today.year, today.month]), headers=english
    ).content.decode()

    assert "Preliminary:" not in past and "Forecast:" not in past
    assert f"The statement is final from {date_format(coming, 'SHORT_DATE_FORMAT')}." in running
    assert "Forecast:" in future
    assert reverse("billing:statement", args=[march.pk, after.year, after.month]) not in future
    assert running_csv.splitlines()[1] == "Statement,Status,Preliminary"


def test_client_contact_sees_their_own_statement(client, march, contact_user_for):
    client.force_login(contact_user_for(march))

    response = client.get(reverse("billing:statement", args=[march.pk, 2026, 3]))

    assert response.status_code == 200
    assert "portal" in response.content.decode()


def test_contact_of_another_client_gets_404(client, march, client_factory, contact_user_for):
    client.force_login(contact_user_for(client_factory()))

    assert client.get(reverse("billing:statement", args=[march.pk, 2026, 3])).status_code == 404
    assert client.get(reverse("billing:statement_csv", args=[march.pk, 2026, 3])).status_code == 404


def test_agents_may_not_see_statements(client, march, agent_for):
    client.force_login(agent_for(march))

    assert client.get(reverse("billing:statement", args=[march.pk, 2026, 3])).status_code == 403


def test_anonymous_is_sent_to_login(client, march):
    response = client.get(reverse("billing:statement", args=[march.pk, 2026, 3]))

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_invalid_month_is_404(client, march, user_factory):
    client.force_login(user_factory(role=User.Role.ADMIN))

    assert client.get(f"/pricing/statements/{march.pk}/2026-13/").status_code == 404


def test_item_statuses_used_by_the_statement_exist():
    assert {"answered", "closed", "new"} <= set(Item.Status.values)
