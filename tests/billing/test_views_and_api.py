"""The public calculator, shared quotes and the pricing API: same service, same numbers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers
from rest_framework.throttling import ScopedRateThrottle

from billing.apis import QuoteApi
from billing.forms import default_calculator_data
from billing.models import BillingEvent, Quote
from billing.pricing import PRESETS, WeeklyPattern
from tests.communityops.test_translations import INFORMAL

API_URL = "/api/billing/quote/"
NEXT_YEAR = timezone.localdate().year + 1  # a quoted period starts today or later


def form_data(pattern: WeeklyPattern, **overrides) -> dict:
    data = {
        "hours": [f"{day}-{hour}" for day, hour in pattern.cells()],
        "federal_state": "BY",
        "holidays_covered": "on",
        "channels": 2,
        "comments_per_month": 2500,
        "response_minutes": 60,
        "start": f"{NEXT_YEAR}-03-01",
        "months": 12,
    }
    data.update(overrides)
    return data


def api_payload(pattern: WeeklyPattern, **overrides) -> dict:
    payload = {
        "coverage": [{"weekday": d, "start_hour": s, "end_hour": e} for d, s, e in pattern.windows()],
        "federal_state": "BY",
        "holidays_covered": True,
        "channels": 2,
        "comments_per_month": 2500,
        "response_minutes": 60,
        "crisis_on_call": False,
        "start": f"{NEXT_YEAR}-03-01",
        "months": 12,
    }
    payload.update(overrides)
    return payload


def test_calculator_is_public_and_shows_a_price(client, rate_card):
    response = client.get(reverse("billing:calculator"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="hours" value="0-17"' in html
    assert 'aria-label="' in html
    assert 'hx-post="/pricing/preview/"' in html
    assert response.context["result"]["gross"]


def test_enter_in_a_field_recalculates_and_saves_no_quote(client, rate_card):
    # A browser's implicit submission (Enter) presses the form's first submit button.
    html = client.get(reverse("billing:calculator"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    start = html.index('<form id="calculator"')
    form = html[start : html.index("</form>", start)]

    first_button = form[form.index('type="submit"') :]
    first_button = first_button[: first_button.index("</button>")]
    assert "formaction" not in first_button and "Recalculate" in first_button


def test_the_period_reads_as_its_first_and_last_day(client, rate_card):
    response = client.post(
        reverse("billing:preview"), {**default_calculator_data(), "start": f"{NEXT_YEAR}-01-01", "months": 12}
    )

    assert f"12 Monate, 01.01.{NEXT_YEAR} bis 31.12.{NEXT_YEAR}" in response.content.decode()


def test_a_period_from_the_15th_reads_as_its_months_and_says_how_fees_are_charged(client, rate_card):
    data = {
        **default_calculator_data(),
        "hours": ["0-9", "0-10"],
        "channels": 1,
        "comments_per_month": 0,
        "start": f"{NEXT_YEAR}-07-15",
        "months": 12,
    }

    response = client.post(reverse("billing:preview"), data)

    html = response.content.decode()
    assert f"12 Monate, 15.07.{NEXT_YEAR} bis 14.07.{NEXT_YEAR + 1}" in html
    assert "einmal je Vertragsmonat, insgesamt 12-mal" in html
    assert response.context["result"]["channel_fees"] == "1080.00"
    assert len(response.context["month_rows"]) == 13


def test_a_period_from_the_1st_has_no_partial_month_note(client, rate_card):
    response = client.post(reverse("billing:preview"), {**default_calculator_data(), "start": f"{NEXT_YEAR}-01-01"})

    assert "Vertragsmonat" not in response.content.decode()


def test_calculator_speaks_english_too(client, rate_card):
    response = client.get(reverse("billing:calculator"), HTTP_ACCEPT_LANGUAGE="en")

    assert "What does your coverage cost?" in response.content.decode()


def test_preview_returns_only_the_breakdown_fragment(client, rate_card):
    response = client.post(reverse("billing:preview"), default_calculator_data(), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="breakdown"')
    assert "<html" not in html


@pytest.mark.parametrize(
    "bad",
    [
        {"hours": []},
        {"hours": ["9-99"]},
        {"channels": "-3"},
        {"comments_per_month": "lots"},
        {"response_minutes": "7"},
        {"federal_state": "XX"},
        {"months": "0"},
        {"start": "1999-01-01"},
    ],
)
def test_invalid_input_shows_errors_never_a_500(client, rate_card, bad):
    data = {**default_calculator_data(), **bad}

    preview = client.post(reverse("billing:preview"), data)
    save = client.post(reverse("billing:quote_save"), data)

    assert preview.status_code == 200
    assert 'role="alert"' in preview.content.decode()
    assert save.status_code == 400
    assert not Quote.objects.exists()


def test_a_start_in_the_past_is_refused_and_today_is_not(client, rate_card):
    today = timezone.localdate()
    yesterday = {**default_calculator_data(), "start": (today - timedelta(days=1)).isoformat()}

    refused = client.post(reverse("billing:quote_save"), yesterday, headers={"Accept-Language": "en"})
    accepted = client.post(reverse("billing:quote_save"), {**yesterday, "start": today.isoformat()})

    assert refused.status_code == 400
    assert "The start cannot be in the past." in refused.content.decode()
    assert accepted.status_code == 302
    assert [quote.pricing_input["start"] for quote in Quote.objects.all()] == [today.isoformat()]


def test_the_api_refuses_a_start_in_the_past_with_the_calculators_reason(client, rate_card):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()

    response = client.post(
        API_URL,
        api_payload(PRESETS["office"], start=yesterday),
        content_type="application/json",
        headers={"Accept-Language": "de"},
    )

    assert response.status_code == 400
    assert response.json() == {"start": ["Der Beginn darf nicht in der Vergangenheit liegen."]}


def test_the_api_answers_bad_german_requests_in_the_sie_form(client, rate_card):
    # REST framework's own German says "Stelle sicher, ..." and "Nutze ..." (locale_overrides).
    payload = api_payload(PRESETS["office"], channels=0, months=99, start="morgen")

    response = client.post(API_URL, payload, content_type="application/json", headers={"Accept-Language": "de"})

    assert response.status_code == 400
    assert response.json() == {
        "channels": ["Stellen Sie sicher, dass dieser Wert größer oder gleich 1 ist."],
        "months": ["Stellen Sie sicher, dass dieser Wert kleiner oder gleich 36 ist."],
        "start": ["Das Datum hat das falsche Format. Verwenden Sie stattdessen eines dieser Formate: YYYY-MM-DD."],
    }


def _error_messages(field) -> list:
    """Every error message a serializer field, or a serializer and its nested fields, can return."""
    messages = list(field.error_messages.values())
    if isinstance(field, serializers.ListSerializer):
        messages += _error_messages(field.child)
    if isinstance(field, serializers.Serializer):
        for child in field.fields.values():
            messages += _error_messages(child)
    return messages


def test_no_error_the_quote_api_can_return_says_du_in_german():
    with translation.override("de"):
        german = [str(message) for message in _error_messages(QuoteApi.InputSerializer())]

    assert len(german) > 30
    assert [text for text in german if INFORMAL.search(text)] == []


def test_a_bad_email_is_refused_in_the_sie_form_of_the_rest_of_the_page(client, rate_card):
    # REST framework's German catalogue ("Gib eine gültige ...") overrode Django's for this message.
    save = client.post(reverse("billing:quote_save"), {**default_calculator_data(), "email": "not-an-address"})

    assert save.status_code == 400
    assert "Bitte geben Sie eine gültige E-Mail-Adresse ein." in save.content.decode()


def test_the_live_price_follows_the_pricing_inputs_whatever_the_contact_fields_hold(client, rate_card):
    data = form_data(PRESETS["weekends"], name="x" * 300, email="not-an-address")

    preview = client.post(reverse("billing:preview"), data)

    assert preview.status_code == 200
    assert preview.context["result"]["gross"]
    assert 'role="alert"' not in preview.content.decode()


def test_recalculating_without_javascript_keeps_an_unfinished_email_and_shows_the_price(client, rate_card):
    response = client.post(reverse("billing:calculator"), form_data(PRESETS["weekends"], email="inhaber@"))

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"]["gross"]
    assert 'value="inhaber@"' in html
    assert "errorlist" not in html


def test_saving_with_a_bad_email_says_so_by_the_email_and_loses_nothing_typed(client, rate_card):
    data = form_data(PRESETS["weekends"], channels=5, name="Café Kranich", email="not-an-address")

    save = client.post(reverse("billing:quote_save"), data, headers={"Accept-Language": "en"})

    html = save.content.decode()
    assert save.status_code == 400
    assert not Quote.objects.exists()
    assert save.context["contact_form"].errors == {"email": ["Enter a valid email address."]}
    assert save.context["result"]["gross"]  # the price stays in view
    assert 'value="not-an-address"' in html and 'value="Café Kranich"' in html
    assert 'name="channels" value="5"' in html
    assert 'value="5-3" id="hour-5-3" aria-label="Saturday 03:00–04:00" data-day="5" checked' in html


def test_saved_quote_is_shared_by_an_unguessable_link_that_works_anonymously(client, rate_card):
    response = client.post(
        reverse("billing:quote_save"), form_data(PRESETS["evenings"], name="Café Kranich", email="a@b.example")
    )

    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("billing:quote_detail", kwargs={"token": quote.token})
    assert len(quote.token) >= 32
    assert quote.rate_card == rate_card
    assert BillingEvent.objects.filter(quote=quote, kind=BillingEvent.Kind.QUOTE_SAVED).exists()
    client.logout()
    shared = client.get(response.url)
    assert shared.status_code == 200
    assert shared.context["result"]["gross"] == str(quote.gross)
    assert "Café Kranich" in shared.content.decode()
    assert client.get(reverse("billing:quote_detail", kwargs={"token": "not-the-token"})).status_code == 404


def test_quote_keeps_its_rate_card_version_after_a_price_change(client, rate_card, user_factory):
    from billing.services import rate_card_publish

    client.post(reverse("billing:quote_save"), form_data(PRESETS["evenings"]))
    quote = Quote.objects.get()
    terms = {name: getattr(rate_card, name) for name in rate_card.TERM_FIELDS}
    rate_card_publish(acting_user=None, terms={**terms, "base_hourly_rate": Decimal("50.00")})

    shared = client.get(reverse("billing:quote_detail", kwargs={"token": quote.token}))

    assert shared.context["result"]["gross"] == str(quote.gross)
    assert shared.context["is_current_rate_card"] is False


def test_api_prices_a_pattern(client, rate_card):
    response = client.post(API_URL, api_payload(PRESETS["office"]), content_type="application/json")

    body = response.json()
    assert response.status_code == 200
    assert body["rate_card_version"] == rate_card.version
    assert len(body["months"]) == 12
    assert Decimal(body["gross"]) == Decimal(body["net"]) + Decimal(body["vat"])


def test_api_counts_the_contract_months_of_a_period_from_the_15th(client, rate_card):
    payload = api_payload(PRESETS["office"], start=f"{NEXT_YEAR}-07-15", channels=1, comments_per_month=0)

    body = client.post(API_URL, payload, content_type="application/json").json()

    assert (body["contract_months"], len(body["months"])) == (12, 13)
    assert body["channel_fees"] == "1080.00"
    assert Decimal(body["monthly_average_net"]) == (Decimal(body["net"]) / 12).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"coverage": []}, "coverage"),
        ({"coverage": [{"weekday": 7, "start_hour": 9, "end_hour": 17}]}, "coverage"),
        ({"federal_state": "XX"}, "federal_state"),
        ({"response_minutes": 45}, "response_minutes"),
        ({"channels": 0}, "channels"),
        ({"comments_per_month": -1}, "comments_per_month"),
        ({"months": 99}, "months"),
        ({"start": "not a date"}, "start"),
    ],
)
def test_api_rejects_bad_input_with_field_errors(client, rate_card, payload, field):
    response = client.post(API_URL, api_payload(PRESETS["office"], **payload), content_type="application/json")

    assert response.status_code == 400
    assert field in response.json()


def test_api_refuses_a_window_that_ends_where_it_starts(client, rate_card):
    payload = api_payload(PRESETS["office"], coverage=[{"weekday": 0, "start_hour": 9, "end_hour": 9}])

    response = client.post(API_URL, payload, content_type="application/json", headers={"Accept-Language": "en"})

    assert response.status_code == 400
    assert response.json() == {
        "coverage": {
            "0": {"non_field_errors": ["A window needs different start and end hours; for a whole day give 0 to 24."]}
        }
    }


def test_api_is_rate_limited(client, rate_card, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"public_quote": "2/minute"})
    payload = api_payload(PRESETS["office"], months=1)

    statuses = [client.post(API_URL, payload, content_type="application/json").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_api_is_in_the_openapi_schema(client, user_factory):
    from communityops.models import User

    client.force_login(user_factory(role=User.Role.ADMIN))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()

    assert "/api/billing/quote/" in schema
    assert "billing_quote_price" in schema


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    mask=st.integers(min_value=1, max_value=(1 << 168) - 1),
    state=st.sampled_from(["BY", "BE", "BB", "NW"]),
    holidays=st.booleans(),
    comments=st.integers(0, 20_000),
    response_minutes=st.sampled_from([15, 30, 60, 240]),
    crisis=st.booleans(),
)
def test_page_and_api_agree(client, rate_card, mask, state, holidays, comments, response_minutes, crisis):
    pattern = WeeklyPattern(mask)
    page_data = form_data(
        pattern, federal_state=state, comments_per_month=comments, response_minutes=response_minutes, months=3
    )
    if not holidays:
        del page_data["holidays_covered"]
    if crisis:
        page_data["crisis_on_call"] = "on"

    page = client.post(reverse("billing:preview"), page_data)
    api = client.post(
        API_URL,
        api_payload(
            pattern,
            federal_state=state,
            holidays_covered=holidays,
            comments_per_month=comments,
            response_minutes=response_minutes,
            crisis_on_call=crisis,
            months=3,
        ),
        content_type="application/json",
    )

    shown = page.context["result"]
    returned = api.json()
    for key in ("net", "vat", "gross", "labour", "surcharges", "monthly_average_net"):
        assert Decimal(shown[key]) == Decimal(returned[key])
    assert shown["covered_hours"] == returned["covered_hours"]
    assert [m["net"] for m in shown["months"]] == [m["net"] for m in returned["months"]]


def test_default_start_is_the_first_of_next_month(client, rate_card):
    data = default_calculator_data()

    response = client.post(reverse("billing:preview"), data)

    start = date.fromisoformat(response.context["result"]["period_start"])
    assert start.day == 1
    assert start > date.today().replace(day=1)


def test_calculator_speaks_german_by_default(client, rate_card):
    response = client.get(reverse("billing:calculator"), HTTP_ACCEPT_LANGUAGE="de")

    html = response.content.decode()
    assert "Was kostet Ihre Betreuung?" in html
    assert "Montag 18:00–19:00" in html
