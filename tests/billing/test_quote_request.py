"""A prospect asks the agency to take a saved quote up, from the quote's page."""

import socket
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from rest_framework.throttling import ScopedRateThrottle

from billing.forms import default_calculator_data
from billing.models import BillingEvent, Quote
from billing.services import quote_create
from billing.tasks import quote_request_notify_task

from .conftest import pricing_input


def _saved_quote(client, **contact) -> Quote:
    client.post(reverse("billing:quote_save"), {**default_calculator_data(), **contact})
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
        again = client.post(
            url,
            {"name": "Café Kranich", "email": "inhaber@kranich.example"},
            follow=True,
            headers={"Accept-Language": "en"},
        )

    assert (response.status_code, again.status_code) == (302, 200)
    assert "This quote was requested already" in again.content.decode()
    quote.refresh_from_db()
    assert (quote.requester_name, quote.requester_email, quote.request_message) == (
        "Café Kranich",
        "inhaber@kranich.example",
        "Gern auch samstags.",
    )
    assert quote.requested_at is not None
    assert BillingEvent.objects.filter(quote=quote, kind=BillingEvent.Kind.QUOTE_REQUESTED).count() == 1
    assert [message.to for message in mail.outbox] == [[admin.email]]
    assert "Café Kranich" in mail.outbox[0].subject
    assert mail.outbox[0].reply_to == ["inhaber@kranich.example"]  # the admins answer the prospect
    assert "inhaber@kranich.example" in mail.outbox[0].body and quote.token in mail.outbox[0].body
    shown = client.get(response.url, headers={"Accept-Language": "en"}).content.decode()
    assert "We will get back to you within one working day." in shown
    assert url not in shown


def test_the_request_form_is_filled_in_with_the_quote_s_name_and_only_its_saver_sees_the_address(client, rate_card):
    quote = _saved_quote(client, name="Jörg Müller, Bäckerei Süß", email="joerg@baeckerei-suess.example")
    url = reverse("billing:quote_detail", args=[quote.token])

    saver = client.get(url).context["request_form"]
    client.logout()  # a new session: someone the link was passed to
    other = client.get(url).context["request_form"]

    assert (saver["name"].value(), saver["email"].value()) == (
        "Jörg Müller, Bäckerei Süß",
        "joerg@baeckerei-suess.example",
    )
    # The name is in the page's header for anyone with the link; the address is not theirs to see.
    assert (other["name"].value(), other["email"].value()) == ("Jörg Müller, Bäckerei Süß", "")
    assert not other.fields["email"].required
    shown = client.get(url, headers={"Accept-Language": "en"}).content.decode()
    assert "joerg@baeckerei-suess.example" not in shown
    assert 'id="id_email_helptext">Leave it empty and we answer at the address this quote was saved with.' in shown


def test_a_request_without_an_address_is_answered_at_the_one_the_quote_was_saved_with(
    client, rate_card, user_factory, django_capture_on_commit_callbacks
):
    user_factory(role="admin", email="chefin@agentur.example")
    quote = _saved_quote(client, name="Jörg Müller", email="joerg@baeckerei-suess.example")
    client.logout()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("billing:quote_request", args=[quote.token]), {"name": "Jörg Müller", "email": ""}
        )

    quote.refresh_from_db()
    assert response.status_code == 302
    assert quote.requester_email == "joerg@baeckerei-suess.example"
    assert mail.outbox[0].reply_to == ["joerg@baeckerei-suess.example"]


def test_the_admins_mail_labels_the_amounts_as_the_quote_s_page_does(
    client, rate_card, user_factory, django_capture_on_commit_callbacks
):
    user_factory(role="admin", email="chefin@agentur.example")
    quote = _saved_quote(client, name="Jörg Müller", email="joerg@baeckerei-suess.example")
    page = client.get(reverse("billing:quote_detail", args=[quote.token]), headers={"Accept-Language": "de"})

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("billing:quote_request", args=[quote.token]), {"name": "Jörg Müller", "email": ""})

    result = quote.result
    with translation.override("de"):
        monthly = number_format(Decimal(result["monthly_recurring_net"]), 2, use_l10n=True, force_grouping=True)
        setup = number_format(Decimal(result["setup_fee"]), 2, use_l10n=True, force_grouping=True)
    message = mail.outbox[0]
    assert f"{monthly} €" in page.content.decode()  # the page's headline, per month, net
    assert f"{monthly} € pro Monat, netto" in message.subject
    assert f"{monthly} € pro Monat, netto (zzgl. einmalige Einrichtung {setup} €)" in message.body
    assert "Monatsdurchschnitt" not in message.body


