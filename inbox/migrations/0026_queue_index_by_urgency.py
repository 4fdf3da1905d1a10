"""The queue's index follows Item.URGENT_ORDER (due time, priority, id), the order the queue lists
and claim-next takes open items in. Built concurrently before the old one is dropped, so a live
queue never goes without an index and ingestion is not blocked while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("inbox", "0025_canned_response_client_label"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "claimed", "awaiting_approval"])),
                fields=["sla_due_at", "priority", "id"],
                name="item_open_queue_by_urgency",
            ),
        ),
        RemoveIndexConcurrently(model_name="item", name="item_open_queue"),
    ]
