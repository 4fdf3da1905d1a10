"""The Idempotency-Key a crisis was opened with, unique per opener: a retried "open a crisis" request
(a timeout, a double click) finds the crisis the first one opened instead of opening and escalating a second."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0008_alphabetical_order"),
        ("crises", "0011_client_seen"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="crisis",
            name="idempotency_fingerprint",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="crisis",
            name="idempotency_key",
            field=models.CharField(
                blank=True, editable=False, max_length=255, null=True, verbose_name="idempotency key"
            ),
        ),
        migrations.AddConstraint(
            model_name="crisis",
            constraint=models.UniqueConstraint(
                condition=models.Q(("idempotency_key__isnull", False)),
                fields=("created_by", "idempotency_key"),
                name="crisis_idempotency_key_per_opener",
            ),
        ),
    ]
