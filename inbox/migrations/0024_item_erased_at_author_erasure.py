import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Erasure on request (GDPR Art. 17): the item's erased_at (a nullable column, added without a
    rewrite) and the record of each erasure (services.erasure)."""

    dependencies = [
        ("communityops", "0002_cache_table"),
        ("inbox", "0023_delivery_body_retention_index_author_profile_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="erased_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="erased"),
        ),
        migrations.CreateModel(
            name="AuthorErasure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "platform",
                    models.CharField(
                        choices=[
                            ("facebook_page", "Facebook page"),
                            ("instagram_account", "Instagram account"),
                            ("wordpress_blog", "WordPress blog"),
                            ("generic", "Generic (signed webhook)"),
                        ],
                        max_length=32,
                        verbose_name="platform",
                    ),
                ),
                (
                    "reference",
                    models.CharField(
                        help_text="Where the request is documented, e.g. a ticket number.",
                        max_length=200,
                        verbose_name="request reference",
                    ),
                ),
                ("erased_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="erased at")),
                ("items_erased", models.PositiveIntegerField(verbose_name="items erased")),
                ("notes_deleted", models.PositiveIntegerField(verbose_name="internal notes deleted")),
                ("raw_bodies_dropped", models.PositiveIntegerField(verbose_name="raw webhook bodies dropped")),
                (
                    "raw_bodies_kept",
                    models.PositiveIntegerField(
                        help_text="Deliveries still being processed; the retention rule drops them.",
                        verbose_name="raw webhook bodies kept",
                    ),
                ),
                (
                    "author_deleted",
                    models.BooleanField(
                        help_text="False when other clients still hold data about the author.",
                        verbose_name="author deleted",
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="author_erasures",
                        to="communityops.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "erased_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="erased by",
                    ),
                ),
            ],
            options={
                "verbose_name": "author erasure",
                "verbose_name_plural": "author erasures",
                "ordering": ["-erased_at", "-id"],
            },
        ),
    ]
