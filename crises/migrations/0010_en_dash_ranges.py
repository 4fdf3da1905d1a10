"""The business hours' help text writes its time range with an en dash, 09:00–18:00 (no schema change)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crises", "0009_notification_round_database_default"),
    ]

    operations = [
        migrations.AlterField(
            model_name="escalationstep",
            name="business_hours",
            field=models.CharField(
                choices=[
                    ("both", "Always"),
                    ("inside", "Inside business hours"),
                    ("outside", "Outside business hours"),
                ],
                default="both",
                help_text="Business hours: Monday to Friday 09:00–18:00 in the client's time zone, except public holidays.",
                max_length=10,
                verbose_name="applies",
            ),
        ),
    ]
