"""A prospect asks the agency to take a saved quote up, from the quote's page."""

from django.core import mail
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from billing.forms import default_calculator_data
from billing.models import BillingEvent, Quote


def _saved_quote(client) -> Quote:
    client.post(reverse("billing:quote_save"), default_calculator_data())
    return Quote.objects.get()


def test_a_prospect_requests_the_quote_and_the_admins_hear_of_it_once(
    client, rate_card, user_factory, django_capture_on_commit_callbacks
):
    admin = user_factory(role="admin", email="chefin@agentur.example")
    quote = _saved_quote(client)
    url = reverse("billing:quote_request", args=[quote.token])
    page = client.get(reverse("billing:quote_detail", args=[quote.token]), headers={"Accept-Language": "en"})
    assert url in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"name": "Café Kranich", "email": "inhaber@kranich.example", "message": "Gern auch samstags."}
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, {"name": "Café Kranich", "email": "inhaber@kranich.example"})

    assert (response.status_code, again.status_code) == (302, 302)
    quote.refresh_from_db()
    assert (quote.name, quote.email, quote.request_message) == (
        "Café Kranich",
        "inhaber@kranich.example",
        "Gern auch samstags.",
    )
    assert quote.requested_at is not None
    assert BillingEvent.objects.filter(quote=quote, kind=BillingEvent.Kind.QUOTE_REQUESTED).count() == 1
    assert [message.to for message in mail.outbox] == [[admin.email]]
    assert "Café Kranich" in mail.outbox[0].subject
    assert "inhaber@kranich.example" in mail.outbox[0].body and quote.token in mail.outbox[0].body
    shown = client.get(response.url, headers={"Accept-Language": "en"}).content.decode()
    assert "We will get back to you within one working day." in shown
    assert url not in shown


def test_a_request_without_an_address_is_refused_with_the_reason(client, rate_card):
    quote = _saved_quote(client)

    response = client.post(
        reverse("billing:quote_request", args=[quote.token]),
        {"name": "Café Kranich", "email": ""},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    quote.refresh_from_db()
    assert quote.requested_at is None


def test_an_unknown_token_is_no_quote(client, rate_card):
    response = client.post(
        reverse("billing:quote_request", args=["no-such-token"]), {"name": "x", "email": "a@b.example"}
    )

    assert response.status_code == 404


def test_requests_from_one_address_are_rate_limited(client, rate_card, monkeypatch):
    # Each request emails the agency: a script must not be able to do that without end.
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {"public_quote": "60/minute", "public_quote_request": "1/hour"}
    )
    first = _saved_quote(client)
    client.post(reverse("billing:quote_save"), default_calculator_data())
    second = Quote.objects.exclude(pk=first.pk).get()
    contact = {"name": "Café Kranich", "email": "inhaber@kranich.example"}

    allowed = client.post(reverse("billing:quote_request", args=[first.token]), contact)
    refused = client.post(reverse("billing:quote_request", args=[second.token]), contact)

    assert (allowed.status_code, refused.status_code) == (302, 429)
    second.refresh_from_db()
    assert second.requested_at is None
