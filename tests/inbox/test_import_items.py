"""manage.py import_items: CSV and JSON lines, rejected rows reported, everything stored."""

import json

import pytest
from django.core.management import CommandError, call_command

from communityops.models import Channel
from inbox.models import Author, IngestChange, Item, WebhookDelivery


def test_csv_import_with_rejected_rows(tmp_path, generic_channel, capsys):
    path = tmp_path / "reviews.csv"
    path.write_text(
        "external_id,kind,text,author_id,author_name,author_followers,created_at,language,tags\n"
        "r-1,review,Super Bier und nette Leute!,a-1,Anna,120,2026-11-01T20:00:00+01:00,de,import|2026\n"
        "r-2,review,,a-2,Ben,0,2026-11-01T21:00:00,de,\n"
        "r-3,review,Worst service ever,a-3,Cleo,abc,2026-11-02T09:00:00Z,en,\n"
        "r-4,review,Okay,a-4,Dana,5,yesterday,,\n"
        "r-5,review,Too,many,fields,here,a,b,c,d\n",
        encoding="utf-8",
    )

    call_command("import_items", str(path), "--channel", str(generic_channel.pk), "--no-progress")

    output = capsys.readouterr().out
    assert "Imported: 1 new, 0 already there, 0 ignored, 4 rejected." in output
    assert "row 3: the text is empty" in output
    assert "row 4: author.follower_count must be a whole number" in output
    assert "row 5: created_at is not an ISO 8601 date-time" in output
    assert "row 6: more fields than the header has columns" in output
    item = Item.objects.get()
    assert (item.external_id, item.author.follower_count, item.tags) == ("r-1", 120, ["import", "2026"])
    delivery = WebhookDelivery.objects.get()
    assert delivery.source == WebhookDelivery.Source.IMPORT
    assert b"Worst service ever" in bytes(delivery.body)
    assert IngestChange.objects.filter(status=IngestChange.Status.FAILED).count() == 4


def test_jsonl_import_is_idempotent(tmp_path, generic_channel, capsys):
    lines = [
        {
            "external_id": f"j-{number}",
            "text": f"Kommentar {number}",
            "author": {"external_id": "a"},
            "created_at": "2026-11-01T20:00:00Z",
        }
        for number in range(3)
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n{not json\n", encoding="utf-8")

    call_command("import_items", str(path), "--channel", str(generic_channel.pk), "--no-progress")
    call_command("import_items", str(path), "--channel", str(generic_channel.pk), "--no-progress")

    output = capsys.readouterr().out
    assert "Imported: 3 new, 0 already there, 0 ignored, 1 rejected." in output
    assert "Imported: 0 new, 3 already there, 0 ignored, 1 rejected." in output
    assert "row 4: not valid JSON" in output
    assert Item.objects.count() == 3


def test_missing_file_and_unknown_channel_are_clear_errors(tmp_path, generic_channel):
    with pytest.raises(CommandError, match="File not found"):
        call_command("import_items", str(tmp_path / "nope.csv"), "--channel", str(generic_channel.pk))
    path = tmp_path / "items.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    with pytest.raises(CommandError, match="No channel with id 999999"):
        call_command("import_items", str(path), "--channel", "999999")


def test_an_import_updates_the_authors_of_its_channel_only(tmp_path, channel_factory, open_item_factory):
    own = channel_factory(platform=Channel.Platform.GENERIC)
    elsewhere = open_item_factory(
        channel=channel_factory(platform=Channel.Platform.GENERIC), author_external_id="a-1"
    ).author
    path = tmp_path / "reviews.csv"
    path.write_text(
        "external_id,text,author_id,author_name,author_followers,created_at\n"
        "r-1,Super Bier!,a-1,Anna,5000000,2026-11-01T20:00:00+01:00\n",
        encoding="utf-8",
    )

    call_command("import_items", str(path), "--channel", str(own.pk), "--no-progress")

    imported = Item.objects.select_related("author").get(channel=own).author
    assert (imported.channel_id, imported.external_id, imported.display_name) == (own.pk, "a-1", "Anna")
    elsewhere_now = Author.objects.get(pk=elsewhere.pk)
    assert (elsewhere_now.display_name, elsewhere_now.follower_count) == (elsewhere.display_name, 0)
