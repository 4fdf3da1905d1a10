"""Many rows in one COPY (services.bulk_insert): values arrive as they were, also outside a transaction."""

from datetime import UTC, datetime

import pytest

from inbox.models import Author, Item
from inbox.services.bulk_insert import rows_insert


@pytest.mark.django_db(transaction=True)
def test_a_staged_insert_in_autocommit_mode_stores_and_returns_its_rows():
    """The staging table empties at every commit: in autocommit mode the COPY must not commit alone."""
    returned = rows_insert(
        Author,
        [{"platform": "facebook_page", "external_id": "fan-1", "display_name": "Fan"}],
        then="ON CONFLICT DO NOTHING RETURNING external_id",
    )

    assert returned == [("fan-1",)]
    assert Author.objects.get().display_name == "Fan"


def test_text_arrays_and_json_arrive_as_they_were(facebook_channel):
    author = Author.objects.create(platform=facebook_channel.platform, external_id="fan-2")
    tags = ['quote"d', "back\\slash", "comma,brace}", "NULL", "", "tab\tnewline\n"]
    reasons = ['fake: ü, "quoted" and \\ back', {"nested": [1, None]}]

    rows_insert(
        Item,
        [
            {
                "client_id": facebook_channel.client_id,
                "channel_id": facebook_channel.pk,
                "author_id": author.pk,
                "external_id": "c-1",
                "text": "Zeile eins\nZeile\tzwei \\N",
                "platform_created_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                "tags": tags,
                "triage_reasons": reasons,
            }
        ],
    )

    item = Item.objects.get()
    assert (item.tags, item.triage_reasons, item.text) == (tags, reasons, "Zeile eins\nZeile\tzwei \\N")
    assert item.platform_created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert (item.status, item.priority, item.sla_due_at) == (Item.Status.NEW, Item.Priority.NORMAL, None)
