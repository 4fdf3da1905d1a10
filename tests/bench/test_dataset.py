"""The benchmark's data set builds on the current schema.

`make bench` builds its data set once per machine with COPY, column by column, and reuses it
afterwards (migrating it), so a new NOT NULL column without a database default broke only a new
machine's first run. This builds a small one into the test database, as `make bench` does, and
resets it as every run does.
"""

import psycopg
import pytest
from django.db import connection

from bench import dataset as bench_dataset


@pytest.fixture
def test_database_url(transactional_db) -> str:
    """The test database, as Django's own connection reaches it (DATABASE_URL or the embedded server)."""
    connection.ensure_connection()
    info = connection.connection.info
    return psycopg.conninfo.make_conninfo(info.dsn, password=info.password or None)


@pytest.mark.django_db(transaction=True)
def test_the_data_set_builds_and_resets_on_the_current_schema(test_database_url, monkeypatch):
    monkeypatch.setattr(bench_dataset, "AUTHORS", 1_000)
    try:
        built = bench_dataset.dataset_build(url=test_database_url, items=2_000, log=lambda message: None)
        bench_dataset.dataset_reset(url=test_database_url, dataset=built)

        assert built.items == 2_000
        assert bench_dataset.dataset_is_complete(bench_dataset.dataset_read(test_database_url), 2_000)
        with psycopg.connect(test_database_url) as database:
            items, authors, sent = database.execute(
                "SELECT (SELECT count(*) FROM inbox_item), (SELECT count(*) FROM inbox_author),"
                " (SELECT count(*) FROM inbox_outboundaction WHERE status = 'sent')"
            ).fetchone()
        assert (items, authors) == (2_000, 1_000)
        assert sent > 0
    finally:
        with psycopg.connect(test_database_url, autocommit=True) as database:
            database.execute("DROP TABLE IF EXISTS bench_dataset")
