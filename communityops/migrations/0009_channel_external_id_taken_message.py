"""A second channel with the same platform and external id is refused with a sentence, not the constraint's name."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0008_alphabetical_order"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="channel",
            name="channel_unique_platform_external_id",
            constraint=models.UniqueConstraint(
                condition=models.Q(("external_id", ""), _negated=True),
                fields=("platform", "external_id"),
                name="channel_unique_platform_external_id",
                violation_error_message="Another channel of this platform already has this external id: a page, account or source is one channel of one client.",
            ),
        ),
    ]
