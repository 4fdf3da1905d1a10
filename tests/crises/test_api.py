"""The crisis API under bad input: a clear 400 with the reason, nothing written."""

import pytest
from django.utils import timezone

from crises.models import ResponseDraft
from crises.services import crisis_create


@pytest.fixture
def lead_client(client, shift_lead):
    client.force_login(shift_lead)
    return client


@pytest.fixture
def crisis(client_factory, shift_lead):
    return crisis_create(acting_user=shift_lead, client=client_factory(), title="Rückruf", now=timezone.now())


@pytest.mark.parametrize("platform", ["facebook", "a\x00b"], ids=["misspelt", "nul-character"])
def test_a_draft_text_for_no_platform_is_refused_and_nothing_written(lead_client, crisis, platform):
    # A misspelt platform was stored and never used; a NUL in the key was a 500 (jsonb cannot hold it).
    response = lead_client.post(
        f"/api/crises/{crisis.pk}/drafts/",
        {"text": "Wir prüfen das.", "platform_texts": {platform: "Wir prüfen das 🙏"}},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "platform_texts": ["Texts are for these platforms: facebook_page, instagram_account, wordpress_blog, generic."]
    }
    assert not ResponseDraft.objects.exists()


def test_a_draft_text_for_a_platform_is_stored(lead_client, crisis):
    response = lead_client.post(
        f"/api/crises/{crisis.pk}/drafts/",
        {"text": "Wir prüfen das.", "platform_texts": {"instagram_account": "Wir prüfen das 🙏"}},
        content_type="application/json",
    )

    assert response.status_code == 201
    assert ResponseDraft.objects.get().platform_texts == {"instagram_account": "Wir prüfen das 🙏"}
