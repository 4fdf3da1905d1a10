"""A new approval link for a contact whose link expired or whose email got lost (crises.services.approval_link_resend),
and the magic-link pages in the contact's language."""

import re
import threading
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from communityops.models import ClientContact, User
from crises.event_summaries import event_summary
from crises.models import ApprovalLink, ApprovalSettings, CrisisEvent, RecipientLanguage, ResponseDraft
from crises.services import (
    APPROVAL_LINK_RESEND_PAUSE,
    ApprovalLinkSentRecently,
    ContactNotAsked,
    ContactWithoutEmail,
    DraftNotAwaitingApproval,
    approval_decide,
    approval_link_resend,
    approval_link_send,
    crisis_create,
    crisis_transition,
    response_draft_create,
    response_draft_submit,
)
from tests.threads import held_open, in_thread, wait_until_waiting_on_a_lock


@pytest.fixture
def awaiting(client_factory, contact_factory, shift_lead, django_capture_on_commit_callbacks):
    """Version 1 submitted to Sabine and Markus 10 minutes ago; their emails are in mail.outbox."""
    client = client_factory()
    sabine, markus = contact_factory(client, name="Sabine"), contact_factory(client, name="Markus")
    submitted_at = timezone.now() - timedelta(minutes=10)
    crisis = crisis_create(acting_user=shift_lead, client=client, title="Recall rumour", now=submitted_at)
    draft = response_draft_create(crisis=crisis, acting_user=shift_lead, text="Wir prüfen das.", now=submitted_at)
    with django_capture_on_commit_callbacks(execute=True):
        response_draft_submit(draft=draft, acting_user=shift_lead, now=submitted_at)
    return {"client": client, "crisis": crisis, "draft": draft, "sabine": sabine, "markus": markus, "lead": shift_lead}


def _path_to(contact: ClientContact) -> str:
    message = [message for message in mail.outbox if message.to == [contact.email]][-1]
    return re.search(r"(/crises/approve/\d+/[0-9a-f]+/)", message.body).group(1)


def _resend(awaiting, contact, *, now=None, by=None, capture=None):
    call = lambda: approval_link_resend(  # noqa: E731
        draft=awaiting["draft"], contact=contact, acting_user=by or awaiting["lead"], now=now or timezone.now()
    )
    if capture is None:
        return call()
    with capture(execute=True):
        return call()


def _sabine_approved_in_the_portal(awaiting) -> None:
    """Under the rule "all must approve": the version still awaits Markus."""
    ApprovalSettings.objects.create(client=awaiting["client"], rule=ApprovalSettings.Rule.ALL)
    approval_decide(
        draft=awaiting["draft"],
        contact=awaiting["sabine"],
        decision="approve",
        comment="",
        via="portal",
        now=timezone.now(),
    )


