from django.db import migrations, models


class Migration(migrations.Migration):
    """When the admins were emailed about a quote request, so a redelivered task sends no second mail."""

    dependencies = [
        ("billing", "0004_quote_request"),
    ]

    operations = [
        migrations.AddField(
            model_name="quote",
            name="notified_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="admins notified"),
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
            ),
        ),
    ]