def test_a_request_keeps_the_name_and_email_the_quote_was_saved_with(
    client, rate_card, user_factory, django_capture_on_commit_callbacks
):
    user_factory(role="admin", email="chefin@agentur.example")
    quote = _saved_quote(client, name="Café Kranich", email="inhaber@kranich.example")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("billing:quote_request", args=[quote.token]),
            {"name": "Jana Kranich", "email": "jana@kranich.example"},
        )

    quote.refresh_from_db()
    assert (quote.name, quote.email) == ("Café Kranich", "inhaber@kranich.example")
    assert (quote.requester_name, quote.requester_email) == ("Jana Kranich", "jana@kranich.example")
    assert "Jana Kranich" in mail.outbox[0].subject
    assert mail.outbox[0].reply_to == ["jana@kranich.example"]
    page = client.get(reverse("billing:quote_detail", args=[quote.token])).content.decode()
    assert "Café Kranich" in page and "Jana Kranich" not in page


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


def test_requests_from_one_address_are_rate_limited_whatever_forwarded_for_it_claims(client, rate_card, monkeypatch):
    # Each request emails the agency: a script must not be able to do that without end, not by
    # sending its own X-Forwarded-For either (no proxy is trusted here), and a typo costs nothing.
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {"public_quote": "60/minute", "public_quote_request": "1/hour", "public_quote_request_everyone": "60/hour"},
    )
    quotes = []
    for _number in range(3):
        client.post(reverse("billing:quote_save"), default_calculator_data())
        quotes.append(Quote.objects.order_by("-pk").first())
    contact = {"name": "Café Kranich", "email": "inhaber@kranich.example"}

    typo = client.post(reverse("billing:quote_request", args=[quotes[0].token]), {**contact, "email": "kranich"})
    allowed = client.post(reverse("billing:quote_request", args=[quotes[0].token]), contact)
    refused = client.post(
        reverse("billing:quote_request", args=[quotes[1].token]), contact, headers={"X-Forwarded-For": "10.0.0.7"}
    )

    assert (typo.status_code, allowed.status_code, refused.status_code) == (400, 302, 429)
    assert Quote.objects.filter(requested_at__isnull=False).count() == 1


def test_everyone_together_is_capped_too(client, rate_card, monkeypatch, settings):
    # Behind a trusted proxy each address has its own share; all together still have a cap.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {"public_quote": "60/minute", "public_quote_request": "5/hour", "public_quote_request_everyone": "2/hour"},
    )
    statuses = []
    for number in range(3):
        client.post(reverse("billing:quote_save"), default_calculator_data())
        quote = Quote.objects.order_by("-pk").first()
        response = client.post(
            reverse("billing:quote_request", args=[quote.token]),
            {"name": f"Prospect {number}", "email": f"p{number}@example.org"},
            headers={"X-Forwarded-For": f"198.51.100.{number}"},
        )
        statuses.append(response.status_code)

    assert statuses == [302, 302, 429]


def test_a_name_over_two_lines_is_refused_before_it_reaches_a_mail_subject(client, rate_card):
    quote = _saved_quote(client)

    response = client.post(
        reverse("billing:quote_request", args=[quote.token]),
        {"name": "Café\r\nBcc: everyone@example.org", "email": "a@b.example"},
    )

    quote.refresh_from_db()
    assert response.status_code == 302  # collapsed onto one line
    assert quote.requester_name == "Café Bcc: everyone@example.org"


@pytest.fixture
def requested_quote(rate_card, user_factory) -> Quote:
    """A quote as quote_request leaves it before its notify task runs (the task is left to the test)."""
    user_factory(role="admin", email="chefin@agentur.example")
    quote = quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=date(2026, 8, 1)))
    Quote.objects.filter(pk=quote.pk).update(
        requester_name="Café Kranich", requester_email="inhaber@kranich.example", requested_at=timezone.now()
    )
    return quote


def test_the_notify_task_delivered_twice_sends_one_mail(requested_quote):
    # django-q2's ORM broker may hand the same task to two workers, one after the other.
    first = quote_request_notify_task(requested_quote.pk)
    second = quote_request_notify_task(requested_quote.pk)

    requested_quote.refresh_from_db()
    notified = BillingEvent.objects.filter(quote=requested_quote, kind=BillingEvent.Kind.QUOTE_REQUEST_NOTIFIED)
    assert (first, second) == (1, 0)
    assert [message.to for message in mail.outbox] == [["chefin@agentur.example"]]
    assert requested_quote.notified_at is not None
    assert notified.count() == 1


def test_a_failed_send_leaves_the_request_unnotified_and_the_retry_sends_it(requested_quote, settings):
    working_mailers = settings.MAILERS
    with socket.socket() as probe:  # a port nobody listens on: the mail server is down
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": closed_port, "timeout": 5},
        }
    }

    with pytest.raises(OSError):
        quote_request_notify_task(requested_quote.pk)
    requested_quote.refresh_from_db()
    assert requested_quote.notified_at is None

    settings.MAILERS = working_mailers
    quote_request_notify_task(requested_quote.pk)

    requested_quote.refresh_from_db()
    assert requested_quote.notified_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_the_notify_task_send_one_mail(requested_quote):
    start = threading.Barrier(4)
    told = []

    def run():
        try:
            start.wait()
            told.append(quote_request_notify_task(requested_quote.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(told) == [0, 0, 0, 1]
    assert len(mail.outbox) == 1
