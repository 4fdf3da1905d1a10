"""Notifications get a round: the fallback alert repeats until acknowledged, each round exactly once
per recipient (existing rows are round 1)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crises", "0006_notification_refused"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="notification",
            name="notification_exactly_once",
        ),
        migrations.AddField(
            model_name="notification",
            name="round",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="round"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("crisis", "step", "recipient_key", "round"),
                name="notification_exactly_once",
                nulls_distinct=False,
            ),
        ),
    ]
