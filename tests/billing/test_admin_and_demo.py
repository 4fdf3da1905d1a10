"""Admin: rate card edits publish versions, plans are added not edited. Demo seeding is idempotent."""

import io
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from billing.demo import seed_billing
from billing.models import BillingEvent, CoveragePlan, Quote, RateCard
from billing.pricing import PRESETS
from billing.selectors import rate_card_current
from billing.services import quote_accept, quote_create
from communityops.demo import seed_core
from communityops.models import Client, User

from .conftest import pricing_input


def admin_user(user_factory):
    return user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)


def test_editing_a_rate_card_publishes_a_new_version(client, user_factory, rate_card):
    client.force_login(admin_user(user_factory))
    data = {name: str(getattr(rate_card, name)) for name in RateCard.TERM_FIELDS}
    data.update(base_hourly_rate="45.00", note="2027 prices")

    response = client.post(reverse("admin:billing_ratecard_change", args=[rate_card.pk]), data)

    assert response.status_code == 302
    rate_card.refresh_from_db()
    newest = rate_card_current()
    assert rate_card.base_hourly_rate == Decimal("42.00")
    assert (newest.version, newest.base_hourly_rate) == (rate_card.version + 1, Decimal("45.00"))
    assert BillingEvent.objects.filter(rate_card=newest, kind=BillingEvent.Kind.RATE_CARD_PUBLISHED).exists()


def test_the_current_rate_card_is_read_never_created(db, django_assert_num_queries):
    seeded = RateCard.objects.get(version=1)  # the data migration's

    with django_assert_num_queries(1):
        current = rate_card_current()
    RateCard.objects.all().delete()
    with pytest.raises(RateCard.DoesNotExist, match="No active rate card"):
        rate_card_current()

    assert current == seeded
    assert not RateCard.objects.exists()


def grid_hours(*windows: tuple[int, int, int]) -> list[str]:
    """The week grid's checkbox values ("weekday-hour") of the hours `windows` cover."""
    return [f"{day}-{hour}" for day, start, end in windows for hour in range(start, end)]


def test_adding_a_plan_in_the_admin_closes_the_open_one(client, user_factory, client_factory, plan_factory):
    customer = client_factory(federal_state="HE")
    old = plan_factory(client=customer, windows=[(0, 9, 17)])
    start = timezone.localdate() + timedelta(days=30)
    client.force_login(admin_user(user_factory))

    response = client.post(
        reverse("admin:billing_coverageplan_add"),
        {
            "client": customer.pk,
            # Saturday and Sunday 10-20, and Sunday night into Monday 02:00.
            "hours": grid_hours((5, 10, 20), (6, 10, 20), (6, 22, 24), (0, 0, 2)),
            "federal_state": "HE",
            "holidays_covered": "on",
            "response_minutes": 30,
            "channels": 2,
            "comments_per_month": 500,
            "valid_from": start.isoformat(),
        },
    )

    assert response.status_code == 302
    old.refresh_from_db()
    new = CoveragePlan.objects.get(client=customer, valid_until__isnull=True)
    assert old.valid_until == start
    assert new.windows == [[0, 0, 2], [5, 10, 20], [6, 10, 20], [6, 22, 24]]
    # The success message names the plan with a German date (it said 2026-12-24).
    saved = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(f"{customer.name} · {start:%d.%m.%Y} – …" in message for message in saved), saved


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "de",
            [
                '<legend class="required">Betreute Stunden:</legend>',
                "Montag 09:00–10:00",
                'aria-label="Ganzen Montag umschalten"',
            ],
        ),
        (
            "en",
            [
                '<legend class="required">Covered hours:</legend>',
                "Monday 09:00–10:00",
                'aria-label="Toggle all of Monday"',
            ],
        ),
    ],
)
def test_the_plan_admin_offers_the_calculators_week_grid(client, user_factory, rate_card, language, texts):
    client.force_login(admin_user(user_factory))

    response = client.get(reverse("admin:billing_coverageplan_add"), headers={"accept-language": language})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<input type="checkbox" class="cell" name="hours"') == 7 * 24
    assert 'name="windows"' not in html
    assert "css/week_grid.css" in html and "js/week_grid.js" in html
    for text in texts:
        assert text in html


