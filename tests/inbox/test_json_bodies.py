"""Webhook bodies as JSON (ingest_formats.json_body_parse): every string storable in PostgreSQL."""

import json

import pytest

from inbox.services.ingest_formats import json_body_parse

EMOJI = "\U0001f600"  # json.dumps escapes it as the pair "\ud83d\ude00"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        (f"Top {EMOJI}", f"Top {EMOJI}"),
        (f"{EMOJI}{EMOJI}", f"{EMOJI}{EMOJI}"),
        ("Top \ud83d", "Top \ufffd"),  # a high half at the end
        ("\ud83d Top", "\ufffd Top"),  # a high half before a character
        (f"\ud83d{EMOJI}", f"\ufffd{EMOJI}"),  # a high half before a whole pair
        ("\ude00 Top", "\ufffd Top"),  # a low half alone
        (f"{EMOJI}\ude00", f"{EMOJI}\ufffd"),  # a low half after a whole pair
        ("Hallo\x00 Welt", "Hallo Welt"),
    ],
)
def test_a_string_keeps_its_pairs_and_loses_what_postgresql_cannot_store(sent, stored):
    assert json_body_parse(json.dumps({"message": sent}).encode()) == {"message": stored}
