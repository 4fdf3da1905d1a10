"""The timeline's events are stored as data and read in words, in the reader's language."""

from django.utils import translation

from inbox.event_summaries import event_summary
from inbox.models import ItemEvent

Kind = ItemEvent.Kind


def test_a_hand_over_names_the_colleague_in_german():
    event = ItemEvent(kind=Kind.ASSIGNED, data={"mode": "manual", "holder_id": 7, "assignee_name": "Ben Berger"})

    with translation.override("de"):
        shown = event_summary(event)

    assert shown == "an Ben Berger übergeben"


def test_an_auto_assignment_names_the_agent():
    event = ItemEvent(kind=Kind.ASSIGNED, data={"mode": "round_robin", "holder_id": 7, "assignee_name": "Ben Berger"})

    with translation.override("en"):
        shown = event_summary(event)

    assert shown == "assigned to Ben Berger"


def test_an_event_without_details_in_words_reads_as_nothing():
    assert event_summary(ItemEvent(kind=Kind.CLAIMED, data={"holder_id": 7})) == ""
    # An assignment recorded before the name was kept (only holder_id) says nothing more than before.
    assert event_summary(ItemEvent(kind=Kind.ASSIGNED, data={"mode": "manual", "holder_id": 7})) == ""
