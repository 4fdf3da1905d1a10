"""Many rows of one model in one COPY, for the ingest paths (items, their events and
fingerprints, authors, change rows)."""

import json
import zlib
from collections.abc import Callable
from datetime import datetime
from operator import itemgetter

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models, transaction
from django.utils import timezone


def _json_column_value(value: object) -> str:
    """A value inside a JSON column's document that JSON has no type for: ISO 8601 for a timestamp."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a value a JSON column carries")


_json_encode = json.JSONEncoder(default=_json_column_value).encode


def _text_array_literal(values: list) -> str:
    """PostgreSQL's text form of a one-dimensional array of text (NULL for None, every other
    element quoted). psycopg's array dumper works element by element in Python: a third of the
    COPY's time went to the items' tags and the fingerprints' bands."""
    elements = (
        "NULL" if value is None else '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'
        for value in values
    )
    return "{" + ",".join(elements) + "}"


def _integer_array_literal(values: list[int | None]) -> str:
    """The same for integers (NULL for None)."""
    if None in values:
        return "{" + ",".join("NULL" if value is None else str(value) for value in values) + "}"
    return "{" + ",".join(map(str, values)) + "}"


def _timestamp_text_converter() -> Callable[[datetime], str]:
    """A timestamp as ISO 8601 text, the text of the previous row's value reused when the value is
    the same object: a batch's rows share most of theirs (the arrival, the SLA due time, the events'
    creation time), and psycopg writes a timestamp in about a microsecond, some 5,000 of them for a
    1,000-change delivery."""
    last: list = [None, ""]

    def convert(value: datetime) -> str:
        if value is not last[0]:
            last[0], last[1] = value, value.isoformat()
        return last[1]

    return convert


def _copy_value_converter(field: models.Field) -> Callable[[object], object] | None:
    """How a column's value becomes what COPY writes, when psycopg's own adaptation will not do
    (or is slower); a new converter for each COPY."""
    if isinstance(field, models.DateTimeField):
        return _timestamp_text_converter()
    if isinstance(field, models.JSONField):
        return _json_encode
    if isinstance(field, ArrayField):
        return _integer_array_literal if isinstance(field.base_field, models.IntegerField) else _text_array_literal
    return None


def _staging_table_name(table: str, fields: list[models.Field]) -> str:
    """The session's staging table for these columns of `table`: named after the table and a hash
    of the columns with their types, so that each column list has a table of its own and a
    migration that changes a column's type (read by code started after it) gets a new one; within
    PostgreSQL's 63 characters for any table name."""
    columns = ",".join(f"{field.column} {field.db_type(connection)}" for field in fields)
    return f"rows_insert_{table[:40]}_{zlib.crc32(f'{table}:{columns}'.encode()):08x}"


def rows_insert(model: type[models.Model], rows: list[dict], *, then: str = "") -> list[tuple]:
    """COPY the rows into the model's table; with `then` (ON CONFLICT ..., RETURNING ...), into a
    staging table of the session first and from there with INSERT ... SELECT ... `then`, returning
    what that returns.

    COPY reads the rows as they come (psycopg writes each value in C) and PostgreSQL parses each
    value for its column: for 1,000 items (staged) a quarter less PostgreSQL time than one INSERT
    of a JSON document parsed by jsonb_populate_recordset, for their fingerprints (copied) nearly
    half, and no JSON to build in Python but the JSON columns' own values. The staging table
    (temporary, one per table and column list, emptied by the INSERT that reads it and at every
    commit) lets an insert keep its ON CONFLICT and RETURNING, which COPY has not. Rows are
    dicts by column name (model instances would only carry the values); a column a row leaves out
    takes what a new instance's field would: its default, or the time of the insert for
    auto_now(_add).
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
    columns = [field.column for field in fields]
    row_values = itemgetter(*columns)
    converters = [
        (position, converter)
        for position, field in enumerate(fields)
        if (converter := _copy_value_converter(field)) is not None
    ]
    table = connection.ops.quote_name(meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    # The staged rows must reach the INSERT: in autocommit mode the COPY's own commit would empty
    # the staging table first. Inside a transaction this adds nothing (no savepoint).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        target = table
        if then:
            target = connection.ops.quote_name(_staging_table_name(meta.db_table, fields))
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {target} ON COMMIT DELETE ROWS"  # noqa: S608 - our names
                f" AS SELECT {column_list} FROM {table} WITH NO DATA"
            )
        # Django's cursor wraps execute() and fetch*() only: a COPY's errors would be psycopg's, past
        # every caller's `except IntegrityError` / `except DatabaseError`.
        with connection.wrap_database_errors, cursor.copy(f"COPY {target} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                values = list(row_values({**defaults, **row}))
                for position, converter in converters:
                    if values[position] is not None:
                        values[position] = converter(values[position])
                copy.write_row(values)
        if not then:
            return []
        cursor.execute(
            f"WITH staged AS (DELETE FROM {target} RETURNING *)"  # noqa: S608 - our names
            f" INSERT INTO {table} ({column_list}) SELECT {column_list} FROM staged {then}"
        )
        return cursor.fetchall() if cursor.description else []