def test_a_new_link_replaces_the_expired_one_and_is_emailed_as_the_first_was(
    client, awaiting, django_capture_on_commit_callbacks
):
    # Given Sabine's link has expired
    sabine = awaiting["sabine"]
    old_path = _path_to(sabine)
    ApprovalLink.objects.filter(contact=sabine).update(expires_at=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()

    # When the shift lead sends her a new link
    _resend(awaiting, sabine, capture=django_capture_on_commit_callbacks)

    # Then one approval email goes to her alone, with a new link that works; the old one does not
    [message] = mail.outbox
    assert message.to == [sabine.email] and message.subject.startswith("Freigabe erbeten")
    new_path = _path_to(sabine)
    assert new_path != old_path
    assert client.get(old_path).status_code == 403
    assert client.post(new_path, {"decision": "approve"}).status_code == 200
    assert ResponseDraft.objects.get(pk=awaiting["draft"].pk).status == ResponseDraft.Status.APPROVED
    assert ApprovalLink.objects.filter(draft=awaiting["draft"], contact=sabine).count() == 1


def test_the_new_link_is_valid_for_the_clients_link_hours_from_now(awaiting):
    ApprovalSettings.objects.create(client=awaiting["client"], link_valid_hours=6)
    now = timezone.now()

    link = _resend(awaiting, awaiting["sabine"], now=now)

    assert (link.created_at, link.expires_at, link.sent_at) == (now, now + timedelta(hours=6), None)


def test_the_timeline_says_who_sent_a_new_link_to_whom(awaiting):
    _resend(awaiting, awaiting["markus"])

    event = CrisisEvent.objects.get(crisis=awaiting["crisis"], kind=CrisisEvent.Kind.APPROVAL_LINK_RESENT)
    assert event.actor == awaiting["lead"]
    with translation.override("en"):
        assert (event.get_kind_display(), event_summary(event)) == ("New approval link sent", "version 1: Markus")
    with translation.override("de"):
        assert (event.get_kind_display(), event_summary(event)) == ("Neuer Freigabelink gesendet", "Version 1: Markus")


def test_an_approver_without_a_link_yet_gets_one(awaiting, contact_factory, django_capture_on_commit_callbacks):
    # Given Petra was allowed to approve after the version went out
    petra = contact_factory(awaiting["client"], name="Petra")
    mail.outbox.clear()

    link = _resend(awaiting, petra, capture=django_capture_on_commit_callbacks)

    assert link.contact == petra and [message.to for message in mail.outbox] == [[petra.email]]


def test_a_second_link_within_two_minutes_is_refused_and_sends_nothing(awaiting, django_capture_on_commit_callbacks):
    now = timezone.now()
    _resend(awaiting, awaiting["sabine"], now=now, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with pytest.raises(ApprovalLinkSentRecently) as refused, translation.override("en"):
        _resend(awaiting, awaiting["sabine"], now=now + APPROVAL_LINK_RESEND_PAUSE - timedelta(seconds=1))

    assert refused.value.code == "approval_link_sent_recently"
    assert "no second one within 2 minutes" in str(refused.value)
    assert mail.outbox == []
    assert CrisisEvent.objects.filter(kind=CrisisEvent.Kind.APPROVAL_LINK_RESENT).count() == 1


def test_after_two_minutes_another_link_may_go(awaiting):
    now = timezone.now()
    first = _resend(awaiting, awaiting["sabine"], now=now)
    first_hash = first.token_hash

    second = _resend(awaiting, awaiting["sabine"], now=now + APPROVAL_LINK_RESEND_PAUSE)

    assert second.token_hash != first_hash


def test_a_link_just_issued_with_the_submission_is_not_sent_again(
    client_factory, contact_factory, shift_lead, django_capture_on_commit_callbacks
):
    client = client_factory()
    sabine = contact_factory(client, name="Sabine")
    now = timezone.now()
    crisis = crisis_create(acting_user=shift_lead, client=client, title="Rumour", now=now)
    draft = response_draft_create(crisis=crisis, acting_user=shift_lead, text="Wir prüfen das.", now=now)
    response_draft_submit(draft=draft, acting_user=shift_lead, now=now)

    with pytest.raises(ApprovalLinkSentRecently):
        approval_link_resend(draft=draft, contact=sabine, acting_user=shift_lead, now=now + timedelta(seconds=30))


def test_a_version_no_longer_awaiting_approval_gets_no_new_link(awaiting):
    crisis_transition(
        crisis=awaiting["crisis"], to_status="drafting_response", acting_user=awaiting["lead"], now=timezone.now()
    )

    with pytest.raises(DraftNotAwaitingApproval) as refused, translation.override("en"):
        _resend(awaiting, awaiting["sabine"])

    assert refused.value.code == "draft_not_awaiting_approval"
    assert str(refused.value) == "Version 1 no longer awaits the client's approval: no link was sent."


def test_a_contact_who_may_not_approve_gets_no_link(awaiting, contact_factory):
    intern = contact_factory(awaiting["client"], name="Ina", may_approve=False)

    with pytest.raises(ContactNotAsked) as refused, translation.override("en"):
        _resend(awaiting, intern)

    assert refused.value.code == "contact_not_asked"
    assert str(refused.value) == "Ina is not asked to decide on version 1: no link was sent."
    assert not ApprovalLink.objects.filter(contact=intern).exists()


def test_a_contact_who_has_decided_gets_no_new_link(awaiting):
    _sabine_approved_in_the_portal(awaiting)

    with pytest.raises(ContactNotAsked) as refused, translation.override("en"):
        _resend(awaiting, awaiting["sabine"])

    assert str(refused.value) == "Sabine has already decided on version 1: no link was sent."


def test_a_contact_without_an_email_address_gets_no_link(awaiting):
    ClientContact.objects.filter(pk=awaiting["markus"].pk).update(email="")
    awaiting["markus"].refresh_from_db()

    with pytest.raises(ContactWithoutEmail) as refused, translation.override("en"):
        _resend(awaiting, awaiting["markus"])

    assert refused.value.code == "contact_without_email"
    assert "Markus has no email address" in str(refused.value)


def test_an_agent_may_not_send_a_new_link(awaiting, user_factory):
    with pytest.raises(PermissionDenied):
        _resend(awaiting, awaiting["sabine"], by=user_factory(role=User.Role.AGENT))


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_send_one_link(awaiting, user_factory):
    # Given Sabine's link expired, and the lead and an admin both click "Send a new link" at once
    sabine = awaiting["sabine"]
    ApprovalLink.objects.filter(contact=sabine).update(expires_at=timezone.now() - timedelta(minutes=1))
    mail.outbox.clear()
    senders = [awaiting["lead"], user_factory(role=User.Role.ADMIN, with_mfa=False)]
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def send(user: User) -> None:
        start.wait()
        _resend(awaiting, sabine, by=user)

    threads = [in_thread(lambda user=user: send(user), errors) for user in senders]
    for thread in threads:
        thread.join()

    # Then one went through, the other was refused as coming second: one event, one email
    assert [type(error) for error in errors] == [ApprovalLinkSentRecently], errors
    assert CrisisEvent.objects.filter(kind=CrisisEvent.Kind.APPROVAL_LINK_RESENT).count() == 1
    assert [message.to for message in mail.outbox] == [[sabine.email]]


@pytest.mark.django_db(transaction=True)
def test_the_email_waits_for_a_link_someone_holds_instead_of_skipping_it(awaiting):
    # Given Sabine's link row held by another transaction (a decision, a refused second click) while
    # her email task runs: skipped, it was never sent, for nothing runs the task again
    link = ApprovalLink.objects.get(contact=awaiting["sabine"])
    ApprovalLink.objects.filter(pk=link.pk).update(sent_at=None)
    mail.outbox.clear()
    errors: list[BaseException] = []
    sent: list[bool] = []

    with held_open(lambda: list(ApprovalLink.objects.select_for_update().filter(pk=link.pk)), errors):
        sender = in_thread(
            lambda: sent.append(approval_link_send(link_id=link.pk, purpose="request", now=timezone.now())), errors
        )
        wait_until_waiting_on_a_lock(1, unless_done=sender)
    sender.join()

    assert (errors, sent) == ([], [True])
    assert [message.to for message in mail.outbox] == [[awaiting["sabine"].email]]


# --- The crisis page --------------------------------------------------------------------------


def test_the_crisis_page_shows_each_approvers_link_and_the_button(lead_client, awaiting):
    ApprovalLink.objects.filter(contact=awaiting["sabine"]).update(expires_at=timezone.now() - timedelta(minutes=1))

    page = lead_client.get(f"/crises/{awaiting['crisis'].pk}/", headers={"Accept-Language": "en"}).content.decode()
    german = lead_client.get(f"/crises/{awaiting['crisis'].pk}/", headers={"Accept-Language": "de"}).content.decode()

    rows = {name: re.search(rf"<tr><td>{name} .*?</tr>", page, re.S).group(0) for name in ("Sabine", "Markus")}
    assert "expired" in rows["Sabine"] and "valid until" in rows["Markus"]
    assert all("Send a new link" in row for row in rows.values())
    assert "abgelaufen" in german and "Neuen Link senden" in german


def test_a_contact_no_longer_an_approver_is_not_listed_though_they_hold_a_link(lead_client, awaiting):
    ClientContact.objects.filter(pk=awaiting["markus"].pk).update(may_approve=False)

    page = lead_client.get(f"/crises/{awaiting['crisis'].pk}/", headers={"Accept-Language": "en"}).content.decode()

    assert re.search(r"<tr><td>Sabine ", page) and not re.search(r"<tr><td>Markus ", page)


def test_the_crisis_page_shows_a_used_link_without_the_button(lead_client, awaiting):
    _sabine_approved_in_the_portal(awaiting)

    page = lead_client.get(f"/crises/{awaiting['crisis'].pk}/", headers={"Accept-Language": "en"}).content.decode()

    sabine = re.search(r"<tr><td>Sabine .*?</tr>", page, re.S).group(0)
    assert "used " in sabine and "Send a new link" not in sabine


def test_the_button_sends_the_link_and_says_so(lead_client, awaiting, django_capture_on_commit_callbacks):
    crisis, draft, markus = awaiting["crisis"], awaiting["draft"], awaiting["markus"]
    url = f"/crises/{crisis.pk}/drafts/{draft.pk}/contacts/{markus.pk}/new-link/"

    with django_capture_on_commit_callbacks(execute=True):
        sent = lead_client.post(url, follow=True, headers={"Accept-Language": "en"}).content.decode()
    again = lead_client.post(url, follow=True, headers={"Accept-Language": "en"}).content.decode()

    assert f"A new link to version 1 is on its way to Markus ({markus.email})" in sent
    assert "no second one within 2 minutes" in again
    assert CrisisEvent.objects.filter(crisis=crisis, kind=CrisisEvent.Kind.APPROVAL_LINK_RESENT).count() == 1


def test_only_shift_leads_and_admins_may_press_it(client, awaiting, agent_for):
    client.force_login(agent_for(awaiting["client"]))
    crisis, draft, markus = awaiting["crisis"], awaiting["draft"], awaiting["markus"]

    response = client.post(f"/crises/{crisis.pk}/drafts/{draft.pk}/contacts/{markus.pk}/new-link/")

    assert response.status_code == 403
    assert not CrisisEvent.objects.filter(kind=CrisisEvent.Kind.APPROVAL_LINK_RESENT).exists()


def test_a_contact_of_another_client_is_not_found(lead_client, awaiting, client_factory, contact_factory):
    stranger = contact_factory(client_factory(), name="Fremd")
    crisis, draft = awaiting["crisis"], awaiting["draft"]

    response = lead_client.post(f"/crises/{crisis.pk}/drafts/{draft.pk}/contacts/{stranger.pk}/new-link/")

    assert response.status_code == 404


# --- The magic-link pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This link has expired. The agency can send you a new one: please contact them."),
        ("de", "Dieser Link ist abgelaufen. Die Agentur kann Ihnen einen neuen senden: Bitte wenden Sie sich an sie."),
    ],
)
def test_an_expired_link_says_the_agency_can_send_a_new_one(client, awaiting, language, expected):
    RecipientLanguage.objects.create(contact=awaiting["sabine"], language=language)
    ApprovalLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get(_path_to(awaiting["sabine"]))

    assert response.status_code == 403 and expected in response.content.decode()


