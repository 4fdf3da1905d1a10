"""The error pages a visitor can meet in production: the app's own, in the visitor's language,
never Django's bare English ones (or a traceback)."""

from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def test_an_unknown_address_gets_the_apps_404_in_the_visitors_language(client, db):
    german = client.get("/no-such-page/")
    english = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert (german.status_code, english.status_code) == (404, 404)
    assert "<h1>Seite nicht gefunden</h1>" in german.content.decode()
    assert "<h1>Page not found</h1>" in english.content.decode()
    assert 'class="brand"' in german.content.decode()


def test_a_host_not_served_gets_the_apps_400(client, db):
    response = client.get("/pricing/", HTTP_HOST="unknown.example")

    assert response.status_code == 400
    assert "<h1>Die Anfrage konnte nicht gelesen werden</h1>" in response.content.decode()


def test_a_form_without_its_csrf_token_gets_the_apps_403(db):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"login": "a@b.example"})

    assert response.status_code == 403
    assert "<h1>Das Formular ist abgelaufen</h1>" in response.content.decode()


def test_a_server_error_page_needs_neither_request_nor_database():
    """Django renders 500.html without a context: the database or the session may be what failed."""
    with translation.override("en"):
        response = server_error(RequestFactory().get("/inbox/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>Something went wrong</h1>" in page
    assert 'lang="en"' in page
    assert "Traceback" not in page
