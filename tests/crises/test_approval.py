import re
import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from crises import services
from crises.escalation import crisis_escalate_due
from crises.models import (
    AgencyRole,
    Approval,
    ApprovalLink,
    ApprovalSettings,
    Crisis,
    CrisisEvent,
    Notification,
    RecipientLanguage,
    ResponseDraft,
)
from crises.services import (
    CrisisError,
    MagicLinkRefused,
    approval_deadlines_check,
    approval_decide,
    approval_decide_by_link,
    approval_token,
    crisis_create,
    crisis_escalation_start,
    crisis_items_link,
    crisis_transition,
    response_draft_create,
    response_draft_submit,
)
from inbox.models import Item
from tests.threads import in_thread, wait_until_waiting_on_a_lock


@pytest.fixture
def crisis_setup(client_factory, contact_factory, shift_lead):
    client = client_factory()
    first, second = contact_factory(client, name="Sabine"), contact_factory(client, name="Markus")
    crisis = crisis_create(acting_user=shift_lead, client=client, title="Recall rumour", now=timezone.now())
    return {"client": client, "crisis": crisis, "first": first, "second": second, "lead": shift_lead}


def _submitted(setup, django_capture_on_commit_callbacks, *, now=None, text="We are checking this."):
    now = now or timezone.now()
    draft = response_draft_create(crisis=setup["crisis"], acting_user=setup["lead"], text=text, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        response_draft_submit(draft=draft, acting_user=setup["lead"], now=now)
    return draft


def _contacts_read(setup, language: str) -> None:
    """Sabine and Markus read in `language`: the magic-link pages speak the contact's language (that
    of their emails), whatever their browser asks for."""
    for contact in (setup["first"], setup["second"]):
        RecipientLanguage.objects.update_or_create(contact=contact, defaults={"language": language})


def _magic_path(message) -> str:
    return re.search(r"(/crises/approve/\d+/[0-9a-f]+/)", message.body).group(1)


def test_submit_emails_each_approver_a_magic_link_in_german(crisis_setup, django_capture_on_commit_callbacks):
    _submitted(crisis_setup, django_capture_on_commit_callbacks)

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [crisis_setup["first"].email, crisis_setup["second"].email]
    )
    assert mail.outbox[0].subject.startswith("Freigabe erbeten")
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"
    assert "Bitte entscheiden Sie bis" in mail.outbox[0].body  # the deadline, where they decide


def test_the_approval_email_does_not_promise_a_one_click_decision(crisis_setup, django_capture_on_commit_callbacks):
    """The link opens the page where the contact reads the response and its posts, then chooses and
    sends: "one click" promised what the page does not do (and a mail scanner's click decides nothing)."""
    RecipientLanguage.objects.create(contact=crisis_setup["second"], language="en")
    _submitted(crisis_setup, django_capture_on_commit_callbacks)

    bodies = {message.to[0]: message.body for message in mail.outbox}

    german, english = bodies[crisis_setup["first"].email], bodies[crisis_setup["second"].email]
    assert "Freigeben oder ablehnen (nur für diese Version, einmal verwendbar" in german and "Klick" not in german
    assert "Approve or reject (for this version only, usable once" in english and "click" not in english


def test_the_magic_link_page_names_the_deadline(client, crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)

    _contacts_read(crisis_setup, "en")
    page = client.get(_magic_path(mail.outbox[0])).content.decode()
    _contacts_read(crisis_setup, "de")
    german = client.get(_magic_path(mail.outbox[0])).content.decode()

    draft.refresh_from_db()
    due = timezone.localtime(draft.approval_due_at)
    assert f"Please decide by {due:%b} {due.day}, {due:%H:%M}." in page  # as English writes it (DAY_TIME_FORMAT)
    assert f"{due:%d.%m. %H:%M}" in german


