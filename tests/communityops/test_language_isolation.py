"""A request's language does not outlive its test (tests/conftest.py: _language_reset). The two
tests run in this order: the first leaves English active, the second must not see it."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_a_request_in_english_activates_english(client):
    client.get(reverse("billing:calculator"), headers={"accept-language": "en"})

    assert translation.get_language() == "en"


def test_the_next_test_starts_in_the_default_language():
    assert translation.get_language() == "de"
