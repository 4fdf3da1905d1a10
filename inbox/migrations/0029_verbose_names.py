"""Field names for the admin in the UI language (verbose names only; no schema change)."""

import django.contrib.postgres.fields
import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communityops", "0004_client_contact_user_is_a_contact_login"),
        ("inbox", "0028_author_channel_namespace"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="agentpresence",
            name="user",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="presence",
                to=settings.AUTH_USER_MODEL,
                verbose_name="user",
            ),
        ),
        migrations.AlterField(
            model_name="genericeventreceipt",
            name="channel",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="generic_event_receipts",
                to="communityops.channel",
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="genericeventreceipt",
            name="delivery",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="event_receipts",
                to="inbox.webhookdelivery",
                verbose_name="delivery",
            ),
        ),
        migrations.AlterField(
            model_name="genericeventreceipt",
            name="event_id",
            field=models.CharField(max_length=200, verbose_name="event id"),
        ),
        migrations.AlterField(
            model_name="genericeventreceipt",
            name="received_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="received at"),
        ),
        migrations.AlterField(
            model_name="ingestchange",
            name="delivery",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="changes",
                to="inbox.webhookdelivery",
                verbose_name="delivery",
            ),
        ),
        migrations.AlterField(
            model_name="ingestchange",
            name="error",
            field=models.TextField(blank=True, verbose_name="error"),
        ),
        migrations.AlterField(
            model_name="ingestchange",
            name="item",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="inbox.item",
                verbose_name="item",
            ),
        ),
        migrations.AlterField(
            model_name="ingestchange",
            name="payload",
            field=models.JSONField(blank=True, null=True, verbose_name="payload"),
        ),
        migrations.AlterField(
            model_name="ingestchange",
            name="position",
            field=models.PositiveIntegerField(verbose_name="position"),
        ),
        migrations.AlterField(
            model_name="ingestchange",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("ingested", "Ingested"),
                    ("duplicate", "Duplicate"),
                    ("ignored", "Ignored"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="author",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.RESTRICT,
                related_name="items",
                to="inbox.author",
                verbose_name="author",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="campaign_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func("text", function="item_campaign_key", output_field=models.UUIDField()),
                output_field=models.UUIDField(),
                verbose_name="campaign key",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="channel",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="communityops.channel",
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="claimed at"),
        ),
        migrations.AlterField(
            model_name="item",
            name="claimed_by",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="claimed_items",
                to=settings.AUTH_USER_MODEL,
                verbose_name="claimed by",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="client",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="items",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="closed at"),
        ),
        migrations.AlterField(
            model_name="item",
            name="external_id",
            field=models.CharField(max_length=200, verbose_name="external id"),
        ),
        migrations.AlterField(
            model_name="item",
            name="first_response_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="first response at"),
        ),
        migrations.AlterField(
            model_name="item",
            name="lease_expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="lease expires at"),
        ),
        migrations.AlterField(
            model_name="item",
            name="parent_external_id",
            field=models.CharField(blank=True, max_length=200, verbose_name="parent external id"),
        ),
        migrations.AlterField(
            model_name="item",
            name="permalink",
            field=models.URLField(blank=True, max_length=500, verbose_name="permalink"),
        ),
        migrations.AlterField(
            model_name="item",
            name="tags",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=50), blank=True, default=list, verbose_name="tags"
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="thread_external_id",
            field=models.CharField(blank=True, max_length=200, verbose_name="thread external id"),
        ),
        migrations.AlterField(
            model_name="item",
            name="topic_terms",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    "text",
                    function="item_topic_terms",
                    output_field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField()),
                ),
                output_field=django.contrib.postgres.fields.ArrayField(base_field=models.TextField()),
                verbose_name="topic terms",
            ),
        ),
        migrations.AlterField(
            model_name="item",
            name="triage_reasons",
            field=models.JSONField(blank=True, default=list, verbose_name="triage reasons"),
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="data"),
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="item",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="events", to="inbox.item", verbose_name="item"
            ),
        ),
        migrations.AlterField(
            model_name="itemevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("triaged", "Triaged"),
                    ("author_profile", "Author profile changed"),
                    ("claimed", "Claimed"),
                    ("released", "Released"),
                    ("lease_expired", "Lease expired"),
                    ("taken_over", "Taken over"),
                    ("assigned", "Assigned"),
                    ("reply_queued", "Reply queued"),
                    ("action_queued", "Moderation queued"),
                    ("sent", "Sent"),
                    ("send_failed", "Sending failed"),
                    ("status_changed", "Status changed"),
                    ("note_added", "Note added"),
                    ("tagged", "Tags changed"),
                    ("escalated", "Escalated to crisis"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="itemnote",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="item_notes",
                to=settings.AUTH_USER_MODEL,
                verbose_name="author",
            ),
        ),
        migrations.AlterField(
            model_name="itemnote",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="itemnote",
            name="item",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="notes", to="inbox.item", verbose_name="item"
            ),
        ),
        migrations.AlterField(
            model_name="itemtextfingerprint",
            name="author",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="inbox.author",
                verbose_name="author",
            ),
        ),
        migrations.AlterField(
            model_name="itemtextfingerprint",
            name="bands",
            field=django.contrib.postgres.fields.ArrayField(base_field=models.BigIntegerField(), verbose_name="bands"),
        ),
        migrations.AlterField(
            model_name="itemtextfingerprint",
            name="client",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="itemtextfingerprint",
            name="item",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                primary_key=True,
                related_name="text_fingerprint",
                serialize=False,
                to="inbox.item",
                verbose_name="item",
            ),
        ),
        migrations.AlterField(
            model_name="itemtextfingerprint",
            name="minhash",
            field=models.BinaryField(verbose_name="minhash"),
        ),
        migrations.AlterField(
            model_name="itemtextfingerprint",
            name="received_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="received at"),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="created at"),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="external_id",
            field=models.CharField(blank=True, max_length=200, verbose_name="external id"),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="idempotency_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="idempotency key"),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="item",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outbound_actions",
                to="inbox.item",
                verbose_name="item",
            ),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="kind",
            field=models.CharField(
                choices=[
                    ("reply", "Reply"),
                    ("hide", "Hide"),
                    ("unhide", "Unhide"),
                    ("delete", "Delete"),
                    ("approve", "Approve"),
                    ("spam", "Mark as spam"),
                    ("trash", "Trash"),
                ],
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next attempt at"),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="outbound_actions",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="sent_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="sent at"),
        ),
        migrations.AlterField(
            model_name="outboundaction",
            name="status",
            field=models.CharField(
                choices=[("queued", "Queued"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed")],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="spamfeedback",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="spamfeedback",
            name="decided_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="decided at"),
        ),
        migrations.AlterField(
            model_name="spamfeedback",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                to=settings.AUTH_USER_MODEL,
                verbose_name="decided by",
            ),
        ),
        migrations.AlterField(
            model_name="spamfeedback",
            name="is_spam",
            field=models.BooleanField(verbose_name="is spam"),
        ),
        migrations.AlterField(
            model_name="spamfeedback",
            name="item",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="spam_feedback",
                to="inbox.item",
                verbose_name="item",
            ),
        ),
        migrations.AlterField(
            model_name="spamfeedback",
            name="tokens",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=64), default=list, verbose_name="tokens"
            ),
        ),
        migrations.AlterField(
            model_name="spamtokenstat",
            name="client",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="spam_token_stats",
                to="communityops.client",
                verbose_name="client",
            ),
        ),
        migrations.AlterField(
            model_name="spamtokenstat",
            name="ham_count",
            field=models.IntegerField(default=0, verbose_name="ham count"),
        ),
        migrations.AlterField(
            model_name="spamtokenstat",
            name="spam_count",
            field=models.IntegerField(default=0, verbose_name="spam count"),
        ),
        migrations.AlterField(
            model_name="spamtokenstat",
            name="token",
            field=models.CharField(max_length=64, verbose_name="token"),
        ),
        migrations.AlterField(
            model_name="teamassignmentpolicy",
            name="last_assigned_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="last assigned user",
            ),
        ),
        migrations.AlterField(
            model_name="teamassignmentpolicy",
            name="team",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="assignment_policy",
                to="communityops.team",
                verbose_name="team",
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="body",
            field=models.BinaryField(verbose_name="body"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="body_dropped_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="body dropped at"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="channel",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="webhook_deliveries",
                to="communityops.channel",
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="processed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="processed at"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="received_at",
            field=models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="received at"),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="source",
            field=models.CharField(
                choices=[
                    ("meta", "Meta"),
                    ("generic", "Generic"),
                    ("wordpress_poll", "WordPress poll"),
                    ("import", "File import"),
                ],
                max_length=20,
                verbose_name="source",
            ),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("processed", "Processed"), ("partial", "Processed with errors")],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="wordpresspollstate",
            name="channel",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="wordpress_poll_state",
                to="communityops.channel",
                verbose_name="channel",
            ),
        ),
        migrations.AlterField(
            model_name="wordpresspollstate",
            name="last_error",
            field=models.TextField(blank=True, verbose_name="last error"),
        ),
        migrations.AlterField(
            model_name="wordpresspollstate",
            name="last_polled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last polled at"),
        ),
        migrations.AlterField(
            model_name="wordpresspollstate",
            name="newest_comment_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="newest comment at"),
        ),
    ]
