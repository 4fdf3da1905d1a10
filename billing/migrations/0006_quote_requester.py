from django.db import migrations, models
from django.db.models import F


def requests_keep_who_asked(apps, schema_editor):
    # Until now a request overwrote the quote's name and email with the requester's.
    Quote = apps.get_model("billing", "Quote")
    Quote.objects.filter(requested_at__isnull=False).update(requester_name=F("name"), requester_email=F("email"))


class Migration(migrations.Migration):
    """Who asked to take a quote up, beside the name and email it was saved with."""

    dependencies = [
        ("billing", "0005_quote_notified_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="quote",
            name="requester_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="requested by"),
        ),
        migrations.AddField(
            model_name="quote",
            name="requester_email",
            field=models.EmailField(blank=True, max_length=254, verbose_name="email of who requested it"),
        ),
        migrations.RunPython(requests_keep_who_asked, migrations.RunPython.noop),
    ]
