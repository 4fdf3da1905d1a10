from django.db import migrations, models


class Migration(migrations.Migration):
    """A prospect's request to take a quote up (the quote page's form)."""

    dependencies = [
        ("billing", "0003_quote_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="quote",
            name="request_message",
            field=models.TextField(blank=True, max_length=2000, verbose_name="message with the request"),
        ),
        migrations.AddField(
            model_name="quote",
            name="requested_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="requested"),
        ),
        migrations.AlterField(
            model_name="billingevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("rate_card_published", "Rate card published"),
                    ("quote_saved", "Quote saved"),
                    ("quote_requested", "Quote requested"),
                    ("quote_accepted", "Quote accepted"),
                    ("plan_created", "Coverage plan created"),
                    ("plan_closed", "Coverage plan closed"),
                ],
                max_length=30,
            ),
        ),
    ]
