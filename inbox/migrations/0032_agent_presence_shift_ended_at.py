"""AgentPresence.shift_ended_at: an explicit end of shift keeps the agent offline until they start one again."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0031_outbound_action_failure"),
    ]

    operations = [
        migrations.AddField(
            model_name="agentpresence",
            name="shift_ended_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="shift ended at"),
        ),
    ]
