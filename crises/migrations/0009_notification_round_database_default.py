"""A notification's round defaults to 1 in the database too: code from before rounds, still running
during a rolling deploy, inserts notifications without it."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crises", "0008_alphabetical_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="round",
            field=models.PositiveSmallIntegerField(db_default=1, default=1, verbose_name="round"),
        ),
    ]
