"""A response version longer than a reply on a platform of the crisis's linked items may be is refused."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from communityops.models import Channel
from crises.event_summaries import event_summary
from crises.models import CrisisEvent, ResponseDraft
from crises.selectors import crisis_publish_state
from crises.services import (
    CrisisError,
    approval_decide,
    crisis_create,
    crisis_items_link,
    crisis_publish,
    response_draft_create,
    response_draft_submit,
)
from inbox.models import OutboundAction

INSTAGRAM_LIMIT = 2200  # inbox.connectors.meta.InstagramConnector


@pytest.fixture
def crisis_on(client_factory, channel_factory, item_factory, shift_lead):
    """A crisis linking one item on a Facebook page and one on an Instagram account."""
    client = client_factory()
    items = [
        item_factory(channel=channel_factory(client=client, platform=platform))
        for platform in (Channel.Platform.FACEBOOK_PAGE, Channel.Platform.INSTAGRAM_ACCOUNT)
    ]
    now = timezone.now()
    crisis = crisis_create(acting_user=shift_lead, client=client, title="Lange Antwort", now=now)
    crisis_items_link(crisis=crisis, items=items, acting_user=shift_lead, now=now)
    return crisis


def test_a_version_too_long_for_a_linked_platform_is_refused_naming_it(crisis_on, shift_lead):
    with translation.override("en"), pytest.raises(CrisisError) as refused:
        response_draft_create(
            crisis=crisis_on, acting_user=shift_lead, text="x" * (INSTAGRAM_LIMIT + 1), now=timezone.now()
        )

    assert str(refused.value) == (
        "The text for Instagram account has 2201 characters, 1 more than the 2200 a reply may have there. Shorten it."
    )
    assert not ResponseDraft.objects.exists()


def test_a_shorter_text_for_that_platform_lets_the_longer_one_go_elsewhere(crisis_on, shift_lead):
    draft = response_draft_create(
        crisis=crisis_on,
        acting_user=shift_lead,
        text="x" * 2000,
        platform_texts={Channel.Platform.INSTAGRAM_ACCOUNT: "y" * INSTAGRAM_LIMIT},
        now=timezone.now(),
    )

    assert (draft.version, len(draft.text_for(Channel.Platform.INSTAGRAM_ACCOUNT))) == (1, INSTAGRAM_LIMIT)


def test_an_item_linked_after_approval_where_the_text_is_too_long_is_skipped_and_the_publish_says_why(
    client_factory, channel_factory, contact_factory, item_factory, shift_lead
):
    client = client_factory()
    approver = contact_factory(client)
    facebook = item_factory(channel=channel_factory(client=client, platform=Channel.Platform.FACEBOOK_PAGE))
    now = timezone.now()
    crisis = crisis_create(acting_user=shift_lead, client=client, title="Später verknüpft", now=now)
    crisis_items_link(crisis=crisis, items=[facebook], acting_user=shift_lead, now=now)
    draft = response_draft_create(crisis=crisis, acting_user=shift_lead, text="x" * (INSTAGRAM_LIMIT + 100), now=now)
    response_draft_submit(draft=draft, acting_user=shift_lead, now=now)
    approval_decide(draft=draft, contact=approver, decision="approve", comment="", via="portal", now=now)
    instagram = item_factory(channel=channel_factory(client=client, platform=Channel.Platform.INSTAGRAM_ACCOUNT))
    crisis_items_link(crisis=crisis, items=[instagram], acting_user=shift_lead, now=now)

    expected = crisis_publish_state(crisis=crisis).outlook
    outcome = crisis_publish(crisis=crisis, acting_user=shift_lead, now=now)

    assert (expected.answerable, expected.unanswerable.counts) == (1, {"too_long": 1})
    assert (outcome.answered, outcome.not_sent.counts) == ([facebook.pk], {"too_long": 1})
    assert list(OutboundAction.objects.values_list("item_id", flat=True)) == [facebook.pk]
    with translation.override("en"):
        assert event_summary(CrisisEvent.objects.get(crisis=crisis, kind=CrisisEvent.Kind.PUBLISHED)) == (
            "version 1 to 1 item; not sent: 1 item where the text is longer than a reply there may be"
        )


def test_the_crisis_page_shows_a_refused_version_again_with_its_text_and_the_error_on_that_platforms_text(
    crisis_on, lead_client
):
    too_long = "Kurz genug für Facebook, zu lang für Instagram. " + "x" * INSTAGRAM_LIMIT

    response = lead_client.post(
        reverse("crises:draft_create", args=[crisis_on.pk]),
        {"text": "Unser Statement.", f"platform_{Channel.Platform.INSTAGRAM_ACCOUNT}": too_long},
        headers={"Accept-Language": "en"},
    )

    form = response.context["draft_form"]
    assert response.status_code == 200
    assert list(form.errors) == [f"platform_{Channel.Platform.INSTAGRAM_ACCOUNT}"]
    assert (
        "The text for Instagram account has 2248 characters"
        in form.errors[f"platform_{Channel.Platform.INSTAGRAM_ACCOUNT}"][0]
    )
    assert too_long in response.content.decode() and "Unser Statement." in response.content.decode()
    assert not ResponseDraft.objects.exists()


def test_the_api_refuses_a_version_too_long_for_a_linked_platform_with_the_reason(crisis_on, lead_client):
    response = lead_client.post(
        f"/api/crises/{crisis_on.pk}/drafts/",
        {"text": "x" * (INSTAGRAM_LIMIT + 1)},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "response_too_long"
    assert response.json()["details"] == {"platform": "instagram_account", "length": 2201, "limit": 2200, "over": 1}
    assert response.json()["detail"].startswith("The text for Instagram account has 2201 characters")
    assert not ResponseDraft.objects.exists()


def test_a_version_without_its_main_text_comes_back_with_the_platforms_texts_typed(crisis_on, lead_client):
    response = lead_client.post(
        reverse("crises:draft_create", args=[crisis_on.pk]),
        {"text": "   ", f"platform_{Channel.Platform.INSTAGRAM_ACCOUNT}": "Kurz für Instagram."},
        headers={"Accept-Language": "en"},
    )

    form = response.context["draft_form"]
    assert response.status_code == 200
    assert form.errors == {"text": ["The response needs a text."]}
    assert "Kurz für Instagram." in response.content.decode()
    assert not ResponseDraft.objects.exists()


def test_the_new_version_form_counts_each_text_against_where_it_goes(crisis_on, lead_client):
    """The main text against the lowest limit of the linked items' platforms, a platform's text against its own."""
    page = lead_client.get(reverse("crises:detail", args=[crisis_on.pk]))

    form = page.context["draft_form"]

    limits = {name: field.widget.attrs.get("data-max-chars") for name, field in form.fields.items()}
    assert limits == {
        "text": INSTAGRAM_LIMIT,
        "platform_facebook_page": 8000,
        "platform_instagram_account": INSTAGRAM_LIMIT,
        "platform_wordpress_blog": 8000,
        "platform_generic": 8000,
    }
    body = page.content.decode()
    assert 'data-char-count-for="id_text"' in body and 'data-char-count-for="id_platform_instagram_account"' in body


def test_without_linked_items_the_main_text_has_no_limit_to_count_against(lead_client, client_factory, shift_lead):
    crisis = crisis_create(acting_user=shift_lead, client=client_factory(), title="Noch leer", now=timezone.now())

    form = lead_client.get(reverse("crises:detail", args=[crisis.pk])).context["draft_form"]

    assert "data-max-chars" not in form.fields["text"].widget.attrs
