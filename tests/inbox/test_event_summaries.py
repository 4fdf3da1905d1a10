"""The timeline's events are stored as data and read in words, in the reader's language."""

import pytest
from django.utils import translation

from communityops.models import User
from inbox.event_summaries import event_summary, timeline_entries
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


def test_a_status_change_says_from_what_to_what_and_why():
    typed = ItemEvent(
        kind=Kind.STATUS_CHANGED, data={"from": "new", "to": "hidden", "reason": "Leitfaden 3: Beleidigung"}
    )
    fixed = ItemEvent(
        kind=Kind.STATUS_CHANGED, data={"from": "answered", "to": "new", "reason": "reply could not be sent"}
    )

    with translation.override("de"):
        shown = [event_summary(typed), event_summary(fixed)]

    assert shown == [
        "Neu → Ausgeblendet · Leitfaden 3: Beleidigung",  # what an agent typed stays as typed
        "Beantwortet → Neu · die Antwort konnte nicht gesendet werden",
    ]


def test_moderation_and_sends_name_the_action():
    queued = ItemEvent(kind=Kind.ACTION_QUEUED, data={"action": "hide", "action_id": 1, "reason": ""})
    retried = ItemEvent(kind=Kind.ACTION_QUEUED, data={"action": "spam", "action_id": 1, "manual_retry": True})
    sent = ItemEvent(kind=Kind.SENT, data={"action": "reply", "action_id": 1})

    with translation.override("en"):
        shown = [event_summary(queued), event_summary(retried), event_summary(sent)]

    assert shown == ["Hide", "Mark as spam, retried by hand", "Reply"]


def test_a_failed_send_says_whether_and_when_it_is_tried_again():
    retrying = ItemEvent(
        kind=Kind.SEND_FAILED,
        data={"action": "reply", "attempt": 2, "will_retry": True, "next_attempt_at": "2026-11-24T21:05:00+00:00",
              "error": "HTTP 503"},
    )  # fmt: skip
    given_up = ItemEvent(
        kind=Kind.SEND_FAILED, data={"action": "hide", "attempt": 5, "will_retry": False, "error": "x"}
    )

    with translation.override("de"):
        shown = [event_summary(retrying), event_summary(given_up)]

    assert shown == [  # 21:05 UTC is 22:05 in Berlin (TIME_ZONE)
        "Antwort, Versuch 2; nächster Versuch um 22:05 · HTTP 503",
        "Ausblenden, nach 5 Versuchen aufgegeben · x",
    ]


def test_tag_changes_list_what_was_added_and_removed():
    event = ItemEvent(kind=Kind.TAGGED, data={"added": ["campaign"], "removed": ["spam-suspect"]})

    assert event_summary(event) == "+campaign −spam-suspect"


@pytest.mark.django_db
def test_the_timeline_names_whose_lease_ran_out_and_whose_claim_ended(user_factory, django_assert_num_queries):
    anna = user_factory(first_name="Anna", last_name="Becker")
    ben = user_factory(first_name="Ben", last_name="Schulz")
    events = [
        ItemEvent(kind=Kind.CLAIMED, data={"holder_id": ben.pk, "expired_holder_id": anna.pk}),
        ItemEvent(kind=Kind.RELEASED, data={"previous_holder_id": ben.pk, "reason": "skipped"}),
        ItemEvent(kind=Kind.LEASE_EXPIRED, data={"previous_holder_id": 999_999}),
    ]

    with translation.override("de"), django_assert_num_queries(1):
        shown = [summary for _event, summary in timeline_entries(events)]

    assert shown == [
        "nachdem die Sperre von Anna Becker abgelaufen war",
        "von Ben Schulz · übersprungen",
        "bei einem ehemaligen Benutzer",
    ]


def test_a_release_by_the_holder_does_not_name_them_twice():
    """The timeline read "Released · Ben Schulz · from Ben Schulz · skipped": the releaser twice; a lead releasing
    someone else's item still says whose it was."""
    own = ItemEvent(kind=Kind.RELEASED, actor_id=7, data={"previous_holder_id": 7, "reason": "skipped"})
    by_lead = ItemEvent(kind=Kind.RELEASED, actor_id=8, data={"previous_holder_id": 7, "reason": "skipped"})
    people = {7: User(first_name="Ben", last_name="Schulz")}

    with translation.override("de"):
        shown = [event_summary(own, people), event_summary(by_lead, people)]

    assert shown == ["übersprungen", "von Ben Schulz · übersprungen"]
