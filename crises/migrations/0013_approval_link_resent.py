"""A crisis event kind for a new approval link the agency sent a contact (the link had expired or the
email was lost): the timeline shows who sent it to whom. Choices only; no change to the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crises", "0012_idempotency_key"),
    ]

    operations = [
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
                    ("approval_link_resent", "New approval link sent"),
                    ("published", "Response published"),
                    ("holding_published", "Holding statement published"),
                    ("post_mortem", "Post-mortem written"),
                ],
                max_length=24,
                verbose_name="kind",
            ),
        ),
    ]
