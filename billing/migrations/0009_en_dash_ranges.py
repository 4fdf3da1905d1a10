"""The night surcharges' labels and the weekly windows' help text write time ranges with an en dash (no schema change)."""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0008_alphabetical_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="coverageplan",
            name="windows",
            field=models.JSONField(
                help_text="List of [weekday (0 = Monday), start hour, end hour], e.g. [[0, 18, 24]] for Monday 18:00–24:00.",
                verbose_name="weekly windows",
            ),
        ),
        migrations.AlterField(
            model_name="ratecard",
            name="deep_night_pct",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("40"),
                max_digits=6,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("1000")),
                ],
                verbose_name="night surcharge 00:00–04:00 after a shift began before midnight (%)",
            ),
        ),
        migrations.AlterField(
            model_name="ratecard",
            name="night_pct",
            field=models.DecimalField(
                decimal_places=2,
                default=Decimal("25"),
                max_digits=6,
                validators=[
                    django.core.validators.MinValueValidator(Decimal("0")),
                    django.core.validators.MaxValueValidator(Decimal("1000")),
                ],
                verbose_name="night surcharge 20:00–06:00 (%)",
            ),
        ),
    ]
