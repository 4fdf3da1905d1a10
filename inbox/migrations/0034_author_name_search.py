"""Author.name_words and its GIN index: the queue's search by author finds names through an index.

The search was `display_name ILIKE '%…%' OR handle ILIKE '%…%'`, a (parallel) sequential scan of
every author on every search and on every live refresh of a searched queue (~57 ms at the
benchmark's 200,000 authors). PostgreSQL's trigram indexes (pg_trgm) would keep "part of the name
anywhere", but pg_trgm is an extension that the embedded PostgreSQL does not ship, so the search
is by word prefix with core full-text search instead: an author matches when every word searched
for begins a word of their name or handle ("Müll" and "anna m" find "Anna Müller"; "brauhaus" and
"@brauhaus_fan" find the handle "brauhaus_fan"; "üller" finds nobody).

How a name is split into words (author_name_words, the same for the stored names and for the
search, so both sides always agree):
- NFC first, so that an "ü" sent as "u" plus a combining diaeresis is the same letter as "ü";
- every ASCII punctuation character is a space: handles split at "_", "." and "-", a leading "@"
  goes, and the parser never sees a host name ("anna.mueller"), an e-mail address or a tag where
  a person sees words (it would keep "anna.mueller" as one word and "mueller" would not find it);
- the 'simple' configuration: lower case (umlauts and other letters too, under a UTF-8 ctype), no
  stemming, no stop words; letters keep their accents (no unaccent here either: "Muller" does not
  find "Müller", as the substring search did not).

author_name_query turns the search into a prefix query, every word as 'word':* joined with &. It
builds the query from the lexemes of author_name_words, quoted and escaped, never from the
search text itself, so characters of the tsquery syntax (' & | ! : * ( ) < >) in a search are
only word separators. A search without any word (empty, punctuation only) is NULL, and
`name_words @@ NULL` finds nobody rather than everybody. Both functions are IMMUTABLE with
SQL-standard bodies: the query is computed once when the statement is planned, so the planner
sees a constant and estimates from the column's statistics.

The stored column rewrites the author table once (under its lock: about a second per 200,000
authors); the GIN index keeps fastupdate on, so a bulk insert of authors adds its entries to the
pending list, not to the index tree one by one.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models

# The 32 ASCII punctuation characters are the four ranges !-/ :-@ [-` {-~ (by code point; a
# tenth of the time translate() of the same 32 characters takes per name). Unicode punctuation
# needs nothing: the parser reads it as a space already ([[:punct:]] would also split words at
# combining marks, such as the vowel signs of Devanagari).
# NFC only where the name is not in NFC already (the quick check costs a fraction of normalize()
# on every name). Not STRICT, so that PostgreSQL inlines the body (CASE is not strict): NULL gives
# NULL all the same.
NAME_WORDS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION author_name_words(name text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN pg_catalog.to_tsvector(
    'pg_catalog.simple'::pg_catalog.regconfig,
    pg_catalog.regexp_replace(
        CASE WHEN name IS NFC NORMALIZED THEN name ELSE pg_catalog.normalize(name, 'NFC') END,
        '[!-/:-@[-`{-~]+', ' ', 'g'
    )
);
"""

# Each lexeme quoted for the tsquery syntax (a quote or backslash escaped, though the words hold
# none after author_name_words), with :* for a prefix; the words ANDed; NULL without any word.
NAME_QUERY_FUNCTION = r"""
CREATE OR REPLACE FUNCTION author_name_query(search text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (
    SELECT pg_catalog.string_agg(
        '''' OPERATOR(pg_catalog.||)
        pg_catalog.replace(pg_catalog.replace(lexeme, '\', '\\'), '''', '\''')
        OPERATOR(pg_catalog.||) ''':*',
        ' & '
    )::pg_catalog.tsquery
    FROM pg_catalog.unnest(pg_catalog.tsvector_to_array(author_name_words(search))) AS lexeme
);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0008_alphabetical_order"),
        ("inbox", "0033_open_statuses_without_awaiting_approval"),
    ]

    operations = [
        migrations.RunSQL(NAME_WORDS_FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS author_name_words(text);"),
        migrations.RunSQL(NAME_QUERY_FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS author_name_query(text);"),
        migrations.AddField(
            model_name="author",
            name="name_words",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    django.db.models.functions.text.Concat("display_name", models.Value(" "), "handle"),
                    function="author_name_words",
                    output_field=django.contrib.postgres.search.SearchVectorField(),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
                verbose_name="words of the name",
            ),
        ),
        migrations.AddIndex(
            model_name="author",
            index=django.contrib.postgres.indexes.GinIndex(fields=["name_words"], name="author_name_search"),
        ),
        # Statistics of the new column now, not when autovacuum next finds enough changed rows (a
        # rewrite does not count): the planner estimates a name's authors from them.
        migrations.RunSQL("ANALYZE inbox_author;", reverse_sql=migrations.RunSQL.noop),
    ]
