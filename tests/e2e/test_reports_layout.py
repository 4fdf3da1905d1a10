"""Report pages on a 1366 px laptop screen: no table is cut off at the right of its card."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1366, "height": 900}

# A table wider than its card scrolls sideways inside .table-scroll and hides its last columns.
OVERFLOWING_TABLES_JS = """() => Array.from(document.querySelectorAll(".table-scroll"))
  .filter((box) => box.scrollWidth > box.clientWidth)
  .map((box) => `${box.querySelector("table").dataset.table}: ${box.scrollWidth} > ${box.clientWidth}`)"""


@pytest.fixture
def busy_dashboard(demo_agency):
    """Colleagues online, one of them holding an item, and an open spike: every dashboard table has rows."""
    from datetime import timedelta

    from django.utils import timezone

    from crises.models import SpikeAlert
    from inbox.models import AgentPresence, Item

    now = timezone.now()
    for user in (demo_agency["agent"], demo_agency["lead"]):
        AgentPresence.objects.create(user=user, is_online=True, last_seen_at=now, capacity=5)
    crisis = demo_agency["crisis"]
    item = Item.objects.filter(client=crisis.client, status=Item.Status.NEW).order_by("pk").first()
    Item.objects.filter(pk=item.pk).update(
        status=Item.Status.CLAIMED,
        claimed_by=demo_agency["agent"],
        claimed_at=now,
        lease_expires_at=now + timedelta(minutes=10),
        sla_due_at=now + timedelta(minutes=5),
    )
    SpikeAlert.objects.create(
        client=crisis.client,
        channel=item.channel,
        kind=SpikeAlert.Kind.NEGATIVE_VOLUME,
        window_start=now - timedelta(hours=1),
        window_end=now,
        observed=33,
        baseline=1.0,
    )
    return demo_agency


@pytest.mark.parametrize("locale", ["de-DE", "en-GB"])
def test_no_report_table_is_cut_off_on_a_laptop_screen(browser, browser_login, live_server, busy_dashboard, locale):
    context = browser.new_context(viewport=LAPTOP, locale=locale)
    browser_login(context, busy_dashboard["lead"])
    page = context.new_page()
    client_id = busy_dashboard["crisis"].client_id

    overflowing = {}
    for path, table in [
        ("/reports/", "spikes"),
        ("/reports/team/", "hours"),
        (f"/reports/clients/{client_id}/", "channels"),
        (f"/reports/clients/{client_id}/?granularity=week", "volume"),
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(f'table[data-table="{table}"]')).to_be_visible()
        overflowing[path] = page.evaluate(OVERFLOWING_TABLES_JS)
    context.close()

    assert overflowing == {path: [] for path in overflowing}