def test_the_magic_link_page_shows_the_posts_the_response_answers_as_the_portal_does(
    client, crisis_setup, client_factory, item_factory, django_capture_on_commit_callbacks
):
    """Only this crisis's posts; no author names; an erased post says so instead of its text; a post
    removed on the platform says that too (the response will not reach it)."""
    lead = crisis_setup["lead"]
    plain = item_factory(client=crisis_setup["client"], text="Glas im Bier?!")
    erased = item_factory(client=crisis_setup["client"], text="Max Mustermann schreibt: Skandal")
    removed = item_factory(client=crisis_setup["client"], text="Gelöschter Kommentar", tags=["removed-on-platform"])
    crisis_items_link(
        crisis=crisis_setup["crisis"], items=[plain, erased, removed], acting_user=lead, now=timezone.now()
    )
    Item.objects.filter(pk=erased.pk).update(erased_at=timezone.now())  # erased after it was linked
    foreign_client = client_factory()
    foreign = crisis_create(acting_user=lead, client=foreign_client, title="Fremd", now=timezone.now())
    crisis_items_link(
        crisis=foreign,
        items=[item_factory(client=foreign_client, text="Fremder Beitrag")],
        acting_user=lead,
        now=timezone.now(),
    )
    _submitted(crisis_setup, django_capture_on_commit_callbacks)

    _contacts_read(crisis_setup, "en")
    page = client.get(_magic_path(mail.outbox[0])).content.decode()
    _contacts_read(crisis_setup, "de")
    german = client.get(_magic_path(mail.outbox[0])).content.decode()

    assert "What the response answers: 3 posts" in page and "Glas im Bier?!" in page
    assert "(Text erased at the author&#x27;s request.)" in page and "Mustermann" not in page
    assert "Removed on the platform" in page and "Gelöschter Kommentar" in page
    assert "Fremder Beitrag" not in page and str(erased.author) not in page and str(plain.author) not in page
    assert "Worauf die Antwort eingeht: 3 Beiträge" in german and "Auf der Plattform entfernt" in german


def test_the_magic_link_page_reads_as_many_queries_for_many_posts_as_for_one(
    client, crisis_setup, item_factory, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    lead, crisis = crisis_setup["lead"], crisis_setup["crisis"]
    crisis_items_link(
        crisis=crisis, items=[item_factory(client=crisis_setup["client"])], acting_user=lead, now=timezone.now()
    )
    _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])
    with CaptureQueriesContext(connection) as one_post:
        client.get(path)
    crisis_items_link(
        crisis=crisis,
        items=[item_factory(client=crisis_setup["client"]) for _ in range(30)],
        acting_user=lead,
        now=timezone.now(),
    )

    _contacts_read(crisis_setup, "en")
    with django_assert_max_num_queries(len(one_post)):
        page = client.get(path).content.decode()

    assert "What the response answers: 31 posts" in page


def test_magic_link_approves_once_and_is_then_used_up(client, crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])

    shown = client.get(path)
    decided = client.post(path, {"decision": "approve", "comment": "Passt."})
    reused = client.post(path, {"decision": "approve"})

    draft.refresh_from_db()
    assert (shown.status_code, decided.status_code, reused.status_code) == (200, 200, 403)
    assert draft.status == ResponseDraft.Status.APPROVED
    assert Crisis.objects.get(pk=draft.crisis_id).status == Crisis.Status.APPROVED


def test_tampered_magic_link_is_refused(client, crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])
    tampered = path[:-3] + ("0" if path[-3] != "0" else "1") + path[-2:]

    response = client.post(tampered, {"decision": "approve"})

    draft.refresh_from_db()
    assert response.status_code == 403 and draft.status == ResponseDraft.Status.SUBMITTED


def test_expired_magic_link_is_refused(client, crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])
    ApprovalLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.post(path, {"decision": "approve"})

    draft.refresh_from_db()
    assert response.status_code == 403 and "abgelaufen" in response.content.decode()
    assert draft.status == ResponseDraft.Status.SUBMITTED


