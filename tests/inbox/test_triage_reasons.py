"""Triage's reasons are stored in English and shown in the reader's language."""

import pytest
from django.utils import translation

from inbox.triage_reasons import reason_shown

STORED = [
    "key account",
    "influencer",
    "angry",
    "alert keyword: rückruf, anwalt",
    "spam: learned from team decisions (+0.35)",
    "spam: 2 link(s)",
    "spam: link shortener",
    "spam: suspicious link domain",
    "spam: repeated characters",
    "spam: all capitals",
    "spam: phone number",
    "spam: money/crypto wording",
    "spam: contact-me phrase",
    "spam: account younger than 7 days",
    "spam: empty account",
    "fake: coordinated, similar text from 4 other authors in the last hour",
    "fake: near-duplicate of another author's text in the last hour",
    "fake: generic glowing phrasing (best ever, highly recommend)",
    "fake: praise from a new or empty account",
    "likely spam: low priority, left for an agent to decide",
    "likely fake praise: low priority, left for an agent to decide",
]


@pytest.mark.parametrize("stored", STORED)
def test_every_reason_triage_gives_reads_in_german(stored):
    with translation.override("de"):
        shown = reason_shown(stored)

    assert shown != stored
    for detail in ("rückruf, anwalt", "+0.35", "4 ", "best ever, highly recommend"):
        if detail in stored:
            assert detail in shown


def test_an_unknown_reason_is_shown_as_stored():
    with translation.override("de"):
        assert reason_shown("something new") == "something new"
