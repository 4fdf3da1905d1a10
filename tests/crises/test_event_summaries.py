"""The timeline's events are stored as data and read in words, in the reader's language and time zone."""

from zoneinfo import ZoneInfo

from django.utils import timezone, translation

from crises.event_summaries import event_summary
from crises.models import CrisisEvent

Kind = CrisisEvent.Kind


def test_a_published_response_reads_in_german():
    event = CrisisEvent(kind=Kind.PUBLISHED, data={"version": 3, "item_ids": [11, 12]})

    with translation.override("de"):
        shown = event_summary(event)

    assert shown == "Version 3 an 2 Beiträge"


def test_a_fired_step_names_its_channel_and_its_due_time_in_the_readers_zone():
    event = CrisisEvent(
        kind=Kind.STEP_FIRED,
        data={"position": 2, "channel": "email", "due_at": "2026-11-24T09:13:39+00:00", "recipients": ["Ana", "Ben"]},
    )

    with translation.override("en"), timezone.override(ZoneInfo("Europe/Berlin")):
        shown = event_summary(event)

    assert shown == "step 2 by email to Ana, Ben, due 10:13:39"


def test_a_policyless_alert_says_by_email_in_english_and_per_e_mail_in_german():
    # English read "by Email to ...": the menu's label mid-sentence. German nouns keep their capital.
    event = CrisisEvent(kind=Kind.STEP_FIRED, data={"fallback": True, "channel": "email", "recipients": ["Ana"]})

    with translation.override("en"):
        english = event_summary(event)
    with translation.override("de"):
        german = event_summary(event)

    assert english == "no escalation policy applies: by email to Ana"
    assert german == "keine Eskalationsrichtlinie greift: per E-Mail an Ana"


def test_a_webhook_step_reads_by_its_label():
    event = CrisisEvent(kind=Kind.STEP_FIRED, data={"fallback": True, "channel": "chat_webhook", "recipients": []})

    with translation.override("en"):
        shown = event_summary(event)

    assert shown == "no escalation policy applies: by Slack/Teams incoming webhook to nobody"


def test_a_rejection_quotes_the_clients_comment():
    event = CrisisEvent(
        kind=Kind.APPROVAL_DECIDED,
        data={"version": 1, "decision": "reject", "comment": "Zu hart", "via": "magic_link"},
    )

    with translation.override("de"):
        shown = event_summary(event)

    # It read "Version 1: Ablehnen (Direktlink): “Zu hart”": the button's verb, and English quotation marks.
    assert shown == "Version 1: abgelehnt (Direktlink): „Zu hart“"


def test_an_approval_reads_in_english_with_english_quotation_marks():
    event = CrisisEvent(
        kind=Kind.APPROVAL_DECIDED,
        data={"version": 2, "decision": "approve", "comment": "Go", "via": "portal"},
    )

    with translation.override("en"):
        shown = event_summary(event)

    assert shown == "version 2: approved (Portal): “Go”"


def test_an_event_without_details_reads_as_nothing():
    event = CrisisEvent(kind=Kind.ACKNOWLEDGED, data={})

    assert event_summary(event) == ""
