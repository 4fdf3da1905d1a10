"""Indexes for the reports: the open items by client carry channel, arrival and holder (the
operations dashboard counts them from the index alone), and outbound actions by creation time (the
team figures find each item's first action since a period began).

Concurrently, outside a transaction: ingestion and replies go on writing while they build.
"""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("communityops", "0002_cache_table"),
        ("inbox", "0005_item_topic_terms_campaign_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        RemoveIndexConcurrently(
            model_name="item",
            name="item_open_queue_by_client",
        ),
        AddIndexConcurrently(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "claimed", "awaiting_approval"])),
                fields=["client", "sla_due_at", "id"],
                include=("channel", "received_at", "claimed_by"),
                name="item_open_queue_by_client",
            ),
        ),
        AddIndexConcurrently(
            model_name="outboundaction",
            index=models.Index(fields=["created_at"], name="outbound_created"),
        ),
    ]