def test_magic_link_for_one_draft_does_not_open_another(
    client, crisis_setup, client_factory, contact_factory, shift_lead, django_capture_on_commit_callbacks
):
    _submitted(crisis_setup, django_capture_on_commit_callbacks)
    token = _magic_path(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    other_client = client_factory()
    contact_factory(other_client)
    other_crisis = crisis_create(acting_user=shift_lead, client=other_client, title="Other", now=timezone.now())
    other_draft = response_draft_create(crisis=other_crisis, acting_user=shift_lead, text="Other", now=timezone.now())
    response_draft_submit(draft=other_draft, acting_user=shift_lead, now=timezone.now())

    response = client.post(
        reverse("crises:magic_link", kwargs={"draft_id": other_draft.pk, "token": token}), {"decision": "approve"}
    )

    other_draft.refresh_from_db()
    assert response.status_code == 403 and other_draft.status == ResponseDraft.Status.SUBMITTED


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_client_decides_on_the_version_sent_while_the_agency_writes_the_next(
    client, crisis_setup, django_capture_on_commit_callbacks, decision
):
    first = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])
    response_draft_create(
        crisis=crisis_setup["crisis"], acting_user=crisis_setup["lead"], text="v2", now=timezone.now()
    )

    decided = client.post(path, {"decision": decision, "comment": "Bitte kürzer"})

    first.refresh_from_db()
    crisis = Crisis.objects.get(pk=crisis_setup["crisis"].pk)
    assert decided.status_code == 200
    if decision == "approve":
        assert (first.status, crisis.status) == (ResponseDraft.Status.APPROVED, Crisis.Status.APPROVED)
    else:
        assert (first.status, crisis.status) == (ResponseDraft.Status.REJECTED, Crisis.Status.DRAFTING_RESPONSE)


def test_a_version_drafted_while_the_last_was_approved_can_still_be_submitted(
    crisis_setup, django_capture_on_commit_callbacks
):
    first = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    second = response_draft_create(
        crisis=crisis_setup["crisis"], acting_user=crisis_setup["lead"], text="v2", now=timezone.now()
    )
    approval_decide(
        draft=first, contact=crisis_setup["first"], decision="approve", comment="", via="portal", now=timezone.now()
    )

    with django_capture_on_commit_callbacks(execute=True):
        response_draft_submit(draft=second, acting_user=crisis_setup["lead"], now=timezone.now())

    second.refresh_from_db()
    assert second.status == ResponseDraft.Status.SUBMITTED
    assert Crisis.objects.get(pk=crisis_setup["crisis"].pk).status == Crisis.Status.AWAITING_APPROVAL


def test_taking_a_crisis_back_to_drafting_withdraws_the_waiting_version(
    client, crisis_setup, django_capture_on_commit_callbacks
):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])

    crisis_transition(
        crisis=crisis_setup["crisis"],
        to_status="drafting_response",
        acting_user=crisis_setup["lead"],
        now=timezone.now(),
    )
    _contacts_read(crisis_setup, "en")
    refused = client.get(path)

    draft.refresh_from_db()
    assert draft.status == ResponseDraft.Status.SUPERSEDED
    assert refused.status_code == 403 and "The agency withdrew version 1" in refused.content.decode()


