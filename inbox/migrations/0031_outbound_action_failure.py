"""OutboundAction.failure: why a send failed, in words an agent acts on (last_error keeps the detail)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0030_alphabetical_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboundaction",
            name="failure",
            field=models.CharField(
                blank=True,
                choices=[
                    ("rejected", "The platform refused"),
                    ("unreachable", "The platform could not be reached"),
                    ("not_possible", "Not possible on this channel"),
                    ("unknown", "Unclear whether it went out"),
                ],
                max_length=12,
                verbose_name="failure",
            ),
        ),
    ]
