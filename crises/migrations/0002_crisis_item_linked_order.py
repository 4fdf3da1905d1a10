from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """Linked items in linking order (id): an index on (crisis, id), so the crisis's newest links
    (page and API window) and the API's keyset pages (selectors.crisis_linked_items_page) are range
    scans instead of sorting every link of a shitstorm's crisis. Built concurrently: no lock on linking."""

    atomic = False

    dependencies = [("crises", "0001_initial")]

    operations = [
        migrations.AlterModelOptions(
            name="crisisitem",
            options={"ordering": ["id"], "verbose_name": "linked item", "verbose_name_plural": "linked items"},
        ),
        AddIndexConcurrently(
            model_name="crisisitem",
            index=models.Index(fields=["crisis", "id"], name="crisis_item_linked_order"),
        ),
    ]
