import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """The quote's labels for the (German) admin."""

    dependencies = [
        ("billing", "0002_seed_default_rate_card"),
        ("communityops", "0003_guideline_label"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="quote",
            name="accepted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="accepted"),
        ),
        migrations.AlterField(
            model_name="quote",
            name="accepted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="accepted by",
            ),
        ),
        migrations.AlterField(
            model_name="quote",
            name="client",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="quotes",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="quote",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created"),
        ),
        migrations.AlterField(
            model_name="quote",
            name="rate_card",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="quotes",
                to="billing.ratecard",
                verbose_name="rate card",
            ),
        ),
    ]
