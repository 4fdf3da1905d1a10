import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """Items: the claimed_by index only where an agent holds the item. Every ingested item arrives
    unclaimed and added a NULL entry to the whole-column index of the foreign key (1.17 million
    entries on the benchmark data, none of them set); its readers (an agent's claims, the lease
    sweep's claimed_by IS NOT NULL, assignment's load per agent, SET NULL when a user is deleted)
    all name a user or ask for one, and plan the same index scan on the partial index. Built
    concurrently first, the old one dropped concurrently after."""

    atomic = False

    dependencies = [
        ("inbox", "0016_fingerprint_minhash_bytes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="item",
            index=models.Index(
                condition=models.Q(("claimed_by__isnull", False)), fields=["claimed_by"], name="item_claimed_by"
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX CONCURRENTLY IF EXISTS inbox_item_claimed_by_id_10224ba8",
                    reverse_sql="CREATE INDEX CONCURRENTLY inbox_item_claimed_by_id_10224ba8 ON inbox_item (claimed_by_id)",
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="item",
                    name="claimed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="claimed_items",
                        to=settings.AUTH_USER_MODEL,
                    ),
                )
            ],
        ),
    ]
