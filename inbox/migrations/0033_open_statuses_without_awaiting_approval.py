"""Item.Status drops AWAITING_APPROVAL (nothing ever set it) and the open-queue partial indexes
are rebuilt for the open statuses NEW and CLAIMED.

Concurrently, outside a transaction: ingestion and claims go on writing inbox_item while the
indexes are dropped and built again (the queue reads without them meanwhile, more slowly).
"""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("communityops", "0008_alphabetical_order"),
        ("inbox", "0032_agent_presence_shift_ended_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        RemoveIndexConcurrently(
            model_name="item",
            name="item_open_queue_by_client",
        ),
        RemoveIndexConcurrently(
            model_name="item",
            name="item_open_queue_by_urgency",
        ),
        migrations.AlterField(
            model_name="item",
            name="status",
            field=models.CharField(
                choices=[
                    ("new", "New"),
                    ("claimed", "Claimed"),
                    ("answered", "Answered"),
                    ("closed", "Closed"),
                    ("hidden", "Hidden"),
                    ("spam", "Spam"),
                ],
                default="new",
                max_length=20,
                verbose_name="status",
            ),
        ),
        AddIndexConcurrently(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "claimed"])),
                fields=["sla_due_at", "priority", "id"],
                name="item_open_queue_by_urgency",
            ),
        ),
        AddIndexConcurrently(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "claimed"])),
                fields=["client", "sla_due_at", "id"],
                include=("channel", "received_at", "claimed_by"),
                name="item_open_queue_by_client",
            ),
        ),
    ]
