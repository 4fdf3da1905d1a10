"""Many rows in one COPY (services.bulk_insert): values arrive as they were, also outside a transaction."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DataError, models

from inbox.models import Author, Item, ItemTextFingerprint
from inbox.normalized import NormalizedAuthor
from inbox.services.authors import authors_found_ahead
from inbox.services.bulk_insert import _staging_table_name, rows_insert


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


def test_timestamps_arrive_as_they_were_also_when_rows_share_one(facebook_channel):
    author = Author.objects.create(platform=facebook_channel.platform, external_id="fan-5")
    shared = datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=ZoneInfo("Europe/Berlin"))  # the hour before summer time
    own = [datetime(2026, 3, 29, 3, 0, tzinfo=ZoneInfo("Europe/Berlin")), datetime(2026, 1, 1, tzinfo=UTC)]
    base = {"client_id": facebook_channel.client_id, "channel_id": facebook_channel.pk, "author_id": author.pk}

    rows_insert(
        Item,
        [
            {**base, "external_id": f"c-{number}", "platform_created_at": created, "sla_due_at": shared}
            for number, created in enumerate([*own, shared])
        ],
    )

    stored = Item.objects.order_by("external_id").values_list("platform_created_at", "sla_due_at")
    assert list(stored) == [(own[0], shared), (own[1], shared), (shared, shared)]
    assert list(stored)[0][0] - shared == timedelta(microseconds=1)  # summer time began in between


@pytest.mark.parametrize("then", ["", "ON CONFLICT DO NOTHING RETURNING id"])
def test_a_value_its_column_refuses_raises_djangos_database_error(db, then):
    # Callers catch django.db's errors (authors_found_ahead: DatabaseError), as for any query;
    # psycopg's own went past them.
    too_many_followers = 2**31  # the column is a PostgreSQL integer

    with pytest.raises(DataError):
        rows_insert(
            Author,
            [{"platform": "facebook_page", "external_id": "fan-3", "follower_count": too_many_followers}],
            then=then,
        )


def test_authors_created_ahead_leave_a_row_the_database_refuses_to_the_batch(facebook_channel):
    found = authors_found_ahead(
        channel=facebook_channel, authors=[NormalizedAuthor(external_id="fan-4", follower_count=2**31)]
    )

    assert found == {}
    assert not Author.objects.exists()


def test_staging_tables_differ_by_column_type_and_fit_postgresqls_name_length(db):
    long_table = "inbox_" + "x" * 57  # as long as PostgreSQL allows
    as_text, as_integer = models.TextField(), models.IntegerField()
    as_text.column = as_integer.column = "value"

    names = {_staging_table_name(long_table, [as_text]), _staging_table_name(long_table, [as_integer])}

    assert len(names) == 2
    assert all(len(name) <= 63 for name in names)


def test_integer_arrays_arrive_as_they_were_with_null_elements(facebook_channel):
    author = Author.objects.create(platform=facebook_channel.platform, external_id="fan-6")
    item = Item.objects.create(
        client=facebook_channel.client,
        channel=facebook_channel,
        author=author,
        external_id="c-6",
        platform_created_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    bands = [2**62, None, -1, 0]

    rows_insert(
        ItemTextFingerprint,
        [{"item_id": item.pk, "client_id": item.client_id, "author_id": author.pk, "minhash": b"\x00", "bands": bands}],
    )

    assert ItemTextFingerprint.objects.get().bands == bands
