"""AnyOf: `= ANY(array)` selects exactly the rows `__in` selects, with the values as one parameter."""

import pytest
from django.db import connection
from django.db.models import F

from inbox.lookups import AnyOf, array_literal
from inbox.models import Author

pytestmark = pytest.mark.django_db


def test_any_of_selects_the_rows_in_selects():
    for number in range(5):
        Author.objects.create(platform="facebook_page", external_id=f"author-{number}")
    wanted = ["author-1", "author-3", "someone-else", "author-3"]

    by_any = Author.objects.filter(AnyOf(F("external_id"), wanted), platform="facebook_page")
    by_in = Author.objects.filter(external_id__in=wanted, platform="facebook_page")

    assert sorted(by_any.values_list("external_id", flat=True)) == ["author-1", "author-3"]
    assert sorted(by_any.values_list("pk", flat=True)) == sorted(by_in.values_list("pk", flat=True))


def test_any_of_takes_integers_and_an_empty_list():
    authors = [Author.objects.create(platform="facebook_page", external_id=f"author-{number}") for number in range(3)]

    chosen = Author.objects.filter(AnyOf(F("pk"), {authors[0].pk, authors[2].pk}))

    assert sorted(chosen.values_list("pk", flat=True)) == [authors[0].pk, authors[2].pk]
    assert not Author.objects.filter(AnyOf(F("pk"), []))


def test_any_of_sends_the_values_as_one_parameter():
    sql, params = Author.objects.filter(AnyOf(F("external_id"), ["a", "b", "c"])).query.sql_with_params()

    assert '"external_id" = ANY(%s)' in sql
    assert params == ('{"a","b","c"}',)


def test_any_of_finds_texts_with_quotes_backslashes_commas_and_braces():
    awkward = ['a"b', "c\\d", "e,f", "{g}", "NULL", "", " h ", "ü\n"]
    for external_id in [*awkward, "other"]:
        Author.objects.create(platform="facebook_page", external_id=external_id)

    found = Author.objects.filter(AnyOf(F("external_id"), awkward)).values_list("external_id", flat=True)

    assert sorted(found) == sorted(awkward)


def test_an_array_literal_reads_back_as_the_values():
    values = ['a"b', "c\\d", "e,f", "{g}", "NULL", ""]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[], %s::bigint[]", [array_literal(values), array_literal([3, -1, 2**62])])
        assert cursor.fetchone() == (values, [3, -1, 2**62])
