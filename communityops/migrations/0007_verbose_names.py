"""Field names for the admin in the UI language (verbose names only; no schema change)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0006_user_email_unique_ignoring_case"),
    ]

    operations = [
        migrations.AlterField(
            model_name="channel",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="client",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
    ]
