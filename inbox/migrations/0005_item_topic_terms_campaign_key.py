"""Item.topic_terms and Item.campaign_key: what the reports group by, kept by PostgreSQL beside the text.

The reports count topics and group near-identical posts over thousands of items per request;
parsing (to_tsvector) and normalising (two regexp_replace) every text again at report time was
most of a client report's time at a million items. Stored generated columns are computed once
on insert and again whenever the text changes, and nothing in Python can forget to.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

# The distinct words of a text: lower case, letters only (umlauts count under a UTF-8 ctype),
# at least three letters, sorted. Stopwords are left to the reports (insights/stopwords).
TOPIC_TERMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION item_topic_terms(body text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN ARRAY(
    SELECT lexeme FROM pg_catalog.unnest(pg_catalog.to_tsvector('pg_catalog.simple'::pg_catalog.regconfig, body))
    WHERE pg_catalog.char_length(lexeme) >= 3 AND lexeme OPERATOR(pg_catalog.~) '^[[:alpha:]]+$'
    ORDER BY lexeme
);
"""

# Near-identical posts share a key: lower case, links, @handles and digits dropped (campaign posts
# often vary only there), punctuation collapsed to single spaces, md5 of what remains. Texts that
# normalise to fewer than 20 characters ("danke!") get none: they are not a campaign.
CAMPAIGN_KEY_FUNCTION = r"""
CREATE OR REPLACE FUNCTION item_campaign_key(body text) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN (
    SELECT CASE WHEN pg_catalog.char_length(normalized) >= 20 THEN pg_catalog.md5(normalized)::uuid END
    FROM (
        SELECT pg_catalog.btrim(pg_catalog.regexp_replace(
            pg_catalog.regexp_replace(pg_catalog.lower(body), 'https?://\S+|@\w+|[0-9]+', ' ', 'g'),
            '[^[:alnum:]]+', ' ', 'g'
        )) AS normalized
    ) AS normalization
);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0004_ingest_fingerprints_spam_learning"),
    ]

    operations = [
        migrations.RunSQL(TOPIC_TERMS_FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS item_topic_terms(text);"),
        migrations.RunSQL(CAMPAIGN_KEY_FUNCTION, reverse_sql="DROP FUNCTION IF EXISTS item_campaign_key(text);"),
        migrations.AddField(
            model_name="item",
            name="topic_terms",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    "text",
                    function="item_topic_terms",
                    output_field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField()),
                ),
                output_field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField()),
            ),
        ),
        migrations.AddField(
            model_name="item",
            name="campaign_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func("text", function="item_campaign_key", output_field=models.UUIDField()),
                output_field=models.UUIDField(),
            ),
        ),
    ]
