"""The columns PostgreSQL keeps from an item's text (inbox 0014): what the reports count and group by."""

import hashlib
import uuid

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _text_columns(text: str) -> tuple[list[str], uuid.UUID | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT item_topic_terms(%s), item_campaign_key(%s)", [text, text])
        return cursor.fetchone()


def test_topic_terms_are_the_distinct_letter_words_of_three_or_more_in_byte_order():
    terms, _key = _text_columns("zz Zebra über uber Äpfel apfel ab a_b c-d x.de/abc 2x kaputt kaputt 😡")

    assert terms == ["apfel", "kaputt", "uber", "zebra", "äpfel", "über"]


def test_a_text_without_such_words_has_no_topic_terms():
    assert _text_columns("ab 12 !! 😡")[0] == []


def test_the_campaign_key_is_the_md5_of_the_text_without_links_handles_digits_and_punctuation():
    _terms, key = _text_columns("Boykott!!! @acme lügt: https://x.de/a 100% #Boykott_jetzt")

    normalized = "boykott lügt boykott jetzt"
    assert key == uuid.UUID(hashlib.md5(normalized.encode(), usedforsecurity=False).hexdigest())


def test_a_text_normalising_to_fewer_than_twenty_characters_has_no_campaign_key():
    assert _text_columns("abcdefghij abcdefgh 1234")[1] is None  # 19 characters left
    assert _text_columns("abcdefghij abcdefghi 1234")[1] is not None  # 20
