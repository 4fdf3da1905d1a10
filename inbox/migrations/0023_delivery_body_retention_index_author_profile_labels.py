import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """The bodies the retention rule has yet to drop, on a partial index (without it, each batch
    read every delivery dropped before: a scan of the whole table); built concurrently, so
    webhooks keep being stored meanwhile. The author profile's labels for the (German) admin."""

    atomic = False

    dependencies = [
        ("communityops", "0002_cache_table"),
        ("inbox", "0022_item_event_author_profile_changed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="authorprofile",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="profiles",
                to="inbox.author",
                verbose_name="author",
            ),
        ),
        migrations.AlterField(
            model_name="authorprofile",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="author_profiles",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="authorprofile",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="last changed"),
        ),
        migrations.AlterField(
            model_name="authorprofile",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last changed by",
            ),
        ),
        AddIndexConcurrently(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(("body_dropped_at__isnull", True), ("status", "processed")),
                fields=["received_at"],
                name="delivery_body_retention",
            ),
        ),
    ]
