"""Client slugs spell German umlauts out ("Ährenfeld" → "aehrenfeld"), on the server and in the admin's prefill."""

import unicodedata

import pytest
from django.contrib import admin

from communityops.admin import ClientAdmin
from communityops.models import Client, User
from communityops.slugs import slug_from_name


@pytest.mark.parametrize(
    "name, slug",
    [
        ("Ährenfeld", "aehrenfeld"),
        ("Großbäckerei Müller & Söhne", "grossbaeckerei-mueller-soehne"),
        ("ÖKO ÜBERSEE GmbH", "oeko-uebersee-gmbh"),
        (unicodedata.normalize("NFD", "Käserei Jürgens"), "kaeserei-juergens"),  # "a" + "¨", as macOS may paste it
        ("Café Crème", "cafe-creme"),  # other accents as Django drops them
    ],
)
def test_a_slug_spells_german_umlauts_out(name, slug):
    assert slug_from_name(name, max_length=50) == slug


def test_a_slug_is_cut_to_its_length_without_a_hyphen_at_the_end():
    assert slug_from_name("Brauerei Ährenfeld Süd", max_length=18) == "brauerei-aehrenfel"
    assert slug_from_name("Brauerei Ährenfeld Süd", max_length=20) == "brauerei-aehrenfeld"


@pytest.fixture
def client_form(rf, user_factory):
    """The admin's client form as an admin gets it (for a new client, or for `instance`)."""
    request = rf.get("/admin/")
    request.user = user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True)

    def make(data: dict, instance: Client | None = None):
        form_class = ClientAdmin(Client, admin.site).get_form(request, instance)
        return form_class(data={"time_zone": "Europe/Berlin", "federal_state": "NW", **data}, instance=instance)

    return make


def test_a_new_clients_slug_left_empty_is_made_from_its_name(client_form):
    form = client_form({"name": "Ährenfeld", "slug": "", "influencer_follower_threshold": 10_000})

    assert form.is_valid(), form.errors
    assert form.save().slug == "aehrenfeld"


def test_a_slug_made_from_a_name_already_taken_is_refused_on_the_slug(client_form, client_factory):
    client_factory(slug="aehrenfeld")

    form = client_form({"name": "Ährenfeld", "slug": "", "influencer_follower_threshold": 10_000})

    assert not form.is_valid()
    assert list(form.errors) == ["slug"]


def test_an_existing_clients_slug_is_never_made_again(client_form, client_factory):
    # Slugs are in links: "ahrenfeld", made before umlauts were spelled out, stays.
    existing = client_factory(name="Ährenfeld", slug="ahrenfeld")
    renamed = client_form(
        {"name": "Ährenfeld Süd", "slug": "ahrenfeld", "influencer_follower_threshold": 10_000}, existing
    )
    emptied = client_form({"name": "Ährenfeld", "slug": "", "influencer_follower_threshold": 10_000}, existing)

    assert renamed.is_valid(), renamed.errors
    assert renamed.save().slug == "ahrenfeld"
    assert list(emptied.errors) == ["slug"]
