"""A response version longer than a reply on a platform of the crisis's linked items may be is refused."""

import pytest
from django.utils import timezone, translation

from communityops.models import Channel
from crises.models import ResponseDraft
from crises.services import CrisisError, crisis_create, crisis_items_link, response_draft_create

INSTAGRAM_LIMIT = 300  # inbox.connectors.meta.InstagramConnector


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
        response_draft_create(crisis=crisis_on, acting_user=shift_lead, text="x" * 301, now=timezone.now())

    assert str(refused.value) == (
        "The text for Instagram account is too long for the items linked there: This reply has 301 characters, "
        "1 more than the 300 a reply may have here (Instagram account). Shorten it."
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
