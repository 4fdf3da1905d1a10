from django.db import migrations, models


class Migration(migrations.Migration):
    """The guideline's last-changed label for the (German) admin."""

    dependencies = [
        ("communityops", "0002_cache_table"),
    ]

    operations = [
        migrations.AlterField(
            model_name="guideline",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="last changed"),
        ),
    ]
