from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """Items: the index on (channel, thread) gains the parent id, so the composer finds a comment's
    replies without reading every other comment under the post (selectors.item_conversation_queryset);
    a post's items are its prefix, as before. Built concurrently first, the old one dropped
    concurrently after."""

    atomic = False

    dependencies = [("inbox", "0018_ingest_change_payload_while_pending")]

    operations = [
        AddIndexConcurrently(
            model_name="item",
            index=models.Index(
                fields=["channel", "thread_external_id", "parent_external_id"], name="item_conversation"
            ),
        ),
        RemoveIndexConcurrently(model_name="item", name="item_thread"),
    ]