def test_a_saved_plan_opens_view_only_in_the_admin(client, user_factory, client_factory, plan_factory):
    customer = client_factory()
    plan = plan_factory(client=customer, windows=[(0, 9, 17)])
    client.force_login(admin_user(user_factory))

    response = client.get(
        reverse("admin:billing_coverageplan_change", args=[plan.pk]), headers={"Accept-Language": "en"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert customer.name in page
    assert not response.context["has_change_permission"]
    assert "Monday 09:00–17:00" in page and "Covered hours" not in page


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ([], "Bitte mindestens eine Stunde wählen."),
        (["0-9", "9-10"], "Bitte eine gültige Auswahl treffen. 9-10 ist keine gültige Auswahl."),
        (["0-24"], "Bitte eine gültige Auswahl treffen. 0-24 ist keine gültige Auswahl."),
    ],
)
def test_plan_admin_refuses_bad_hours_in_words(client, user_factory, client_factory, rate_card, hours, message):
    customer = client_factory()
    client.force_login(admin_user(user_factory))

    response = client.post(
        reverse("admin:billing_coverageplan_add"),
        {
            "client": customer.pk,
            "hours": hours,
            "federal_state": "BY",
            "response_minutes": 60,
            "channels": 1,
            "comments_per_month": 10,
            "valid_from": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hours"] == [message]
    assert message in response.content.decode()
    assert not CoveragePlan.objects.filter(client=customer).exists()


def test_admin_action_accepts_a_quote_for_a_client(client, user_factory, client_factory, rate_card):
    customer = client_factory(federal_state="BY")
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2026, 8, 1)))
    client.force_login(admin_user(user_factory))
    changelist = reverse("admin:billing_quote_changelist")

    ask = client.post(changelist, {"action": "accept_for_client", "_selected_action": [quote.pk]})
    done = client.post(
        changelist, {"action": "accept_for_client", "_selected_action": [quote.pk], "client": customer.pk, "apply": "1"}
    )

    assert ask.status_code == 200
    assert done.status_code == 302
    assert CoveragePlan.objects.get(client=customer).quote == quote


def test_admin_refuses_to_accept_a_quote_into_the_past(client, user_factory, client_factory, rate_card):
    customer = client_factory(federal_state="BY")
    today = timezone.localdate()
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=today + timedelta(days=10)))
    client.force_login(admin_user(user_factory))

    response = client.post(
        reverse("admin:billing_quote_changelist"),
        {
            "action": "accept_for_client",
            "_selected_action": [quote.pk],
            "client": customer.pk,
            "valid_from": (today - timedelta(days=1)).isoformat(),
            "apply": "1",
        },
    )

    assert response.status_code == 200
    assert (
        "Ein Betreuungsplan kann nicht in der Vergangenheit beginnen: Er würde bereits erstellte Abrechnungen"
        f" und Fälligkeiten ändern. Wählen Sie den {today:%d.%m.%Y} oder ein späteres Datum."
    ) in response.content.decode()
    assert not CoveragePlan.objects.filter(client=customer).exists()


def test_admin_accepts_a_quote_whose_start_has_passed_from_today(client, user_factory, client_factory, rate_card):
    customer = client_factory(federal_state="BY")
    today = timezone.localdate()
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=today - timedelta(days=40)))
    client.force_login(admin_user(user_factory))

    response = client.post(
        reverse("admin:billing_quote_changelist"),
        {"action": "accept_for_client", "_selected_action": [quote.pk], "client": customer.pk, "apply": "1"},
        follow=True,
    )

    assert CoveragePlan.objects.get(client=customer).valid_from == today
    assert f"der Betreuungsplan beginnt am {today:%d.%m.%Y}." in response.content.decode()


