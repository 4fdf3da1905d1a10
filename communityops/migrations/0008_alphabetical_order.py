"""Names listed in German alphabetical order (communityops.alphabetical; no schema change)."""

from django.db import migrations, models

import communityops.alphabetical


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0007_verbose_names"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="channel",
            options={
                "ordering": [
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("client__name")),
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("name")),
                    "name",
                ],
                "verbose_name": "channel",
                "verbose_name_plural": "channels",
            },
        ),
        migrations.AlterModelOptions(
            name="client",
            options={
                "ordering": [models.OrderBy(communityops.alphabetical.AlphabeticalKey("name")), "name"],
                "verbose_name": "client",
                "verbose_name_plural": "clients",
            },
        ),
        migrations.AlterModelOptions(
            name="clientcontact",
            options={
                "ordering": [
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("client__name")),
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("name")),
                    "name",
                ],
                "verbose_name": "client contact",
                "verbose_name_plural": "client contacts",
            },
        ),
        migrations.AlterModelOptions(
            name="guideline",
            options={
                "ordering": [
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("client__name")),
                    "kind",
                    models.OrderBy(communityops.alphabetical.AlphabeticalKey("title")),
                    "title",
                ],
                "verbose_name": "guideline",
                "verbose_name_plural": "guidelines",
            },
        ),
        migrations.AlterModelOptions(
            name="team",
            options={
                "ordering": [models.OrderBy(communityops.alphabetical.AlphabeticalKey("name")), "name"],
                "verbose_name": "team",
                "verbose_name_plural": "teams",
            },
        ),
    ]