def test_the_magic_link_pages_speak_the_contacts_language_not_the_browsers(client, awaiting):
    # Given Sabine's emails go out in English, Markus's in German (the default)
    RecipientLanguage.objects.create(contact=awaiting["sabine"], language="en")
    sabines, markuss = _path_to(awaiting["sabine"]), _path_to(awaiting["markus"])

    # When each opens their link in a browser asking for the other language
    english = client.get(sabines, headers={"Accept-Language": "de"})
    german = client.get(markuss, headers={"Accept-Language": "en"})

    # Then each page is in the contact's language
    assert "Send decision" in english.content.decode() and english.headers["Content-Language"] == "en"
    assert '<html lang="en"' in english.content.decode()
    assert "Entscheidung senden" in german.content.decode() and german.headers["Content-Language"] == "de"


def test_the_decided_and_the_refusal_pages_speak_the_contacts_language(client, awaiting):
    RecipientLanguage.objects.create(contact=awaiting["sabine"], language="en")
    path = _path_to(awaiting["sabine"])

    decided = client.post(path, {"decision": "approve"}, headers={"Accept-Language": "de"}).content.decode()
    refused = client.post(path, {"decision": "approve"}, headers={"Accept-Language": "de"}).content.decode()

    assert "You approved the response." in decided
    assert "Your decision was not recorded." in refused and "You already approved version 1" in refused


