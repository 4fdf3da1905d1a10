"""Quotes in the admin: one never accepted may be deleted with its events (the prospect's personal
data goes with it); an accepted one is a business record, never deleted."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from billing.models import BillingEvent, CoveragePlan, Quote
from billing.services import QuoteDeleteRefused, quote_accept, quote_create, quote_request, quotes_delete

from .conftest import pricing_input
from .test_admin_and_demo import admin_user


@pytest.fixture
def quote_factory(rate_card):
    def make(name: str) -> Quote:
        start = timezone.localdate() + timedelta(days=40)
        return quote_create(pricing_input=pricing_input(windows=[(0, 17, 22)], start=start), name=name)

    return make


@pytest.fixture
def requested(quote_factory) -> Quote:
    quote = quote_factory("Kranich Reisen")
    quote_request(quote=quote, name="Erika Kranich", email="erika@kranich.example", message="Bitte anrufen")
    return quote


@pytest.fixture
def accepted(quote_factory, user_factory, client_factory) -> Quote:
    quote = quote_factory("Brauhaus Isartal")
    quote_accept(acting_user=admin_user(user_factory), quote=quote, client=client_factory(federal_state="BY"))
    return Quote.objects.get(pk=quote.pk)


def _change_page(client, quote) -> str:
    return client.get(reverse("admin:billing_quote_change", args=[quote.pk])).content.decode()


def test_a_quote_never_accepted_is_deleted_with_the_prospects_data(client, user_factory, requested):
    client.force_login(admin_user(user_factory))
    delete_url = reverse("admin:billing_quote_delete", args=[requested.pk])

    page = _change_page(client, requested)
    response = client.post(delete_url, {"post": "yes"})

    assert delete_url in page
    assert response.status_code == 302
    assert not Quote.objects.filter(pk=requested.pk).exists()
    assert not BillingEvent.objects.filter(data__email="erika@kranich.example").exists()


def test_the_admin_history_keeps_no_prospects_name_once_the_quote_is_deleted(client, user_factory, requested):
    client.force_login(admin_user(user_factory))

    client.post(
        reverse("admin:billing_quote_delete", args=[requested.pk]), {"post": "yes"}, headers={"Accept-Language": "en"}
    )

    [entry] = LogEntry.objects.filter(object_id=str(requested.pk), content_type__model="quote")
    assert (entry.action_flag, entry.object_repr) == (DELETION, f"Quote {requested.pk}")


def test_an_accepted_quote_has_no_delete_link_and_is_not_deleted(client, user_factory, accepted):
    client.force_login(admin_user(user_factory))
    delete_url = reverse("admin:billing_quote_delete", args=[accepted.pk])

    page = _change_page(client, accepted)
    asked = client.get(delete_url)
    posted = client.post(delete_url, {"post": "yes"})

    assert delete_url not in page
    assert (asked.status_code, posted.status_code) == (403, 403)
    assert Quote.objects.filter(pk=accepted.pk).exists()
    assert CoveragePlan.objects.get(quote=accepted)


def test_the_bulk_delete_refuses_a_selection_with_an_accepted_quote_in_words(client, user_factory, accepted, requested):
    client.force_login(admin_user(user_factory))

    response = client.post(
        reverse("admin:billing_quote_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [accepted.pk, requested.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        f"Ein angenommenes Angebot ist ein Geschäftsvorgang und kann nicht gelöscht werden: {accepted}."
    ]
    assert Quote.objects.filter(pk__in=[accepted.pk, requested.pk]).count() == 2


def test_the_bulk_delete_deletes_quotes_never_accepted_after_confirmation(client, user_factory, quote_factory):
    quotes = [quote_factory("Kranich Reisen"), quote_factory("Möbel Huber")]
    client.force_login(admin_user(user_factory))
    selection = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [quote.pk for quote in quotes]}
    changelist = reverse("admin:billing_quote_changelist")

    confirmation = client.post(changelist, selection)
    deleted = client.post(changelist, {**selection, "post": "yes"})

    assert confirmation.status_code == 200
    assert "Sind Sie sicher" in confirmation.content.decode()
    assert deleted.status_code == 302
    assert not Quote.objects.filter(pk__in=[quote.pk for quote in quotes]).exists()


def test_a_quote_accepted_after_the_confirmation_page_is_not_deleted(user_factory, accepted, requested):
    with pytest.raises(QuoteDeleteRefused, match="Geschäftsvorgang"):
        quotes_delete(acting_user=admin_user(user_factory), quote_ids=[requested.pk, accepted.pk])

    assert Quote.objects.filter(pk__in=[accepted.pk, requested.pk]).count() == 2
