"""Spike detection compares with at least one earlier week: baseline_days >= 7."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crises", "0002_crisis_item_linked_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="detectionsettings",
            name="baseline_days",
            field=models.PositiveIntegerField(
                default=28,
                help_text="Compared with the same window at the same hour of the week in this many previous days (28 days: the last four weeks).",
                validators=[django.core.validators.MinValueValidator(7)],
                verbose_name="baseline (days)",
            ),
        ),
    ]
