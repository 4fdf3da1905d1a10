from django.db import migrations, models


class Migration(migrations.Migration):
    """A settled Meta change is stored without a copy of its payload (the delivery's body holds it);
    dropping NOT NULL is instant. Going back gives those changes an empty payload."""

    dependencies = [
        ("inbox", "0017_item_claimed_by_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ingestchange",
            name="payload",
            field=models.JSONField(blank=True, null=True),
        ),
        # Reversed first: NOT NULL comes back once every change has a payload.
        migrations.RunSQL(
            migrations.RunSQL.noop,
            reverse_sql="UPDATE inbox_ingestchange SET payload = '{}'::jsonb WHERE payload IS NULL",
        ),
    ]
