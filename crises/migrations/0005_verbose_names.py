"""Field names for the admin in the UI language (verbose names only; no schema change)."""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0004_client_contact_user_is_a_contact_login"),
        ("crises", "0004_notification_fallback_without_step"),
        ("inbox", "0029_verbose_names"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="approval",
            name="contact",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="communityops.clientcontact",
                verbose_name="contact",
            ),
        ),
        migrations.AlterField(
            model_name="approval",
            name="decided_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="decided at"),
        ),
        migrations.AlterField(
            model_name="approval",
            name="decision",
            field=models.CharField(
                choices=[("approve", "Approve"), ("reject", "Reject")], max_length=8, verbose_name="decision"
            ),
        ),
        migrations.AlterField(
            model_name="approval",
            name="draft",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="approvals",
                to="crises.responsedraft",
                verbose_name="draft",
            ),
        ),
        migrations.AlterField(
            model_name="approval",
            name="via",
            field=models.CharField(
                choices=[("portal", "Portal"), ("magic_link", "Magic link")], max_length=10, verbose_name="via"
            ),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="contact",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communityops.clientcontact",
                verbose_name="contact",
            ),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="draft",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="links",
                to="crises.responsedraft",
                verbose_name="draft",
            ),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="is_fallback",
            field=models.BooleanField(default=False, verbose_name="is fallback"),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="nonce",
            field=models.CharField(max_length=64, verbose_name="nonce"),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="reminded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reminded at"),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="token_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="token hash"),
        ),
        migrations.AlterField(
            model_name="approvallink",
            name="used_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="used at"),
        ),
        migrations.AlterField(
            model_name="approvalsettings",
            name="client",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="approval_settings",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="channelunansweredthreshold",
            name="channel",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communityops.channel",
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="channelunansweredthreshold",
            name="settings",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="channel_thresholds",
                to="crises.detectionsettings",
                verbose_name="settings",
            ),
        ),
        migrations.AlterField(
            model_name="crisis",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AlterField(
            model_name="crisisevent",
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
            model_name="crisisevent",
            name="actor_label",
            field=models.CharField(blank=True, max_length=200, verbose_name="actor label"),
        ),
        migrations.AlterField(
            model_name="crisisevent",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="crisisevent",
            name="crisis",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="crises.crisis",
                verbose_name="crisis",
            ),
        ),
        migrations.AlterField(
            model_name="crisisevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="data"),
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
            model_name="crisisitem",
            name="answered_action",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="inbox.outboundaction",
                verbose_name="answered action",
            ),
        ),
        migrations.AlterField(
            model_name="crisisitem",
            name="answered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="answered at"),
        ),
        migrations.AlterField(
            model_name="crisisitem",
            name="answered_draft",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="answered_items",
                to="crises.responsedraft",
                verbose_name="answered draft",
            ),
        ),
        migrations.AlterField(
            model_name="crisisitem",
            name="crisis",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="crisis_items",
                to="crises.crisis",
                verbose_name="crisis",
            ),
        ),
        migrations.AlterField(
            model_name="crisisitem",
            name="holding_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="holding sent at"),
        ),
        migrations.AlterField(
            model_name="crisisitem",
            name="holding_statement",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="crises.holdingstatement",
                verbose_name="holding statement",
            ),
        ),
        migrations.AlterField(
            model_name="crisisitem",
            name="item",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="crisis_links",
                to="inbox.item",
                verbose_name="item",
            ),
        ),
        migrations.AlterField(
            model_name="crisisitem",
            name="linked_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="linked at"),
        ),
        migrations.AlterField(
            model_name="crisisitem",
            name="linked_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="linked by",
            ),
        ),
        migrations.AlterField(
            model_name="detectionsettings",
            name="client",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="detection_settings",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="escalationstep",
            name="policy",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="steps",
                to="crises.escalationpolicy",
                verbose_name="policy",
            ),
        ),
        migrations.AlterField(
            model_name="holdingstatement",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="holding_statements",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="address",
            field=models.CharField(
                help_text="Email address, phone number or webhook URL.", max_length=500, verbose_name="address"
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="channel",
            field=models.CharField(
                choices=[
                    ("email", "Email"),
                    ("outgoing_webhook", "SMS / phone via outgoing webhook"),
                    ("chat_webhook", "Slack/Teams incoming webhook"),
                ],
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="crisis",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to="crises.crisis",
                verbose_name="crisis",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="language",
            field=models.CharField(default="de", max_length=8, verbose_name="language"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient_key",
            field=models.CharField(max_length=50, verbose_name="recipient key"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="recipient_label",
            field=models.CharField(max_length=200, verbose_name="recipient label"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
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
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="step",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="notifications",
                to="crises.escalationstep",
                verbose_name="step",
            ),
        ),
        migrations.AlterField(
            model_name="recipientlanguage",
            name="contact",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communityops.clientcontact",
                verbose_name="contact",
            ),
        ),
        migrations.AlterField(
            model_name="recipientlanguage",
            name="user",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="approval_due_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="approval due at"),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="created_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="created by",
            ),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="crisis",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="drafts",
                to="crises.crisis",
                verbose_name="crisis",
            ),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="fallback_asked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="fallback asked at"),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="reminder_sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="reminder sent at"),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Awaiting approval"),
                    ("approved", "Approved"),
                    ("rejected", "Rejected"),
                    ("superseded", "Superseded"),
                ],
                default="draft",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="submitted at"),
        ),
        migrations.AlterField(
            model_name="responsedraft",
            name="version",
            field=models.PositiveIntegerField(verbose_name="version"),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="acknowledged_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="acknowledged by",
            ),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="baseline",
            field=models.FloatField(
                help_text="Expected count in the window (or the threshold).", verbose_name="baseline"
            ),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="calmed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="calmed at"),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="channel",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communityops.channel",
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="spike_alerts",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="crisis",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="spike_alerts",
                to="crises.crisis",
                verbose_name="crisis",
            ),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="kind",
            field=models.CharField(
                choices=[
                    ("negative_volume", "Negative items"),
                    ("total_volume", "All items"),
                    ("unanswered", "Unanswered items"),
                ],
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="notified_to",
            field=models.CharField(blank=True, max_length=500, verbose_name="notified to"),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="observed",
            field=models.PositiveIntegerField(verbose_name="observed"),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="sample_item_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), blank=True, default=list, verbose_name="sample item ids"
            ),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="status",
            field=models.CharField(
                choices=[("open", "Open"), ("acknowledged", "Acknowledged"), ("opened_crisis", "Crisis opened")],
                default="open",
                max_length=16,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="window_end",
            field=models.DateTimeField(verbose_name="window end"),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="window_start",
            field=models.DateTimeField(verbose_name="window start"),
        ),
        migrations.AlterField(
            model_name="spikealert",
            name="z_score",
            field=models.FloatField(blank=True, null=True, verbose_name="z score"),
        ),
    ]
