"""The quote's admin page, where the admins' email about a request leads: what was asked for in words,
the price, and accepting it for a client right there (the changelist action's form and service)."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from billing.models import CoveragePlan, Quote
from billing.services import quote_accept, quote_create, quote_request_notify

from .conftest import pricing_input
from .test_admin_and_demo import admin_user

EVENINGS_AND_SATURDAY = [*((day, 17, 22) for day in range(5)), (5, 10, 14), (5, 18, 23)]
WEEKLY_HOURS_DE = "Montag–Freitag 17:00–22:00<br>Samstag 10:00–14:00, 18:00–23:00"


def _kranich_quote(*, start: date) -> Quote:
    return quote_create(
        pricing_input=pricing_input(
            windows=EVENINGS_AND_SATURDAY,
            state="HE",
            start=start,
            channels=3,
            comments_per_month=3000,
            response_minutes=30,
            crisis_on_call=True,
        ),
        name="Kranich Reisen",
    )


@pytest.fixture
def quote(rate_card) -> Quote:
    return _kranich_quote(start=date(2027, 3, 1))


def _readonly(label: str, value: str) -> str:
    """A row of the admin's read-only page, as Django renders it (whitespace runs as one space)."""
    return f'<label>{label}:</label> <div class="readonly">{value}</div>'


def _change_page(client, quote, *, language="de") -> str:
    response = client.get(reverse("admin:billing_quote_change", args=[quote.pk]), headers={"Accept-Language": language})
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    ("language", "rows"),
    [
        (
            "de",
            [
                ("Wöchentliche Zeiten", WEEKLY_HOURS_DE),
                ("Stunden pro Woche", "34"),
                ("Bundesland", "Hessen"),
                ("Feiertage", "betreut"),
                ("Zugesagte Reaktionszeit", "30 Min."),
                ("Kanäle", "3"),
                ("Erwartete Kommentare pro Monat", "3.000"),
                ("Krisen-Rufbereitschaft", "ja"),
                ("Zeitraum", "12 Monate, 01.03.2027 bis 29.02.2028"),
                ("Pro Monat, netto", "{monthly_recurring_net} €"),
                ("Summe brutto", "{gross} €"),
            ],
        ),
        (
            "en",
            [
                ("Weekly hours", "Monday–Friday 17:00–22:00<br>Saturday 10:00–14:00, 18:00–23:00"),
                ("Federal state", "Hesse"),
                ("Public holidays", "covered"),
                ("Promised response time", "30 min"),
                ("Expected comments per month", "3,000"),
                ("Crisis on-call", "yes"),
                ("Period", "12 months, Mar 1, 2027 to Feb 29, 2028"),
                ("Per month, net", "{monthly_recurring_net} €"),
                ("Gross total", "{gross} €"),
            ],
        ),
    ],
)
def test_the_quote_page_says_in_words_what_was_asked_for_and_its_price(client, user_factory, quote, language, rows):
    client.force_login(admin_user(user_factory))
    amounts = {name: _grouped(quote.result[name], language) for name in ("monthly_recurring_net", "gross")}

    page = _change_page(client, quote, language=language)

    for label, value in rows:
        assert _readonly(label, value.format(**amounts)) in page
    # The stored JSON only folded away at the end, for a quote that does not read.
    collapsed = page.index("<details>")
    assert page.index("&quot;coverage&quot;") > collapsed
    assert "&quot;" not in page[:collapsed]


def _grouped(amount: str, language: str) -> str:
    """ "93242.50" as the language writes money: "93.242,50" / "93,242.50"."""
    whole, cents = amount.split(".")
    groups = f"{int(whole):,}"
    return f"{groups.replace(',', '.')},{cents}" if language == "de" else f"{groups}.{cents}"


