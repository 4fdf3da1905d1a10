"""The admin prefills a new client's slug as the server makes it: German umlauts spelled out."""

import unicodedata

import pytest
from playwright.sync_api import expect

from communityops.models import User
from communityops.slugs import slug_from_name

pytestmark = pytest.mark.django_db(transaction=True)

NAMES = [
    "Ährenfeld",
    "Großbäckerei Müller & Söhne",
    "ÖKO ÜBERSEE GmbH",
    unicodedata.normalize("NFD", "Käserei Jürgens"),
    "Café Crème",
    "Brauerei Ährenfeld Süd, Niederlassung Oberschleißheim und Umgebung",  # longer than the slug's 50
]


def test_the_admins_slug_prefill_spells_umlauts_out_as_the_server_does(
    browser, live_server, browser_login, user_factory
):
    context = browser.new_context(locale="de")
    browser_login(context, user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/communityops/client/add/")

    page.locator("#id_name").press_sequentially("Ährenfeld")

    expect(page.locator("#id_slug")).to_have_value("aehrenfeld")  # Django's URLify alone: "ahrenfeld"
    prefilled = page.evaluate("names => names.map(name => URLify(name, 50, false))", NAMES)
    assert prefilled == [slug_from_name(name, max_length=50) for name in NAMES]
