"""A client contact's "seen" apart from the agency's acknowledgement: it stops alerts to their colleagues only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crises", "0010_en_dash_ranges"),
    ]

    operations = [
        migrations.AddField(
            model_name="crisis",
            name="client_seen_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="seen by the client"),
        ),
        migrations.AddField(
            model_name="crisis",
            name="client_seen_by",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=200, verbose_name="seen by (client contact)"
            ),
        ),
        migrations.AlterField(
            model_name="crisisevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("opened", "Opened"),
                    ("status_changed", "Status changed"),
                    ("items_linked", "Items linked"),
                    ("escalation_started", "Escalation started"),
                    ("step_fired", "Escalation step fired"),
                    ("notification_sent", "Notification sent"),
                    ("notification_failed", "Notification failed"),
                    ("acknowledged", "Acknowledged"),
                    ("client_seen", "Seen by the client"),
                    ("step_skipped", "Escalation step skipped"),
                    ("draft_created", "Draft created"),
                    ("draft_submitted", "Submitted for approval"),
                    ("approval_decided", "Approval decision"),
                    ("approval_reminder", "Approval reminder sent"),
                    ("fallback_approver", "Fallback approver asked"),
                    ("published", "Response published"),
                    ("holding_published", "Holding statement published"),
                    ("post_mortem", "Post-mortem written"),
                ],
                max_length=24,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("skipped", "Not needed (acknowledged)"),
                    ("seen", "Not needed (the client has seen it)"),
                    ("refused", "Not sent (not a contact of the crisis's client)"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
    ]