def test_accepting_an_accepted_quote_again_says_so_in_german(client, user_factory, client_factory, rate_card):
    customer = client_factory(federal_state="BY")
    admin = admin_user(user_factory)
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2026, 8, 1)))
    quote_accept(acting_user=admin, quote=quote, client=customer)
    client.force_login(admin)

    response = client.post(
        reverse("admin:billing_quote_changelist"),
        {"action": "accept_for_client", "_selected_action": [quote.pk], "client": customer.pk, "apply": "1"},
        follow=True,
    )

    with translation.override("de"):
        shown = f"{quote}: Dieses Angebot wurde bereits angenommen."
    assert shown.startswith("Angebot ")
    assert shown in response.content.decode()
    assert CoveragePlan.objects.filter(client=customer).count() == 1


def test_a_quote_priced_for_another_federal_state_is_not_accepted(client, user_factory, client_factory, rate_card):
    # The calculator starts in Bavaria: a prospect in Cologne who kept it got Bavaria's holidays in
    # the plan (due times, statements) while the client's page said North Rhine-Westphalia.
    customer = client_factory(name="Rheinbäckerei Köln", federal_state="NW")
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], state="BY", start=date(2026, 8, 1)))
    client.force_login(admin_user(user_factory))

    response = client.post(
        reverse("admin:billing_quote_changelist"),
        {"action": "accept_for_client", "_selected_action": [quote.pk], "client": customer.pk, "apply": "1"},
        follow=True,
    )

    assert (
        f"{quote}: Dieses Angebot wurde mit den Feiertagen von Bayern berechnet, Rheinbäckerei Köln liegt aber in"
        " Nordrhein-Westfalen"
    ) in response.content.decode()
    quote.refresh_from_db()
    assert (quote.accepted_at, quote.client) == (None, None)
    assert not CoveragePlan.objects.filter(client=customer).exists()


def test_a_rate_card_is_named_in_german_where_the_admin_shows_it(client, user_factory, rate_card):
    # The quote's page (the list leaves the rate card to it, and to its filter once there are two).
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2026, 8, 1)))
    client.force_login(admin_user(user_factory))

    page = client.get(reverse("admin:billing_quote_change", args=[quote.pk]), headers={"Accept-Language": "de"})

    assert f"Preisliste v{rate_card.version}" in page.content.decode()


def test_a_broken_quote_is_an_error_not_a_message_in_the_admin(client, user_factory, client_factory, rate_card):
    # Only refusals the service means for people are shown; a ValueError from bad stored data
    # is a bug to see in the error log, not a red line to click away.
    customer = client_factory(federal_state="BY")
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2026, 8, 1)))
    broken = {**quote.pricing_input, "coverage": [{"weekday": 9, "start_hour": 17, "end_hour": 22}]}
    Quote.objects.filter(pk=quote.pk).update(pricing_input=broken)
    client.force_login(admin_user(user_factory))

    with pytest.raises(ValueError, match="invalid window"):
        client.post(
            reverse("admin:billing_quote_changelist"),
            {"action": "accept_for_client", "_selected_action": [quote.pk], "client": customer.pk, "apply": "1"},
        )
    assert not CoveragePlan.objects.filter(client=customer).exists()


def test_quote_admin_shows_numbers_read_only(client, user_factory, rate_card):
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2026, 8, 1)))
    client.force_login(admin_user(user_factory))

    page = client.get(reverse("admin:billing_quote_change", args=[quote.pk]))

    assert page.status_code == 200
    assert 'name="gross"' not in page.content.decode()


def test_demo_seeding_is_idempotent(db):
    out = io.StringIO()
    seed_core(stdout=out)

    seed_billing(stdout=out)
    seed_billing(stdout=out)

    assert CoveragePlan.objects.count() == 3
    assert Quote.objects.count() == 1
    brewery = Client.objects.get(slug="brauhaus-isartal")
    plan = CoveragePlan.objects.get(client=brewery)
    assert (plan.response_minutes, plan.pattern) == (30, PRESETS["always"])


