"""Field names for the admin in the UI language (verbose names only; no schema change)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_quote_requester"),
        ("communityops", "0004_client_contact_user_is_a_contact_login"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="billingevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="billingevent",
            name="client",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="billingevent",
            name="coverage_plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="billing.coverageplan",
                verbose_name="coverage plan",
            ),
        ),
        migrations.AlterField(
            model_name="billingevent",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="billingevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="data"),
        ),
        migrations.AlterField(
            model_name="billingevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("rate_card_published", "Rate card published"),
                    ("quote_saved", "Quote saved"),
                    ("quote_requested", "Quote requested"),
                    ("quote_request_notified", "Admins notified of the request"),
                    ("quote_accepted", "Quote accepted"),
                    ("plan_created", "Coverage plan created"),
                    ("plan_closed", "Coverage plan closed"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="billingevent",
            name="quote",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="billing.quote",
                verbose_name="quote",
            ),
        ),
        migrations.AlterField(
            model_name="billingevent",
            name="rate_card",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="billing.ratecard",
                verbose_name="rate card",
            ),
        ),
        migrations.AlterField(
            model_name="coverageplan",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="coverage_plans",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="coverageplan",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="coverageplan",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AlterField(
            model_name="coverageplan",
            name="quote",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="coverage_plans",
                to="billing.quote",
                verbose_name="quote",
            ),
        ),
        migrations.AlterField(
            model_name="coverageplan",
            name="rate_card",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="coverage_plans",
                to="billing.ratecard",
                verbose_name="rate card",
            ),
        ),
        migrations.AlterField(
            model_name="quote",
            name="token",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="token"),
        ),
        migrations.AlterField(
            model_name="ratecard",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="ratecard",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
    ]