def test_a_token_standing_for_no_link_keeps_the_browsers_language(client, awaiting):
    draft = awaiting["draft"]

    english = client.get(f"/crises/approve/{draft.pk}/{'0' * 64}/", headers={"Accept-Language": "en"})
    german = client.get(f"/crises/approve/{draft.pk}/{'0' * 64}/", headers={"Accept-Language": "de"})

    assert "This link is not valid." in english.content.decode()
    assert "Dieser Link ist ungültig." in german.content.decode()


# --- The API ----------------------------------------------------------------------------------


def test_the_api_sends_a_new_link_and_says_until_when(lead_client, awaiting):
    crisis, draft, markus = awaiting["crisis"], awaiting["draft"], awaiting["markus"]

    response = lead_client.post(f"/api/crises/{crisis.pk}/drafts/{draft.pk}/contacts/{markus.pk}/new-link/")

    link = ApprovalLink.objects.get(draft=draft, contact=markus)
    assert response.status_code == 200
    assert response.json()["contact"] == "Markus" and response.json()["version"] == 1
    assert datetime.fromisoformat(response.json()["expires_at"]) == link.expires_at


def test_the_api_refuses_a_second_link_within_two_minutes_with_its_code(lead_client, awaiting):
    crisis, draft, markus = awaiting["crisis"], awaiting["draft"], awaiting["markus"]
    url = f"/api/crises/{crisis.pk}/drafts/{draft.pk}/contacts/{markus.pk}/new-link/"
    lead_client.post(url)

    again = lead_client.post(url, headers={"Accept-Language": "en"})

    assert again.status_code == 400 and again.json()["code"] == "approval_link_sent_recently"
    assert "no second one within 2 minutes" in again.json()["detail"]