def test_submitting_the_next_version_replaces_the_one_awaiting_approval(
    client, crisis_setup, django_capture_on_commit_callbacks
):
    first = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])
    second = response_draft_create(
        crisis=crisis_setup["crisis"], acting_user=crisis_setup["lead"], text="v2", now=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response_draft_submit(draft=second, acting_user=crisis_setup["lead"], now=timezone.now())

    first.refresh_from_db()
    second.refresh_from_db()
    _contacts_read(crisis_setup, "en")
    refused = client.get(path)
    assert refused.status_code == 403 and "was replaced by version 2" in refused.content.decode()
    assert (first.status, second.status) == (ResponseDraft.Status.SUPERSEDED, ResponseDraft.Status.SUBMITTED)
    assert Crisis.objects.get(pk=crisis_setup["crisis"].pk).status == Crisis.Status.AWAITING_APPROVAL


def test_approving_a_version_replaced_while_the_page_was_open_is_refused_and_says_so(
    client, crisis_setup, django_capture_on_commit_callbacks
):
    first = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])
    shown = client.get(path)
    second = response_draft_create(
        crisis=crisis_setup["crisis"], acting_user=crisis_setup["lead"], text="v2", now=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response_draft_submit(draft=second, acting_user=crisis_setup["lead"], now=timezone.now())

    _contacts_read(crisis_setup, "en")
    english = client.post(path, {"decision": "approve"}).content.decode()
    _contacts_read(crisis_setup, "de")
    german = client.post(path, {"decision": "approve"})

    first.refresh_from_db()
    assert shown.status_code == 200 and german.status_code == 403
    assert "Your decision was not recorded." in english and "was replaced by version 2" in english
    assert "Ihre Entscheidung wurde nicht gespeichert." in german.content.decode()
    assert first.status == ResponseDraft.Status.SUPERSEDED and not Approval.objects.exists()


def test_a_link_opened_after_the_page_was_only_read_does_not_say_nothing_was_recorded(
    client, crisis_setup, django_capture_on_commit_callbacks
):
    _submitted(crisis_setup, django_capture_on_commit_callbacks)
    ApprovalLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    _contacts_read(crisis_setup, "en")
    page = client.get(_magic_path(mail.outbox[0])).content.decode()

    assert "This link has expired." in page and "not recorded" not in page


@pytest.mark.parametrize(
    ("decision", "said"),
    [
        ("approve", "Markus approved version 1 on {when}: it no longer awaits your decision."),
        ("reject", "Markus rejected version 1 on {when}: the agency is revising it and will ask you again."),
    ],
)
def test_a_version_another_contact_decided_on_says_who_and_what(
    client, crisis_setup, django_capture_on_commit_callbacks, decision, said
):
    """Under the rule "one approver suffices", Markus's decision settles the version Sabine's link is for."""
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    [sabines] = [message for message in mail.outbox if message.to == [crisis_setup["first"].email]]
    decided_at = timezone.now()
    approval_decide(
        draft=draft, contact=crisis_setup["second"], decision=decision, comment="Nein", via="portal", now=decided_at
    )

    _contacts_read(crisis_setup, "en")
    page = client.get(_magic_path(sabines)).content.decode()
    with pytest.raises(CrisisError) as in_the_portal, translation.override("en"):
        approval_decide(
            draft=draft, contact=crisis_setup["first"], decision="approve", comment="", via="portal", now=timezone.now()
        )

    local = timezone.localtime(decided_at, ZoneInfo(crisis_setup["client"].time_zone))
    expected = said.format(when=f"{local:%b} {local.day}, {local:%H:%M}")
    assert expected in page and str(in_the_portal.value) == expected


def test_resolving_the_crisis_ends_the_wait_for_a_decision(client, crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])

    crisis_transition(
        crisis=crisis_setup["crisis"], to_status="resolved", acting_user=crisis_setup["lead"], now=timezone.now()
    )
    checked = approval_deadlines_check(now=timezone.now() + timedelta(days=1))

    draft.refresh_from_db()
    _contacts_read(crisis_setup, "en")
    refused = client.get(path)
    assert draft.status == ResponseDraft.Status.SUPERSEDED
    assert refused.status_code == 403 and "The crisis was resolved" in refused.content.decode()
    assert checked == {"reminded": 0, "fallbacks": 0}


def test_a_rejection_by_link_without_a_comment_keeps_the_form(client, crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    path = _magic_path(mail.outbox[0])

    _contacts_read(crisis_setup, "en")
    response = client.post(path, {"decision": "reject", "comment": " "})

    draft.refresh_from_db()
    assert response.status_code == 200
    assert "a rejection needs a comment" in response.content.decode()
    assert 'name="decision"' in response.content.decode()
    assert draft.status == ResponseDraft.Status.SUBMITTED and not ApprovalLink.objects.filter(used_at__isnull=False)


def test_a_decision_tells_the_agency_the_client_has_seen_it_but_the_agencys_steps_still_fire(
    crisis_setup, policy_factory, django_capture_on_commit_callbacks
):
    """Given an escalation whose step 2 alerts a contact and step 3 all shift leads, when a contact
    decides on the response before step 2, then the contact is not alerted but the shift leads are,
    and the escalation still waits for the agency's acknowledgement."""
    policy_factory(
        crisis_setup["client"],
        [
            {"agency_roles": [AgencyRole.ON_CALL_LEAD], "wait_minutes": 10},
            {"contacts": [crisis_setup["second"]], "wait_minutes": 10},
            {"agency_roles": [AgencyRole.ALL_SHIFT_LEADS], "wait_minutes": 10},
        ],
    )
    start = timezone.now()
    crisis_escalation_start(crisis=crisis_setup["crisis"], acting_user=crisis_setup["lead"], now=start)
    crisis_escalate_due(now=start)
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)

    approval_decide(
        draft=draft, contact=crisis_setup["first"], decision="approve", comment="", via="portal", now=timezone.now()
    )
    crisis_escalate_due(now=start + timedelta(minutes=30))

    crisis = Crisis.objects.get(pk=crisis_setup["crisis"].pk)
    seen = crisis.events.get(kind=CrisisEvent.Kind.CLIENT_SEEN)
    assert crisis.acknowledged_at is None and crisis.escalation_running
    assert (crisis.client_seen_by, seen.actor_label, seen.data) == ("Sabine", "Sabine", {"via": "decision"})
    assert not Notification.objects.filter(recipient_key=f"contact:{crisis_setup['second'].pk}").exists()
    assert Notification.objects.filter(crisis=crisis, step__position=3, recipient_key=f"user:{crisis_setup['lead'].pk}")


