"""Lookups the ORM lacks: the ingest path's many-value filters, the search by author's name."""

from collections.abc import Iterable

from django.db.models import Lookup


def array_literal(values: Iterable[str | int]) -> str:
    """PostgreSQL's text form of a one-dimensional array of strings or integers, e.g. {"a","b\\"c"}
    or {1,2}: one string parameter that PostgreSQL converts to the array type the query asks for.

    psycopg dumps a list parameter value by value in Python (some 3 ms for the 2,000 bands or
    1.3 ms for the 1,000 external ids of a Meta batch); this text is built with one join. Strings
    are quoted, with backslash and double quote escaped, so any text (commas, braces, "NULL")
    stays one element.
    """
    return "{" + ",".join(_array_element(value) for value in values) + "}"


def _array_element(value: str | int) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(int(value))


class AnyOf(Lookup):
    """`column = ANY(%s)` with the values as one array parameter: what `__in` means, for long lists.

    `__in` writes one placeholder per value, which Django prepares and psycopg splits and quotes one
    by one in Python (some 15-20 ms for the 1,000 external ids of a Meta batch); one array literal
    (array_literal) is built at once, and PostgreSQL plans `= ANY(array)` as it plans `IN (...)`,
    using the same indexes. Use it as an expression: `.filter(AnyOf(F("external_id"), external_ids))`.
    The values go to the database as they are (strings, integers), not through the field's preparation.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [array_literal(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


class NameWordsBegin(Lookup):
    """Each word of the search begins a word of `words` (a tsvector made by author_name_words, as
    Author.name_words is), whatever else the search holds.

    The search goes as a parameter to author_name_query (migration 0034), which builds the prefix
    query from its words in PostgreSQL, quoted: the search text is never read as tsquery syntax.
    It is IMMUTABLE, so PostgreSQL computes the query once while planning and uses the column's
    GIN index and statistics; a search without words gives NULL, which matches nothing. Use it as
    an expression: `.filter(NameWordsBegin(F("name_words"), search))`.

    The index is asked for the longest word only (author_name_key_query, migration 0036), and all
    the words are tested on the authors it finds with ts_match_vq, the function behind @@, which
    the planner does not match to the index: given all the words, the index gathers every entry of
    the commonest beginning first ("fan" in "Fan 1234": 200,000 authors for 111, 14.6 -> 0.16 ms).
    """

    lookup_name = "name_words_begin"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return (
            f"{lhs} @@ author_name_key_query({rhs}) AND pg_catalog.ts_match_vq({lhs}, author_name_query({rhs}))",
            (*lhs_params, *rhs_params, *lhs_params, *rhs_params),
        )
