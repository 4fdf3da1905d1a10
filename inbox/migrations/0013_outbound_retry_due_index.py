from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """The retry sweep asks for failed rows and stuck sends (status 'sending'); the old index
    covered 'queued' and 'failed', so the sweep read the whole table (86 ms a minute at a million
    items). Built concurrently before the old one goes."""

    atomic = False

    dependencies = [
        ("inbox", "0012_item_event_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="outboundaction",
            index=models.Index(
                condition=models.Q(("status__in", ["failed", "sending"])),
                fields=["next_attempt_at"],
                name="outbound_retry_due",
            ),
        ),
        RemoveIndexConcurrently(model_name="outboundaction", name="outbound_due"),
    ]