def test_a_decision_without_an_escalation_acknowledges_nothing(crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)

    approval_decide(
        draft=draft, contact=crisis_setup["first"], decision="approve", comment="", via="portal", now=timezone.now()
    )

    crisis = Crisis.objects.get(pk=crisis_setup["crisis"].pk)
    assert crisis.acknowledged_at is None and crisis.client_seen_at is None
    assert not crisis.events.filter(kind__in=[CrisisEvent.Kind.ACKNOWLEDGED, CrisisEvent.Kind.CLIENT_SEEN]).exists()


def test_all_named_approvers_must_approve_under_the_all_rule(crisis_setup, django_capture_on_commit_callbacks):
    ApprovalSettings.objects.create(client=crisis_setup["client"], rule=ApprovalSettings.Rule.ALL)
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)

    approval_decide(
        draft=draft, contact=crisis_setup["first"], decision="approve", comment="", via="portal", now=timezone.now()
    )
    draft.refresh_from_db()
    after_one = draft.status
    approval_decide(
        draft=draft, contact=crisis_setup["second"], decision="approve", comment="", via="portal", now=timezone.now()
    )
    draft.refresh_from_db()

    assert after_one == ResponseDraft.Status.SUBMITTED
    assert draft.status == ResponseDraft.Status.APPROVED


def test_another_clients_contact_named_as_approver_is_neither_asked_nor_awaited(
    crisis_setup, client_factory, contact_factory, django_capture_on_commit_callbacks
):
    foreign = contact_factory(client_factory(name="Other Brewery"), name="Fremd")
    settings = ApprovalSettings.objects.create(client=crisis_setup["client"], rule=ApprovalSettings.Rule.ALL)
    settings.approvers.set([crisis_setup["first"], foreign])

    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    mailed = [message.to[0] for message in mail.outbox]
    approval_decide(
        draft=draft, contact=crisis_setup["first"], decision="approve", comment="", via="portal", now=timezone.now()
    )

    draft.refresh_from_db()
    assert mailed == [crisis_setup["first"].email]
    assert not ApprovalLink.objects.filter(contact=foreign).exists()
    assert draft.status == ResponseDraft.Status.APPROVED  # the one own named approver was everyone


def test_one_approver_suffices_under_the_any_rule(crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)

    approval_decide(
        draft=draft, contact=crisis_setup["second"], decision="approve", comment="", via="portal", now=timezone.now()
    )

    draft.refresh_from_db()
    assert draft.status == ResponseDraft.Status.APPROVED


def test_a_rejection_sends_the_crisis_back_to_drafting(crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)

    approval_decide(
        draft=draft,
        contact=crisis_setup["first"],
        decision="reject",
        comment="Zu defensiv",
        via="portal",
        now=timezone.now(),
    )

    draft.refresh_from_db()
    assert draft.status == ResponseDraft.Status.REJECTED
    assert Crisis.objects.get(pk=draft.crisis_id).status == Crisis.Status.DRAFTING_RESPONSE


