"""The portal account of a client contact can only be a client-contact login (no data change)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0003_guideline_label"),
    ]

    operations = [
        migrations.AlterField(
            model_name="clientcontact",
            name="user",
            field=models.OneToOneField(
                blank=True,
                limit_choices_to={"role": "client_contact"},
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="client_contact",
                to=settings.AUTH_USER_MODEL,
                verbose_name="portal account",
            ),
        ),
    ]