def test_an_admin_accepts_the_quote_on_the_page_the_request_mail_links_to(
    client, user_factory, client_factory, rate_card
):
    # The page accepts on the real today: the quote starts after it, so the plan starts on the quote's start.
    start = timezone.localdate() + timedelta(days=30)
    quote = _kranich_quote(start=start)
    admin = admin_user(user_factory)
    customer = client_factory(name="Kranich Reisen GmbH", federal_state="HE")
    Quote.objects.filter(pk=quote.pk).update(
        requester_name="Jana Kranich", requester_email="jana@kranich.example", requested_at=timezone.now()
    )
    quote_request_notify(quote=quote)
    admin_link = re.search(r"http://\S+(/admin/billing/quote/\d+/change/)", mail.outbox[0].body).group(1)
    client.force_login(admin)

    page = client.get(admin_link, headers={"Accept-Language": "de"}).content.decode()
    accept_url = reverse("admin:billing_quote_accept", args=[quote.pk])
    form = client.get(accept_url, headers={"Accept-Language": "de"})
    accepted = client.post(accept_url, {"client": customer.pk, "apply": "1"}, headers={"Accept-Language": "de"})
    after = _change_page(client, quote)

    assert f'<a href="{accept_url}">Für einen Kunden annehmen</a>' in page
    assert 'name="client"' in form.content.decode()
    assert "Dieses Angebot wird zum Betreuungsplan des gewählten Kunden" in form.content.decode()
    assert accepted.status_code == 302 and accepted["Location"] == admin_link
    plan = CoveragePlan.objects.get(client=customer)
    assert plan.quote == quote and plan.valid_from == start
    assert f"{quote} angenommen; der Betreuungsplan beginnt am {start:%d.%m.%Y}." in after
    client_link = reverse("admin:communityops_client_change", args=[customer.pk])
    plan_link = reverse("admin:billing_coverageplan_change", args=[plan.pk])
    assert (
        f'für <a href="{client_link}">Kranich Reisen GmbH</a>: Betreuungsplan <a href="{plan_link}">{start:%d.%m.%Y} – …</a>.'
    ) in after
    assert accept_url not in after
    plan_page = re.sub(r"\s+", " ", client.get(plan_link, headers={"Accept-Language": "de"}).content.decode())
    assert _readonly("Wöchentliche Zeiten", WEEKLY_HOURS_DE) in plan_page


def test_accepting_on_the_page_for_a_client_in_another_state_is_refused_there(
    client, user_factory, client_factory, quote
):
    customer = client_factory(name="Rheinbäckerei Köln", federal_state="NW")
    client.force_login(admin_user(user_factory))

    response = client.post(
        reverse("admin:billing_quote_accept", args=[quote.pk]),
        {"client": customer.pk, "apply": "1"},
        headers={"Accept-Language": "de"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("admin:billing_quote_change", args=[quote.pk]), 302)]
    assert (
        f"{quote}: Dieses Angebot wurde mit den Feiertagen von Hessen berechnet, Rheinbäckerei Köln liegt aber in"
        " Nordrhein-Westfalen"
    ) in response.content.decode()
    quote.refresh_from_db()
    assert (quote.accepted_at, quote.client) == (None, None)
    assert not CoveragePlan.objects.filter(client=customer).exists()


def test_accepting_an_accepted_quote_again_on_its_page_is_refused_there(client, user_factory, client_factory, quote):
    admin = admin_user(user_factory)
    customer, other = client_factory(federal_state="HE"), client_factory(federal_state="HE")
    quote_accept(acting_user=admin, quote=quote, client=customer)
    client.force_login(admin)

    response = client.post(
        reverse("admin:billing_quote_accept", args=[quote.pk]),
        {"client": other.pk, "apply": "1"},
        headers={"Accept-Language": "de"},
        follow=True,
    )

    assert f"{quote}: Dieses Angebot wurde bereits angenommen." in response.content.decode()
    assert not CoveragePlan.objects.filter(client=other).exists()


def test_a_start_in_the_past_is_refused_on_the_page_s_accept_form(client, user_factory, client_factory, quote):
    customer = client_factory(federal_state="HE")
    today = timezone.localdate()
    client.force_login(admin_user(user_factory))

    response = client.post(
        reverse("admin:billing_quote_accept", args=[quote.pk]),
        {"client": customer.pk, "valid_from": (today - timedelta(days=1)).isoformat(), "apply": "1"},
        headers={"Accept-Language": "de"},
    )

    assert response.status_code == 200
    assert f"Wählen Sie den {today:%d.%m.%Y} oder ein späteres Datum." in response.content.decode()
    assert not CoveragePlan.objects.filter(client=customer).exists()


def test_a_quote_that_does_not_read_still_opens_with_what_was_stored(client, user_factory, quote):
    # Bad stored data is a bug to find (the accept refuses it with an error), not a page that fails.
    broken = {**quote.pricing_input, "coverage": [{"weekday": 9, "start_hour": 17, "end_hour": 22}]}
    Quote.objects.filter(pk=quote.pk).update(pricing_input=broken)
    client.force_login(admin_user(user_factory))

    page = _change_page(client, quote)

    assert _readonly("Wöchentliche Zeiten", "-") in page
    assert "&quot;weekday&quot;: 9" in page
