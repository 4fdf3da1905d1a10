"""The agency hears of every client decision on a response (approval_decision_notify)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communityops.models import User
from crises.models import RecipientLanguage
from crises.services import approval_decide, crisis_create, response_draft_create, response_draft_submit


@pytest.fixture
def waiting(client_factory, contact_factory, user_factory, on_call, django_capture_on_commit_callbacks):
    """A response awaiting the client's decision; the crisis's owner is not the lead on call."""
    client = client_factory()
    owner = user_factory(role=User.Role.SHIFT_LEAD, email="owner@agency.example", first_name="Olga")
    approver = contact_factory(client, name="Jörg Müller")
    now = timezone.now()
    crisis = crisis_create(acting_user=on_call, client=client, title="Recall rumour", owner=owner, now=now)
    draft = response_draft_create(crisis=crisis, acting_user=on_call, text="We are checking this.", now=now)
    response_draft_submit(draft=draft, acting_user=on_call, now=now)
    return {"crisis": crisis, "draft": draft, "approver": approver, "owner": owner, "lead": on_call}


def _decide(waiting, django_capture_on_commit_callbacks, *, decision: str, comment: str = ""):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approval_decide(
            draft=waiting["draft"],
            contact=waiting["approver"],
            decision=decision,
            comment=comment,
            via="portal",
            now=timezone.now(),
        )
    return {message.to[0]: message for message in mail.outbox}


def test_an_approval_mails_the_owner_and_the_lead_on_call_that_it_can_be_published(
    waiting, django_capture_on_commit_callbacks
):
    sent = _decide(waiting, django_capture_on_commit_callbacks, decision="approve", comment="Passt so.")

    crisis_url = f"/crises/{waiting['crisis'].pk}/"
    assert reverse("crises:detail", kwargs={"crisis_id": waiting["crisis"].pk}) == crisis_url
    assert sorted(sent) == ["lead@agency.example", "owner@agency.example"]
    message = sent["owner@agency.example"]
    assert message.subject.startswith("Freigegeben:")
    assert "Jörg Müller" in message.body
    assert "„Passt so.“" in message.body
    assert "Die Antwort kann jetzt veröffentlicht werden." in message.body
    assert crisis_url in message.body
    assert crisis_url in message.alternatives[0].content


def test_a_rejection_mails_the_comment(waiting, django_capture_on_commit_callbacks):
    sent = _decide(waiting, django_capture_on_commit_callbacks, decision="reject", comment="Bitte ohne Ironie.")

    message = sent["lead@agency.example"]
    assert message.subject.startswith("Abgelehnt:")
    assert "„Bitte ohne Ironie.“" in message.body
    assert "veröffentlicht werden" not in message.body


def test_a_recipient_who_reads_english_gets_english(waiting, django_capture_on_commit_callbacks):
    RecipientLanguage.objects.create(user=waiting["owner"], language="en")

    sent = _decide(waiting, django_capture_on_commit_callbacks, decision="approve")

    assert sent["owner@agency.example"].subject.startswith("Approved:")
    assert "the response can be published now" in sent["owner@agency.example"].body
    assert sent["lead@agency.example"].subject.startswith("Freigegeben:")


def test_with_nobody_on_call_the_decision_reaches_whom_the_agency_alerts_reach(
    client_factory, contact_factory, user_factory, django_capture_on_commit_callbacks
):
    client = client_factory()
    owner = user_factory(role=User.Role.AGENT, email="owner@agency.example")
    lead = user_factory(role=User.Role.SHIFT_LEAD, email="lead@agency.example")
    approver = contact_factory(client)
    now = timezone.now()
    crisis = crisis_create(acting_user=lead, client=client, title="Night", owner=owner, now=now)
    draft = response_draft_create(crisis=crisis, acting_user=lead, text="Text.", now=now)
    response_draft_submit(draft=draft, acting_user=lead, now=now)

    sent = _decide({"draft": draft, "approver": approver}, django_capture_on_commit_callbacks, decision="approve")

    assert sorted(sent) == ["lead@agency.example", "owner@agency.example"]
