"""Item events: an edit and a removal on the platform get their own kinds (they refuse a reply written meanwhile)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0036_author_name_key_query"),
    ]

    operations = [
        migrations.AlterField(
            model_name="itemevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("triaged", "Triaged"),
                    ("edited", "Edited on the platform"),
                    ("removed", "Removed on the platform"),
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
    ]
