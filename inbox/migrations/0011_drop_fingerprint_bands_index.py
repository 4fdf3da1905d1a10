from django.contrib.postgres.operations import RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    """Drop the GIN index on fingerprint bands: near-duplicate candidates are looked up by (client,
    received_at) and a hashed band test on both triage paths, so the index only cost every ingested
    item its upkeep. Concurrently, so ingestion and triage go on while it is dropped."""

    atomic = False

    dependencies = [
        ("inbox", "0010_drop_ingest_change_delivery_index"),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="itemtextfingerprint", name="fingerprint_bands"),
    ]
