"""Notifications get the REFUSED status: one to a contact of another client is never sent (choices only)."""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crises', '0005_verbose_names'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='status',
            field=models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed'), ('skipped', 'Not needed (acknowledged)'), ('refused', "Not sent (not a contact of the crisis's client)")], default='pending', max_length=10, verbose_name='status'),
        ),
    ]