def test_deadline_reminder_then_fallback_approver(crisis_setup, contact_factory, django_capture_on_commit_callbacks):
    fallback = contact_factory(crisis_setup["client"], name="Thomas", may_approve=False)
    settings = ApprovalSettings.objects.create(
        client=crisis_setup["client"],
        rule=ApprovalSettings.Rule.ALL,
        reminder_minutes=15,
        deadline_minutes=30,
        fallback_approver=fallback,
    )
    settings.approvers.set([crisis_setup["first"], crisis_setup["second"]])
    start = timezone.now()
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks, now=start)
    approval_decide(draft=draft, contact=crisis_setup["first"], decision="approve", comment="", via="portal", now=start)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        early = approval_deadlines_check(now=start + timedelta(minutes=14))
    with django_capture_on_commit_callbacks(execute=True):
        reminder = approval_deadlines_check(now=start + timedelta(minutes=15))
    reminded = [message.to[0] for message in mail.outbox]
    with django_capture_on_commit_callbacks(execute=True):
        approval_deadlines_check(now=start + timedelta(minutes=16))
    with django_capture_on_commit_callbacks(execute=True):
        fallback_run = approval_deadlines_check(now=start + timedelta(minutes=30))
    fallback_mail = [message for message in mail.outbox if message.to == [fallback.email]]
    approval_decide(
        draft=draft,
        contact=fallback,
        decision="approve",
        comment="",
        via="magic_link",
        now=start + timedelta(minutes=31),
    )

    draft.refresh_from_db()
    assert early == {"reminded": 0, "fallbacks": 0}
    assert reminder == {"reminded": 1, "fallbacks": 0}
    assert reminded == [crisis_setup["second"].email]
    assert fallback_run == {"reminded": 0, "fallbacks": 1}
    assert len(fallback_mail) == 1 and fallback_mail[0].subject.startswith("Freigabe erbeten")
    assert draft.status == ResponseDraft.Status.APPROVED


def test_a_rejection_without_a_comment_is_refused(crisis_setup, django_capture_on_commit_callbacks):
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)

    with translation.override("en"), pytest.raises(CrisisError, match="needs a comment"):
        approval_decide(
            draft=draft,
            contact=crisis_setup["first"],
            decision="reject",
            comment="  ",
            via="portal",
            now=timezone.now(),
        )

    draft.refresh_from_db()
    assert draft.status == ResponseDraft.Status.SUBMITTED


def test_a_client_abroad_reads_the_deadline_in_its_own_time(client, crisis_setup, django_capture_on_commit_callbacks):
    crisis_setup["client"].time_zone = "America/New_York"
    crisis_setup["client"].save(update_fields=["time_zone"])
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    in_new_york = timezone.localtime(draft.approval_due_at, ZoneInfo("America/New_York"))
    in_berlin = timezone.localtime(draft.approval_due_at, ZoneInfo("Europe/Berlin"))

    _contacts_read(crisis_setup, "en")
    page = client.get(_magic_path(mail.outbox[0])).content.decode()

    assert f"Bitte entscheiden Sie bis {in_new_york:%d.%m.%Y %H:%M} Uhr" in mail.outbox[0].body
    assert f"Please decide by {in_new_york:%b} {in_new_york.day}, {in_new_york:%H:%M}." in page
    assert f"{in_berlin:%H:%M}" not in page


def test_the_portal_shows_the_deadline_in_the_clients_time(
    client, crisis_setup, contact_user_for, django_capture_on_commit_callbacks
):
    crisis_setup["client"].time_zone = "Asia/Tokyo"
    crisis_setup["client"].save(update_fields=["time_zone"])
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    draft.refresh_from_db()
    client.force_login(contact_user_for(crisis_setup["client"]))

    page = client.get(f"/crises/portal/{crisis_setup['crisis'].pk}/", headers={"Accept-Language": "en"})

    in_tokyo = timezone.localtime(draft.approval_due_at, ZoneInfo("Asia/Tokyo"))
    assert f"Please decide by {in_tokyo:%b} {in_tokyo.day}, {in_tokyo:%H:%M}." in page.content.decode()


def test_a_link_used_up_by_a_decision_in_the_portal_says_what_was_decided(
    client, crisis_setup, django_capture_on_commit_callbacks
):
    """Deciding in the portal uses up the contact's mailed link; the link then said only "This link
    has already been used" to a contact who had never clicked it."""
    draft = _submitted(crisis_setup, django_capture_on_commit_callbacks)
    first = crisis_setup["first"]
    path = _magic_path(next(message for message in mail.outbox if message.to == [first.email]))
    approval_decide(draft=draft, contact=first, decision="reject", comment="Zu hart", via="portal", now=timezone.now())

    _contacts_read(crisis_setup, "en")
    english = client.get(path)
    _contacts_read(crisis_setup, "de")
    german = client.get(path)

    assert english.status_code == 403
    assert "You already rejected version 1 on " in english.content.decode()
    assert "(Portal): this link is used up." in english.content.decode()
    assert "Sie haben Version 1 bereits am " in german.content.decode()
    assert "abgelehnt" in german.content.decode()


