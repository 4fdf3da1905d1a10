"""Coverage plans listed by client in German alphabetical order (communityops.alphabetical; no schema change)."""

from django.db import migrations, models

import communityops.alphabetical


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0007_verbose_names"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="coverageplan",
            options={
                "ordering": [
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("client__name")),
                    "client__name",
                    "-valid_from",
                ],
                "verbose_name": "coverage plan",
                "verbose_name_plural": "coverage plans",
            },
        ),
    ]
