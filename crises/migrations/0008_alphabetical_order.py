"""Names listed in German alphabetical order (communityops.alphabetical; no schema change)."""

from django.db import migrations, models

import communityops.alphabetical


class Migration(migrations.Migration):
    dependencies = [
        ("crises", "0007_notification_round"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="holdingstatement",
            options={
                "ordering": [
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("client__name")),
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("title")),
                    "title",
                ],
                "verbose_name": "holding statement",
                "verbose_name_plural": "holding statements",
            },
        ),
    ]
