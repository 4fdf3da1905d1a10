import django.db.models.deletion
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """Item events: the actor index only where an actor is set (every arrival writes an event
    without one), no index on created_at (nothing searches events by time). Built concurrently
    first, so a user deletion never lacks an index; the old ones are dropped after."""

    atomic = False

    dependencies = [
        ("inbox", "0011_drop_fingerprint_bands_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="itemevent",
            index=models.Index(condition=models.Q(("actor__isnull", False)), fields=["actor"], name="item_event_actor"),
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True),
        ),
    ]
