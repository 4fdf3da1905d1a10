"""A notification without a step: the fallback alert of a crisis whose client has no ladder for it.

Still one per crisis, step and recipient: the unique constraint treats the missing step as a value.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crises", "0003_baseline_days_at_least_a_week"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="notification",
            name="notification_exactly_once",
        ),
        migrations.AlterField(
            model_name="notification",
            name="step",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notifications",
                to="crises.escalationstep",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("crisis", "step", "recipient_key"), name="notification_exactly_once", nulls_distinct=False
            ),
        ),
    ]
