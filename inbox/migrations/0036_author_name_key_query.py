"""author_name_key_query: the longest word of an author search, as the prefix query that looks the
authors up in the GIN index author_name_search; the other words are then tested on those authors only.

The GIN index gathers every entry a prefix matches before it can intersect the words: for
"Fan 1234" the prefix 'fan':* brought the 200,000 benchmark authors named "Fan N" into a bitmap to
find the 111 that also have a word beginning with "1234" (14.6 ms; a one-letter word, as in
"anna m", gathers every name word beginning with that letter). Looked up by its longest word alone
and tested for all of them on the authors found, the same search takes 0.16 ms. The longest word is
the likeliest to be rare: a longer beginning is shared by fewer words.
"""

from django.db import migrations

# The longest lexeme of author_name_words (ties: the first in alphabetical order), quoted as
# author_name_query quotes each lexeme, with :* for a prefix; NULL without any word.
NAME_KEY_QUERY_FUNCTION = r"""
CREATE OR REPLACE FUNCTION author_name_key_query(search text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (
    SELECT (
        '''' OPERATOR(pg_catalog.||)
        pg_catalog.replace(pg_catalog.replace(lexeme, '\', '\\'), '''', '\''')
        OPERATOR(pg_catalog.||) ''':*'
    )::pg_catalog.tsquery
    FROM pg_catalog.unnest(pg_catalog.tsvector_to_array(author_name_words(search))) AS lexeme
    ORDER BY pg_catalog.length(lexeme) DESC, lexeme
    LIMIT 1
);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0035_open_items_topic_terms_index"),
    ]

    operations = [
        migrations.RunSQL(NAME_KEY_QUERY_FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS author_name_key_query(text);"),
    ]