# --- Races, with real threads: every side locks the crisis before the draft and its links --------


def _awaiting_both(setup, django_capture_on_commit_callbacks):
    """A version awaiting both contacts' approval (all must approve), its reminder due 15 minutes
    after it was submitted: (draft, the first contact, when the reminder is due)."""
    settings = ApprovalSettings.objects.create(
        client=setup["client"], rule=ApprovalSettings.Rule.ALL, reminder_minutes=15
    )
    settings.approvers.set([setup["first"], setup["second"]])
    now = timezone.now()
    draft = _submitted(setup, django_capture_on_commit_callbacks, now=now)
    return draft, setup["first"], now + timedelta(minutes=15)


def _pausing(monkeypatch, name: str, *, when) -> tuple[threading.Event, threading.Event]:
    """Make crises.services.<name> stop, the first time `when(**its keyword arguments)` holds, until
    told to go on: (paused, go_on)."""
    paused, go_on = threading.Event(), threading.Event()
    real = getattr(services, name)

    def pause_once(**kwargs):
        if not paused.is_set() and when(**kwargs):
            paused.set()
            go_on.wait(10)
        return real(**kwargs)

    monkeypatch.setattr(services, name, pause_once)
    return paused, go_on


def _while_paused(first, second, *, paused: threading.Event, go_on: threading.Event) -> list[BaseException]:
    """Run `first` in a thread until it pauses, then `second` in another until it waits for a lock
    (or is done); let `first` go on and both finish. What they raised."""
    errors: list[BaseException] = []
    first_thread = in_thread(first, errors)
    assert paused.wait(10)
    second_thread = in_thread(second, errors)
    wait_until_waiting_on_a_lock(1, unless_done=second_thread)
    go_on.set()
    first_thread.join()
    second_thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_a_decision_while_the_deadline_run_reminds_does_not_deadlock(
    crisis_setup, django_capture_on_commit_callbacks, monkeypatch
):
    # Given a version awaiting two approvers, and the deadline run, due to remind, stopped just before
    # it records the reminder
    draft, first, later = _awaiting_both(crisis_setup, django_capture_on_commit_callbacks)
    reminding, go_on = _pausing(
        monkeypatch, "crisis_event_record", when=lambda **event: event["kind"] == CrisisEvent.Kind.APPROVAL_REMINDER
    )

    # When Sabine approves in the portal meanwhile
    errors = _while_paused(
        lambda: approval_deadlines_check(now=later),
        lambda: approval_decide(draft=draft, contact=first, decision="approve", comment="", via="portal", now=later),
        paused=reminding,
        go_on=go_on,
    )

    # Then both went through: the reminder is recorded, and so is her approval
    assert errors == []
    assert (
        CrisisEvent.objects.filter(crisis=crisis_setup["crisis"], kind=CrisisEvent.Kind.APPROVAL_REMINDER).count() == 1
    )
    assert list(Approval.objects.filter(draft=draft).values_list("contact_id", flat=True)) == [first.pk]
    assert ResponseDraft.objects.get(pk=draft.pk).status == ResponseDraft.Status.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_a_decision_by_magic_link_and_one_in_the_portal_at_once_count_once(
    crisis_setup, django_capture_on_commit_callbacks, monkeypatch
):
    # Given Sabine's magic link opened, its decision stopped just before it takes the crisis's lock
    draft, first, later = _awaiting_both(crisis_setup, django_capture_on_commit_callbacks)
    token = approval_token(link=ApprovalLink.objects.get(draft=draft, contact=first))
    deciding, go_on = _pausing(monkeypatch, "crisis_lock", when=lambda **_lock: True)

    # When she approves in the portal meanwhile
    errors = _while_paused(
        lambda: approval_decide_by_link(draft_id=draft.pk, token=token, decision="approve", comment="", now=later),
        lambda: approval_decide(draft=draft, contact=first, decision="approve", comment="", via="portal", now=later),
        paused=deciding,
        go_on=go_on,
    )

    # Then one decision counts and the other is refused as coming second (no deadlock)
    assert [type(error) for error in errors] == [MagicLinkRefused], errors
    assert list(Approval.objects.filter(draft=draft).values_list("contact_id", "via")) == [(first.pk, "portal")]
