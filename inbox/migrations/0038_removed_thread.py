"""RemovedThread: the posts removed on the platform per channel, so that comments delivered later arrive removed."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0009_channel_external_id_taken_message"),
        ("inbox", "0037_item_event_edited_removed"),
    ]

    operations = [
        migrations.CreateModel(
            name="RemovedThread",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("thread_external_id", models.CharField(max_length=200, verbose_name="thread external id")),
                ("removed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="removed at")),
                (
                    "channel",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="removed_threads",
                        to="communityops.channel",
                        verbose_name="channel",
                    ),
                ),
            ],
            options={
                "verbose_name": "post removed on the platform",
                "verbose_name_plural": "posts removed on the platform",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("channel", "thread_external_id"), name="removed_thread_unique_per_channel"
                    )
                ],
            },
        ),
    ]
