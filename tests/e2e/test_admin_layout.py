"""Every admin list on a 1366 px laptop screen, in German and in English: no list scrolls sideways."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from communityops.models import Channel, User
from crises.models import SpikeAlert
from inbox.models import Item, OutboundAction, WordPressPollState

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 900}

# How many pixels wider than its area a changelist is: its table (Django's admin scrolls `.results`
# sideways) or the page itself. The browser shows a scroll bar from the first pixel on.
OVERFLOW_JS = """() => {
  const results = document.querySelector("#changelist .results");
  const page = document.documentElement;
  return Math.max(results ? results.scrollWidth - results.clientWidth : 0, page.scrollWidth - page.clientWidth);
}"""

# A sending error as the Graph API's client reports it: long words (the address, the token) without a space.
SEND_ERROR = (
    "HTTPSConnectionPool(host='graph.facebook.com', port=443): Max retries exceeded with url: "
    "/v19.0/1234567890_9876543210/comments?access_token=EAAGm0PX4ZCpsBAKZBZCZBZCZBZCZBZCZBZCZBZCZB"
)


@pytest.fixture
def rows_the_demo_lacks(demo_agency):
    """Rows with long values for lists the demo leaves empty: a failed reply, a WordPress blog's poll
    error, a spike alert."""
    now = timezone.now()
    item = Item.objects.select_related("channel").first()
    OutboundAction.objects.create(
        item=item, kind=OutboundAction.Kind.REPLY, status=OutboundAction.Status.FAILED, last_error=SEND_ERROR
    )
    WordPressPollState.objects.create(
        channel=Channel.objects.first(), last_polled_at=now, newest_comment_at=now, last_error=SEND_ERROR
    )
    SpikeAlert.objects.create(
        client=item.client,
        channel=item.channel,
        kind=SpikeAlert.Kind.NEGATIVE_VOLUME,
        window_start=now,
        window_end=now,
        observed=42,
        baseline=3.5,
        z_score=7.25,
    )


def test_no_admin_list_scrolls_sideways_on_a_laptop(browser, live_server, browser_login, rows_the_demo_lacks):
    too_wide = []
    for language in ("de", "en"):  # one page per list and language, on one seeded agency
        context = browser.new_context(viewport=LAPTOP, locale=language)
        browser_login(context, User.objects.filter(is_superuser=True).first())
        page = context.new_page()
        for model in admin.site._registry:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            page.goto(f"{live_server.url}{url}")
            if overflow := page.evaluate(OVERFLOW_JS):
                too_wide.append(f"{language} {url}: {overflow}px too wide")
        context.close()

    assert not too_wide, "\n".join(too_wide)
