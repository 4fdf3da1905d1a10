from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking writes: inbox_item holds millions of rows in production. The new
    # index exists before the old one goes, so claim-next is never left without one.
    atomic = False

    dependencies = [
        ("inbox", "0008_drop_covered_fk_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "claimed"])),
                fields=["client", "sla_due_at", "priority", "id"],
                name="item_claim_queue_by_client",
            ),
        ),
        RemoveIndexConcurrently(model_name="item", name="item_claim_queue"),
    ]
