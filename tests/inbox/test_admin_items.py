"""The item admin browses; tags, status and deletion go through the services, never a form save."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communityops.models import User
from inbox.models import Item, ItemEvent


def _inline_management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(total),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_an_admin_post_cannot_change_an_items_tags(client, user_factory, open_item_factory):
    item = open_item_factory(tags=["question"])
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    event_ids = list(item.events.values_list("pk", flat=True))
    form = {
        "tags": "question,vip",
        **_inline_management("events", len(event_ids)),
        **{f"events-{index}-id": pk for index, pk in enumerate(event_ids)},
        **{f"events-{index}-item": item.pk for index in range(len(event_ids))},
        **_inline_management("notes", 0),
    }

    client.post(reverse("admin:inbox_item_change", args=[item.pk]), form)

    item.refresh_from_db()
    assert item.tags == ["question"]
    assert not item.events.exclude(kind=ItemEvent.Kind.RECEIVED).exists()


def test_an_admin_cannot_delete_items(client, user_factory, open_item_factory):
    item = open_item_factory()
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))

    single = client.post(reverse("admin:inbox_item_delete", args=[item.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:inbox_item_changelist"),
        {"action": "delete_selected", "_selected_action": [item.pk], "post": "yes"},
    )

    changelist = client.get(reverse("admin:inbox_item_changelist")).content.decode()
    assert single.status_code == 403
    assert bulk.status_code == 302  # back to the list: no such action
    assert 'value="delete_selected"' not in changelist
    assert Item.objects.filter(pk=item.pk).exists()


def test_the_item_list_reads_more_items_in_no_more_queries(client, user_factory, open_item_factory):
    # The channel column named each channel with its client's name: a query for the client per row.
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    open_item_factory()
    with CaptureQueriesContext(connection) as one_item:
        client.get(reverse("admin:inbox_item_changelist"))
    for _ in range(3):
        open_item_factory()

    with CaptureQueriesContext(connection) as four_items:
        page = client.get(reverse("admin:inbox_item_changelist")).content.decode()

    assert page.count('class="action-select"') == 4
    assert len(four_items) == len(one_item)


def test_the_item_list_sorts_by_the_channel_as_the_column_names_it(
    client, user_factory, client_factory, channel_factory, open_item_factory
):
    # The column names the channel without its client; sorting by it sorted by the client first.
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    for client_name, channel_name in [("Alpha", "Zeitung"), ("Beta", "Blog"), ("Gamma", "Ärzteblatt")]:
        open_item_factory(channel=channel_factory(client=client_factory(name=client_name), name=channel_name))
    channel_column = 3  # after the checkbox, the id and the client

    page = client.get(reverse("admin:inbox_item_changelist"), {"o": channel_column}).content.decode()

    assert re.findall(r'<td class="field-channel">([^<]*)</td>', page) == ["Ärzteblatt", "Blog", "Zeitung"]


def test_the_item_list_sorts_by_the_claiming_user_as_the_column_names_them(client, user_factory, open_item_factory):
    # The column shows a user's full name (their address when they have none); it sorted by the address.
    client.force_login(user_factory(role=User.Role.ADMIN, is_staff=True, is_superuser=True))
    claim = {"status": Item.Status.CLAIMED, "lease_expires_at": timezone.now() + timedelta(minutes=5)}
    for email, first_name, last_name in [("a@agency.example", "Zoe", "Adler"), ("z@agency.example", "Änne", "Zander")]:
        open_item_factory(claimed_by=user_factory(email=email, first_name=first_name, last_name=last_name), **claim)
    open_item_factory(claimed_by=user_factory(email="m@agency.example", first_name=""), **claim)
    claimed_by_column = 7  # after the checkbox, id, client, channel, status, priority and due time

    page = client.get(reverse("admin:inbox_item_changelist"), {"o": claimed_by_column}).content.decode()

    assert re.findall(r'<td class="field-claimed_by">([^<]*)</td>', page) == [
        "Änne Zander",
        "m@agency.example",
        "Zoe Adler",
    ]
