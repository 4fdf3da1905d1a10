import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The canned response's client label for the (German) admin."""

    dependencies = [
        ("communityops", "0003_guideline_label"),
        ("inbox", "0024_item_erased_at_author_erasure"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cannedresponse",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="canned_responses",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
    ]
