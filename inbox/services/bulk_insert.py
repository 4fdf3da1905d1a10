"""Many rows of one model in one INSERT, for the ingest paths (items, their events and
fingerprints, authors, change rows)."""

import json
from datetime import datetime

from django.db import connection, models
from django.utils import timezone


def _json_column_value(value: object) -> str:
    """The text PostgreSQL reads as the column's value: ISO 8601 for a timestamp, hex for a bytea."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    raise TypeError(f"{type(value).__name__} is not a column value this insert carries")


def rows_insert(model: type[models.Model], rows: list[dict], *, then: str = "") -> list[tuple]:
    """INSERT ... SELECT FROM jsonb_populate_recordset(...): all rows in one JSON parameter.

    A multi-row VALUES list has one placeholder per value, which psycopg splits and quotes one by
    one in Python (Django's bulk_create does the same for models with array columns); one JSON
    document is dumped in C, and PostgreSQL converts each value into its column's type (timestamps,
    arrays, jsonb). Rows are dicts by column name (model instances would only carry the values);
    a column a row leaves out takes what a new instance's field would: its default, or the time of
    the insert for auto_now(_add). The defaults go once, as the record the rows are laid over
    (jsonb_populate_recordset's base), not repeated in every row. `then` follows the SELECT
    (ON CONFLICT ..., RETURNING ...); returns the rows it returns.
    """
    if not rows:
        return []
    meta = model._meta
    # Generated columns (the item's topic_terms, campaign_key) are PostgreSQL's to fill.
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field and not field.generated]
    now = timezone.now()
    defaults = {
        field.column: now
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        else field.get_default()
        for field in fields
    }
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns}"  # noqa: S608 - our names, values are parameters
            f" FROM jsonb_populate_recordset(jsonb_populate_record(NULL::{table}, %s::jsonb), %s::jsonb) {then}",
            [json.dumps(defaults, default=_json_column_value), json.dumps(rows, default=_json_column_value)],
        )
        return cursor.fetchall() if cursor.description else []
