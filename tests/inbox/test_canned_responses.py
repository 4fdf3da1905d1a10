"""Canned responses: placeholders an agent's insert fills in, and only those; a language of the UI's."""

import importlib

from django.apps import apps as django_apps
from django.urls import reverse

from communityops.models import User
from inbox.models import CannedResponse
from inbox.selectors import canned_responses_for_item

normalise = importlib.import_module("inbox.migrations.0027_canned_response_language_choices").languages_normalise


def _admin_add(client, user_factory, customer, body: str, language: str = "de"):
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    return client.post(
        reverse("admin:inbox_cannedresponse_add"),
        {"client": customer.pk, "title": "Dank", "body": body, "language": language},
    )


def test_a_misspelt_placeholder_is_refused_with_its_name(client, user_factory, client_factory):
    response = _admin_add(client, user_factory, client_factory(), "Danke {clientname}, {author_name}!")

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["body"] == [
        "Unbekannter Platzhalter {clientname}: Verwenden Sie {author_name} oder {client_name}."
    ]
    assert not CannedResponse.objects.exists()


def test_a_language_outside_the_uis_is_refused(client, user_factory, client_factory):
    response = _admin_add(client, user_factory, client_factory(), "Thanks!", language="english")

    assert "language" in response.context["adminform"].form.errors
    assert not CannedResponse.objects.exists()


def test_every_placeholder_is_filled_when_inserted(client, user_factory, open_item_factory):
    item = open_item_factory()
    body = " ".join("{" + name + "}" for name in CannedResponse.PLACEHOLDERS)
    _admin_add(client, user_factory, item.client, body)

    [canned] = canned_responses_for_item(item=item)

    assert canned.text == f"{item.author} {item.client.name}"


def test_free_text_languages_typed_before_are_mapped(client_factory):
    customer = client_factory()
    for language in ("english", "EN", "Deutsch", "fr", "en", "de"):
        CannedResponse.objects.create(client=customer, title=language, body="x", language=language)

    normalise(django_apps, None)

    assert dict(CannedResponse.objects.values_list("title", "language")) == {
        "english": "en",
        "EN": "en",
        "Deutsch": "de",
        "fr": "de",
        "en": "en",
        "de": "de",
    }


def test_an_unclosed_placeholder_is_refused(client, user_factory, client_factory):
    response = _admin_add(client, user_factory, client_factory(), "Hallo {author_name, danke.")

    assert "body" in response.context["adminform"].form.errors
    assert not CannedResponse.objects.exists()


def test_the_composer_offers_the_responses_in_the_comments_language(open_item_factory):
    english = open_item_factory(language="en")
    unknown = open_item_factory(channel=english.channel, language="")
    french = open_item_factory(channel=english.channel, language="fr")
    for title, language in (("Danke", "de"), ("Thanks", "en"), ("Versand", "de"), ("Shipping", "en")):
        CannedResponse.objects.create(client=english.client, title=title, body=title, language=language)

    def offered(item):
        return [canned.title for canned in canned_responses_for_item(item=item)]

    assert offered(english) == ["Shipping", "Thanks"]
    assert offered(unknown) == offered(french) == ["Danke", "Shipping", "Thanks", "Versand"]
