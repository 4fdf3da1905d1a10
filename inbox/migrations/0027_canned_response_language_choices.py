"""A canned response's language is one of the UI's (German, English), no longer free text: values
typed before ("english", "Deutsch") are mapped by their first letters, anything else becomes German.
The text's help names the placeholders."""

from django.db import migrations, models


def languages_normalise(apps, schema_editor):
    CannedResponse = apps.get_model("inbox", "CannedResponse")
    CannedResponse.objects.filter(language__istartswith="en").exclude(language="en").update(language="en")
    CannedResponse.objects.exclude(language__in=["de", "en"]).update(language="de")


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0026_queue_index_by_urgency"),
    ]

    operations = [
        migrations.RunPython(languages_normalise, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="cannedresponse",
            name="body",
            field=models.TextField(
                help_text="{author_name} becomes the author's name and {client_name} the client's when an agent inserts the text.",
                verbose_name="text",
            ),
        ),
        migrations.AlterField(
            model_name="cannedresponse",
            name="language",
            field=models.CharField(
                choices=[("de", "German"), ("en", "English")], default="de", max_length=8, verbose_name="language"
            ),
        ),
    ]
