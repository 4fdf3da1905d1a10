"""The API's own refusals speak the request's language, like DRF's (German by default, Sie-Form)."""

import pytest
from django.test import Client
from django.urls import reverse

from communityops.models import Channel, User
from tests.inbox.conftest import open_item_factory  # noqa: F401 (fixture)


@pytest.fixture
def item(channel_factory, open_item_factory):  # noqa: F811
    return open_item_factory(channel=channel_factory(platform=Channel.Platform.FACEBOOK_PAGE))


def test_the_inbox_and_report_apis_refuse_in_german(client, item, agent_for, user_factory):
    agent = agent_for(item.client)
    lead = user_factory(role=User.Role.SHIFT_LEAD)
    client.force_login(agent)

    profile = client.post(f"/api/inbox/items/{item.pk}/author-profile/", {}, content_type="application/json")
    erasure = client.post(
        f"/api/inbox/items/{item.pk}/author-erasure/", {"reference": "T-1", "confirm": True}, "application/json"
    )
    nul = client.get("/api/inbox/items/", {"tag": "a\x00b"})
    client.force_login(lead)
    unconfirmed = client.post(
        f"/api/inbox/items/{item.pk}/author-erasure/", {"reference": "T-1", "confirm": False}, "application/json"
    )
    reversed_range = client.get(
        reverse("api_reports_team", args=["agents"]), {"start": "2026-03-16", "end": "2026-03-10"}
    )
    too_long = client.get(reverse("api_reports_team", args=["agents"]), {"start": "2025-01-01", "end": "2026-03-10"})

    assert profile.json() == {"non_field_errors": ["Senden Sie is_key_account, notes oder beides."]}
    assert erasure.json() == {
        "code": "permission_denied",
        "detail": "Nur Schichtleitungen und Admins können die Daten einer Person löschen.",
        "details": {},
    }
    assert nul.json() == {"code": "nul_character", "detail": "NUL-Zeichen sind nicht erlaubt.", "details": {}}
    assert unconfirmed.json() == {"confirm": ["Bestätigen Sie die Löschung: Sie kann nicht rückgängig gemacht werden."]}
    assert reversed_range.json() == {"non_field_errors": ["Das Enddatum liegt vor dem Startdatum."]}
    assert too_long.json() == {"non_field_errors": ["Bitte höchstens 400 Tage wählen."]}


def test_an_object_the_caller_may_not_see_is_not_found_in_german(client, item, agent_for, channel_factory):
    # Django's "No Item matches the given query." came out in English.
    client.force_login(agent_for(channel_factory().client))

    response = client.get(f"/api/inbox/items/{item.pk}/")

    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "detail": "Nicht gefunden.", "details": {}},
    )


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("de", "CSRF-Prüfung fehlgeschlagen"),
        ("en", "CSRF check failed: a request in a browser session that changes data sends the csrftoken cookie's"),
    ],
)
def test_a_session_post_without_its_csrf_token_is_refused_in_the_requests_language(item, agent_for, language, said):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(agent_for(item.client))

    response = browser.post(
        f"/api/inbox/items/{item.pk}/notes/",
        {"text": "Rückruf"},
        content_type="application/json",
        headers={"Accept-Language": language},
    )

    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert response.json()["detail"].startswith(said)
    assert not item.events.filter(kind="note_added").exists()


def test_agency_staff_without_two_factor_authentication_are_refused_with_its_code(client, user_factory):
    client.force_login(user_factory(role=User.Role.AGENT, with_mfa=False))

    response = client.get("/api/me/", headers={"Accept-Language": "en"})

    assert (response.status_code, response.json()) == (
        403,
        {"code": "mfa_required", "detail": "Set up two-factor authentication first.", "details": {}},
    )
