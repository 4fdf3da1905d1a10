"""Names listed in German alphabetical order (communityops.alphabetical; no schema change)."""

from django.db import migrations, models

import communityops.alphabetical


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0029_verbose_names"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="cannedresponse",
            options={
                "ordering": [
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("client__name")),
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("title")),
                    "title",
                ],
                "verbose_name": "canned response",
                "verbose_name_plural": "canned responses",
            },
        ),
    ]