# Of two zones far from the agency's (Europe/Berlin, UTC+1/+2), one always has another date than Berlin.
FAR_ZONES = ("Pacific/Kiritimati", "Pacific/Pago_Pago")  # UTC+14 and UTC-11


@pytest.fixture
def far_client(client_factory):
    """A client whose today is not the agency's today (in the zone of FAR_ZONES where they differ now)."""
    zone = next(zone for zone in FAR_ZONES if timezone.localdate(timezone=ZoneInfo(zone)) != timezone.localdate())
    return client_factory(federal_state="BY", time_zone=zone)


def _plan_form(*, customer, valid_from: date) -> dict:
    return {
        "client": customer.pk,
        "hours": grid_hours((0, 9, 17)),
        "federal_state": "BY",
        "response_minutes": 60,
        "channels": 1,
        "comments_per_month": 10,
        "valid_from": valid_from.isoformat(),
    }


def test_plan_admin_refuses_a_start_before_the_clients_today(client, user_factory, far_client, rate_card):
    client_today = timezone.localdate(timezone=ZoneInfo(far_client.time_zone))
    client.force_login(admin_user(user_factory))

    refused = client.post(
        reverse("admin:billing_coverageplan_add"),
        _plan_form(customer=far_client, valid_from=client_today - timedelta(1)),
    )
    saved = client.post(
        reverse("admin:billing_coverageplan_add"), _plan_form(customer=far_client, valid_from=client_today)
    )

    assert refused.status_code == 200
    assert (
        "Ein Betreuungsplan kann nicht in der Vergangenheit beginnen: Er würde bereits erstellte Abrechnungen"
        f" und Fälligkeiten ändern. Wählen Sie den {client_today:%d.%m.%Y} oder ein späteres Datum."
    ) in refused.content.decode()
    assert saved.status_code == 302
    assert list(CoveragePlan.objects.filter(client=far_client).values_list("valid_from", flat=True)) == [client_today]


def test_admin_accepts_quotes_from_the_clients_today_not_the_agencys(client, user_factory, far_client, rate_card):
    client_today = timezone.localdate(timezone=ZoneInfo(far_client.time_zone))
    quotes = [
        quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=client_today + timedelta(days=10)))
        for _quote in range(2)
    ]
    client.force_login(admin_user(user_factory))

    def accept(quote, valid_from: date):
        return client.post(
            reverse("admin:billing_quote_changelist"),
            {
                "action": "accept_for_client",
                "_selected_action": [quote.pk],
                "client": far_client.pk,
                "valid_from": valid_from.isoformat(),
                "apply": "1",
            },
        )

    refused = accept(quotes[0], client_today - timedelta(days=1))
    accepted = accept(quotes[1], client_today)

    assert refused.status_code == 200
    assert f"Wählen Sie den {client_today:%d.%m.%Y} oder ein späteres Datum." in refused.content.decode()
    assert accepted.status_code == 302
    assert CoveragePlan.objects.get(client=far_client).quote == quotes[1]


def test_the_billing_history_names_what_each_event_concerns_in_no_more_queries(
    client, user_factory, client_factory, plan_factory, rate_card
):
    # The quote, plan and rate card columns (nullable keys, none of them loaded with the events)
    # read each row's quote, plan and the plan's client one query at a time.
    client.force_login(admin_user(user_factory))
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2026, 8, 1)))
    changelist = reverse("admin:billing_billingevent_changelist")
    with CaptureQueriesContext(connection) as one_event:
        client.get(changelist)
    for state in ("BY", "HE"):
        plan_factory(client=client_factory(federal_state=state), windows=[(0, 9, 17)])

    with CaptureQueriesContext(connection) as three_events:
        page = client.get(changelist).content.decode()

    assert len(three_events) == len(one_event)
    assert f"Angebot {quote.pk}</td>" in page
    assert page.count("Betreuungsplan 01.01.2026 – …</td>") == 2
