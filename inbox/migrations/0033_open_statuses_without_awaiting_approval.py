"""Item.Status drops AWAITING_APPROVAL (nothing ever set it) and the open-queue partial indexes
are rebuilt for the open statuses NEW and CLAIMED.

On a big inbox_item table this index rebuild is a stop-and-migrate step: DROP/CREATE INDEX lock
writes to the table while they run (CONCURRENTLY cannot run inside the migration's transaction).
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0008_alphabetical_order"),
        ("inbox", "0032_agent_presence_shift_ended_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="item",
            name="item_open_queue_by_client",
        ),
        migrations.RemoveIndex(
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
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "claimed"])),
                fields=["sla_due_at", "priority", "id"],
                name="item_open_queue_by_urgency",
            ),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "claimed"])),
                fields=["client", "sla_due_at", "id"],
                include=("channel", "received_at", "claimed_by"),
                name="item_open_queue_by_client",
            ),
        ),
    ]
