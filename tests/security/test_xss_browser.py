"""A real browser opens the inbox on an item whose text and author name are hostile markup: no script runs."""

import pytest
from django.utils import timezone

from communityops.models import Channel
from inbox.normalized import NormalizedAuthor, NormalizedItem
from inbox.services.ingestion import item_ingest
from tests.e2e.conftest import browser_login, browser_type_launch_args  # noqa: F401 (fixtures re-exported)

from .test_hostile_input import HOSTILE_NAME, HOSTILE_TEXT

pytestmark = pytest.mark.django_db(transaction=True)


def test_hostile_markup_in_an_item_runs_no_script_on_the_inbox_page(
    page,
    live_server,
    browser_login,  # noqa: F811
    channel_factory,
    agent_for,
):
    channel = channel_factory(platform=Channel.Platform.FACEBOOK_PAGE)
    item, _created = item_ingest(
        channel=channel,
        normalized=NormalizedItem(
            external_id="p_xss",
            kind="comment",
            text=HOSTILE_TEXT,
            author=NormalizedAuthor(external_id="mallory", display_name=HOSTILE_NAME),
            platform_created_at=timezone.now(),
            thread_external_id="p",
        ),
    )
    browser_login(page.context, agent_for(channel.client))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    for path in ("/inbox/", f"/inbox/items/{item.pk}/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        page.mouse.move(200, 200)  # an onmouseover would fire now
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.get_by_text("window.__xss = 1", exact=False).count() >= 1  # shown as text

    assert dialogs == []
