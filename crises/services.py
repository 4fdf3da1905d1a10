"""Writes to crises: tickets, linked items, drafts, approvals, publishing.

Every state change locks the crisis row, checks the transition table, and writes a
CrisisEvent in the same transaction. Side effects (emails, outbox sends, escalation runs)
are queued with transaction.on_commit so a rolled-back change sends nothing. Every
service takes `now`, so tests control the clock.
"""

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from communityops.models import Channel, Client, ClientContact, User
from communityops.refusals import Refusal
from inbox.lock_objects import authors_erasure_lock_shared, item_qs_select_for_update
from inbox.models import Item, ItemEvent

from .event_summaries import unanswerable_in_words
from .lock_objects import (
    approval_link_qs_select_for_update,
    crisis_idempotency_key_lock,
    crisis_item_qs_select_for_update,
    crisis_qs_select_for_update,
    crisis_qs_skip_locked,
    on_call_roster_lock,
    response_draft_qs_select_for_update,
    spike_alert_qs_select_for_update,
)
from .models import (
    Approval,
    ApprovalLink,
    ClientSeenVia,
    Crisis,
    CrisisEvent,
    CrisisItem,
    HoldingStatement,
    OnCallShift,
    ResponseDraft,
    Severity,
    SpikeAlert,
)
from .notifications import absolute_url, recipient_language
from .notifications.email import email_send
from .selectors import (
    Unanswerable,
    agency_alert_recipients,
    approval_settings_for,
    crisis_linked_platforms,
    crisis_links_reply_outlook,
    draft_approvers,
    draft_latest_approved,
    notification_recipient_contact,
    notification_recipient_is_contact,
    notification_recipient_label,
    on_call_lead_now,
)

S = Crisis.Status

# The only ways a crisis may move. Some targets have their own service (escalating:
# crisis_escalation_start, awaiting_approval: response_draft_submit, approved: approval_decide,
# published: crisis_publish); the rest are set by hand through crisis_transition. A version
# drafted while an earlier one awaited the client may be submitted after that one was approved,
# published or is being monitored: hence awaiting approval from there.
CRISIS_TRANSITIONS: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.ESCALATING, S.DRAFTING_RESPONSE, S.RESOLVED}),
    S.ESCALATING: frozenset({S.DRAFTING_RESPONSE, S.RESOLVED}),
    S.DRAFTING_RESPONSE: frozenset({S.AWAITING_APPROVAL, S.RESOLVED}),
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.DRAFTING_RESPONSE, S.RESOLVED}),
    S.APPROVED: frozenset({S.PUBLISHED, S.DRAFTING_RESPONSE, S.AWAITING_APPROVAL, S.RESOLVED}),
    S.PUBLISHED: frozenset({S.MONITORING, S.DRAFTING_RESPONSE, S.AWAITING_APPROVAL, S.RESOLVED}),
    S.MONITORING: frozenset({S.DRAFTING_RESPONSE, S.AWAITING_APPROVAL, S.RESOLVED}),
    S.RESOLVED: frozenset(),
}
MANUAL_TARGETS = frozenset({S.ESCALATING, S.DRAFTING_RESPONSE, S.MONITORING, S.RESOLVED})

APPROVAL_LINK_SALT = "crises.approval-link"
# A new approval link goes to a contact at most once in this time (approval_link_resend).
APPROVAL_LINK_RESEND_PAUSE = timedelta(minutes=2)


class CrisisError(Refusal):
    """A request the crisis's current state does not allow; the message is shown to the user, `code`
    is stable for API clients (a page's own checks raise this base with their message)."""

    code = "crisis_action_refused"


class CrisisTransitionNotAllowed(CrisisError):
    code = "crisis_transition_not_allowed"


class CrisisResolved(CrisisError):
    code = "crisis_resolved"
    default_message = _("The crisis is resolved.")


class ItemsOfOtherClient(CrisisError):
    code = "items_of_other_client"


class ItemsErased(CrisisError):
    code = "items_erased"
    default_message = _("Select at least one item whose author's data was not erased.")


class ResponseTextMissing(CrisisError):
    code = "response_text_missing"
    default_message = _("The response needs a text.")


class DraftNotSubmittable(CrisisError):
    code = "draft_not_submittable"
    default_message = _("Only an unsubmitted draft can be submitted.")


class DraftSuperseded(CrisisError):
    """A newer version of the response exists: that one is to be submitted or decided on."""

    code = "draft_superseded"


class NoApprover(CrisisError):
    code = "no_approver"
    default_message = _("The client has no contact who may approve responses.")


class RejectionNeedsComment(CrisisError):
    code = "rejection_needs_comment"
    default_message = _("Say what should change: a rejection needs a comment.")


class DecisionNotPossible(CrisisError):
    code = "decision_not_possible"
    default_message = _("You cannot decide on this response (anymore).")


class NoApprovedResponse(CrisisError):
    code = "no_approved_response"


class HoldingStatementNotUsable(CrisisError):
    code = "holding_statement_not_usable"
    default_message = _("Only an active, pre-approved holding statement of this client can go out at once.")


class ResponseTooLong(CrisisError):
    """A version's text for `platform` is longer than a reply there may be (a form error on that text)."""

    code = "response_too_long"

    def __init__(self, *, platform: str, length: int, limit: int):
        super().__init__(
            _(
                "The text for %(platform)s has %(length)d characters, %(over)d more than the %(limit)d a reply "
                "may have there. Shorten it."
            )
            % {"platform": Channel.Platform(platform).label, "length": length, "limit": limit, "over": length - limit},
            platform=platform,
            length=length,
            limit=limit,
            over=length - limit,  # the keys of the inbox's reply_too_long, and the platform
        )
        self.platform = platform


class NothingToSend(CrisisError):
    """A publish that would reach no item; nothing was sent and nothing changed (a warning, not an error)."""

    code = "nothing_to_send"


class IdempotencyKeyReused(CrisisError):
    """An idempotency key sent again with another request than the one that opened `crisis` with it."""

    code = "idempotency_key_reused"
    status_code = HTTPStatus.UNPROCESSABLE_ENTITY

    def __init__(self, crisis: Crisis):
        super().__init__(
            _(
                "This Idempotency-Key opened crisis #%(number)d for a different request. "
                "Send a new request with a new key."
            )
            % {"number": crisis.pk},
            crisis_id=crisis.pk,
        )
        self.crisis = crisis


class DraftNotAwaitingApproval(CrisisError):
    code = "draft_not_awaiting_approval"


class ContactNotAsked(CrisisError):
    """The contact is not (or no longer) asked to decide on the version: not an approver, or decided."""

    code = "contact_not_asked"


class ContactWithoutEmail(CrisisError):
    code = "contact_without_email"


class ApprovalLinkSentRecently(CrisisError):
    """A link went to the contact a moment ago (a double click, a colleague): no second email."""

    code = "approval_link_sent_recently"


class MagicLinkRefused(CrisisError):
    """An approval link that must not be honoured; `reason` is a stable code for the page."""

    code = "approval_link_refused"

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def crisis_event_record(
    *,
    crisis: Crisis,
    kind: str,
    at: datetime,
    actor: User | None = None,
    actor_label: str = "",
    data: dict | None = None,
) -> CrisisEvent:
    return CrisisEvent.objects.create(
        crisis=crisis, kind=kind, actor=actor, actor_label=actor_label, data=data or {}, created_at=at
    )


def crisis_lock(*, crisis_id: int) -> Crisis:
    return crisis_qs_select_for_update().select_related("client").get(pk=crisis_id)


def _move(*, crisis: Crisis, to_status: str, at: datetime, actor: User | None, actor_label: str = "", **data) -> None:
    """Apply one transition from the table to a locked crisis and record it."""
    if to_status not in CRISIS_TRANSITIONS[crisis.status]:
        raise CrisisTransitionNotAllowed(
            _("A crisis cannot go from “%(from)s” to “%(to)s”.")
            % {"from": crisis.get_status_display(), "to": S(to_status).label}
        )
    previous = crisis.status
    crisis.status = to_status
    fields = ["status"]
    if to_status == S.RESOLVED:
        crisis.resolved_at = at
        fields.append("resolved_at")
    crisis.save(update_fields=fields)
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.STATUS_CHANGED,
        at=at,
        actor=actor,
        actor_label=actor_label,
        data={"from": previous, "to": to_status, **data},
    )


@transaction.atomic
def crisis_create(
    *,
    acting_user: User,
    client: Client,
    title: str,
    severity: int = Severity.HIGH,
    owner: User | None = None,
    now: datetime,
) -> Crisis:
    """Open a crisis. The owner defaults to the shift lead on call now, else the opener."""
    owner = owner or on_call_lead_now(at=now) or acting_user
    crisis = Crisis.objects.create(
        client=client, title=title, severity=severity, owner=owner, created_by=acting_user, created_at=now
    )
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.OPENED,
        at=now,
        actor=acting_user,
        data={"title": title, "severity": severity, "owner": str(owner)},
    )
    return crisis


@transaction.atomic
def crisis_items_link(*, crisis: Crisis, items: Iterable[Item], acting_user: User | None, now: datetime) -> list[int]:
    """Link inbox items (of the crisis's client) to the crisis; already linked and erased ones are skipped.

    Writes an ESCALATED ItemEvent on each newly linked item, so the inbox timeline shows it.
    Returns the ids of the newly linked items.

    Locks the items' authors against an erasure (inbox.lock_objects.authors_erasure_lock_shared)
    before the crisis, so a caller holding a crisis or an item lock must have taken them already.
    An erasure of one of the authors under way is waited for, and its items are then skipped (read
    again: the objects passed in may predate the erasure); an erasure starting meanwhile waits for
    this link, and then redacts the author's name in the crisis's texts (crises.erasure).
    """
    items = list(items)
    authors_erasure_lock_shared(author_ids=[item.author_id for item in items])
    crisis = crisis_lock(crisis_id=crisis.pk)
    if crisis.status == S.RESOLVED:
        raise CrisisResolved(_("A resolved crisis takes no more items."))
    if any(item.client_id != crisis.client_id for item in items):
        raise ItemsOfOtherClient(_("Only items of the crisis's client can be linked."))
    skipped = set(CrisisItem.objects.filter(crisis=crisis).values_list("item_id", flat=True))
    # An erased item is a tombstone: nothing to answer, nothing to count.
    skipped |= set(
        Item.objects.filter(pk__in=[item.pk for item in items], erased_at__isnull=False).values_list("pk", flat=True)
    )
    new_items = [item for item in items if item.pk not in skipped]
    CrisisItem.objects.bulk_create(
        [CrisisItem(crisis=crisis, item=item, linked_by=acting_user, linked_at=now) for item in new_items],
        ignore_conflicts=True,
    )
    ItemEvent.objects.bulk_create(
        [
            ItemEvent(item=item, actor=acting_user, kind=ItemEvent.Kind.ESCALATED, data={"crisis_id": crisis.pk})
            for item in new_items
        ]
    )
    if new_items:
        crisis_event_record(
            crisis=crisis,
            kind=CrisisEvent.Kind.ITEMS_LINKED,
            at=now,
            actor=acting_user,
            data={"item_ids": [item.pk for item in new_items]},
        )
    return [item.pk for item in new_items]


@transaction.atomic
def crisis_create_from_items(
    *, acting_user: User, items: list[Item], title: str = "", severity: int = Severity.HIGH, now: datetime
) -> tuple[Crisis, bool]:
    """ "Escalate to crisis" from one or several inbox items of the same client. Items that an
    unresolved crisis already links, all of them, are escalated already: that crisis is returned
    (a second click, or a colleague a moment later). Erased items (tombstones) are left out, also
    those erased while this waited for their authors' erasure (see crisis_items_link).

    Returns (crisis, created): created is False when the crisis was there already."""
    clients = {item.client_id for item in items}
    if len(clients) > 1:
        raise ItemsOfOtherClient(_("All items must belong to the same client."))
    authors_erasure_lock_shared(author_ids=[item.author_id for item in items])
    # The items' rows, in id order (as every bulk item lock): a colleague escalating the same items
    # at the same moment waits here and then finds the crisis this one opened.
    live = set(
        item_qs_select_for_update()
        .filter(pk__in=[item.pk for item in items], erased_at__isnull=True)
        .values_list("pk", flat=True)
    )
    items = [item for item in items if item.pk in live]
    if not items:
        raise ItemsErased
    already = (
        CrisisItem.objects.filter(item__in=items)
        .exclude(crisis__status=Crisis.Status.RESOLVED)
        .values("crisis_id")
        .annotate(linked=Count("id"))
        .filter(linked=len({item.pk for item in items}))
        .order_by("crisis_id")
        .first()
    )
    if already is not None:
        return Crisis.objects.get(pk=already["crisis_id"]), False
    client = items[0].client
    # Not the comment's text: the title goes to the client's contacts and stays with the crisis,
    # and a commenter's words are theirs to have erased (inbox.services.erasure).
    title = title or _("Crisis on %(channel)s, %(when)s") % {
        "channel": items[0].channel.name,
        "when": date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT"),
    }
    crisis = crisis_create(acting_user=acting_user, client=client, title=str(title), severity=severity, now=now)
    crisis_items_link(crisis=crisis, items=items, acting_user=acting_user, now=now)
    return crisis, True


@transaction.atomic
def crisis_create_for_request(
    *,
    acting_user: User,
    client: Client,
    title: str,
    severity: int,
    items: list[Item],
    idempotency_key: str,
    now: datetime,
) -> tuple[Crisis, bool]:
    """Open a crisis as a request asks for it (POST /api/crises/, the board's form): from items as
    crisis_create_from_items, without items as crisis_create.

    A request that carries an idempotency key (the API's Idempotency-Key header, the form's hidden
    key; "" for none) opens at most one crisis for it: the same key from the same user again, also
    while the first request is still at work (it waits for it under crisis_idempotency_key_lock),
    returns the crisis the first opened, whatever became of it since; with another client, title,
    severity or items it raises IdempotencyKeyReused and changes nothing. A request that found a
    crisis linking all its items already (created False) opened none: its key is not kept, and a
    retry finds that crisis again by its items.

    Returns (crisis, created): created is False when the crisis was there already."""
    fingerprint = _request_fingerprint(client=client, title=title, severity=severity, items=items)
    if idempotency_key:
        crisis_idempotency_key_lock(user_id=acting_user.pk, key=idempotency_key)
        earlier = Crisis.objects.filter(created_by=acting_user, idempotency_key=idempotency_key).first()
        if earlier is not None:
            if earlier.idempotency_fingerprint != fingerprint:
                raise IdempotencyKeyReused(earlier)
            return earlier, False
    opening = {"acting_user": acting_user, "title": title, "severity": severity, "now": now}
    if items:
        crisis, created = crisis_create_from_items(items=items, **opening)
    else:
        crisis, created = crisis_create(client=client, **opening), True
    if created and idempotency_key:
        crisis.idempotency_key = idempotency_key
        crisis.idempotency_fingerprint = fingerprint
        crisis.save(update_fields=["idempotency_key", "idempotency_fingerprint"])
    return crisis, created


def _request_fingerprint(*, client: Client, title: str, severity: int, items: list[Item]) -> str:
    """What an "open a crisis" request asked for, as a hash: a retry has the same, another request not."""
    asked = {"client": client.pk, "title": title, "severity": severity, "items": sorted({item.pk for item in items})}
    return hashlib.sha256(json.dumps(asked, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def crisis_open_from_alert(*, alert: SpikeAlert, acting_user: User, now: datetime) -> tuple[Crisis, bool]:
    """The "open crisis" button on a spike alert; a second click (or a colleague's a moment earlier)
    returns the crisis already opened.

    Returns (crisis, created): created is False when the crisis was there already."""
    alert = spike_alert_qs_select_for_update().select_related("client").get(pk=alert.pk)
    if alert.crisis_id:
        return alert.crisis, False
    title = _("Spike: %(kind)s at %(client)s (%(observed)s in the window)") % {
        "kind": alert.get_kind_display(),
        "client": alert.client.name,
        "observed": alert.observed,
    }
    crisis = crisis_create(acting_user=acting_user, client=alert.client, title=str(title), now=now)
    items = Item.objects.filter(pk__in=alert.sample_item_ids, client=alert.client)
    crisis_items_link(crisis=crisis, items=items, acting_user=acting_user, now=now)
    alert.crisis = crisis
    alert.status = SpikeAlert.Status.OPENED_CRISIS
    alert.acknowledged_by = acting_user
    alert.save(update_fields=["crisis", "status", "acknowledged_by"])
    return crisis, True


@transaction.atomic
def spike_alert_acknowledge(*, alert: SpikeAlert, acting_user: User) -> SpikeAlert:
    """Seen, no crisis needed. The alert stays the ongoing one, so the spike still alerts only once."""
    alert = spike_alert_qs_select_for_update().get(pk=alert.pk)
    if alert.status == SpikeAlert.Status.OPEN:
        alert.status = SpikeAlert.Status.ACKNOWLEDGED
        alert.acknowledged_by = acting_user
        alert.save(update_fields=["status", "acknowledged_by"])
    return alert


@transaction.atomic
def crisis_escalation_start(*, crisis: Crisis, acting_user: User | None, now: datetime) -> Crisis:
    """Start the escalation ladder: record the start and run the due-check right after commit.

    The schedule is derived from escalation_started_at by crisis_escalate_due, so nothing
    else needs to survive a worker restart.
    """
    crisis = crisis_lock(crisis_id=crisis.pk)
    if crisis.escalation_started_at is not None:
        raise CrisisTransitionNotAllowed(_("The escalation has already started."))
    _move(crisis=crisis, to_status=S.ESCALATING, at=now, actor=acting_user)
    crisis.escalation_started_at = now
    crisis.save(update_fields=["escalation_started_at"])
    crisis_event_record(crisis=crisis, kind=CrisisEvent.Kind.ESCALATION_STARTED, at=now, actor=acting_user)
    transaction.on_commit(lambda: async_task("crises.tasks.crisis_escalate_due_task"))
    return crisis


@transaction.atomic
def crisis_transition(
    *, crisis: Crisis, to_status: str, acting_user: User, now: datetime, post_mortem: str = ""
) -> Crisis:
    """A manual status change by the agency (escalating, drafting, monitoring, resolved).

    Resolving takes the post-mortem; the other targets have their own services.
    """
    if to_status not in MANUAL_TARGETS:
        raise CrisisTransitionNotAllowed(_("This status is reached through its own action."))
    if to_status == S.ESCALATING:
        return crisis_escalation_start(crisis=crisis, acting_user=acting_user, now=now)
    crisis = crisis_lock(crisis_id=crisis.pk)
    _move(crisis=crisis, to_status=to_status, at=now, actor=acting_user)
    if to_status in (S.RESOLVED, S.DRAFTING_RESPONSE):  # resolved, or taken back by the agency
        _waiting_version_withdraw(crisis=crisis)
    if to_status == S.RESOLVED and post_mortem:
        crisis_post_mortem_write(crisis=crisis, acting_user=acting_user, text=post_mortem, now=now)
    return crisis


@transaction.atomic
def crisis_post_mortem_write(*, crisis: Crisis, acting_user: User, text: str, now: datetime) -> Crisis:
    crisis = crisis_lock(crisis_id=crisis.pk)
    crisis.post_mortem = text
    crisis.save(update_fields=["post_mortem"])
    crisis_event_record(
        crisis=crisis, kind=CrisisEvent.Kind.POST_MORTEM, at=now, actor=acting_user, data={"length": len(text)}
    )
    return crisis


@transaction.atomic
def crisis_acknowledge(*, crisis: Crisis, by_label: str, acting_user: User | None, now: datetime) -> bool:
    """The agency answered the escalation: no further steps fire. Returns False if already acknowledged.

    Who may: a shift lead or an admin (the answer to being alerted; an agent acknowledging would stop
    the alerts to the client's contacts), or an agency recipient through the signed link of their
    alert (acting_user None, crisis_acknowledge_by_link). Anyone else gets PermissionDenied: a client's
    contact only says they have seen it (crisis_client_seen), which must not leave the agency unalerted.
    """
    if acting_user is not None and not acting_user.is_shift_lead_or_admin:
        raise PermissionDenied(_("Only a shift lead or an admin acknowledges an escalation."))
    crisis = crisis_lock(crisis_id=crisis.pk)
    if crisis.acknowledged_at is not None:
        return False
    crisis.acknowledged_at = now
    crisis.acknowledged_by = by_label
    crisis.save(update_fields=["acknowledged_at", "acknowledged_by"])
    crisis_event_record(
        crisis=crisis, kind=CrisisEvent.Kind.ACKNOWLEDGED, at=now, actor=acting_user, actor_label=by_label
    )
    return True


@transaction.atomic
def crisis_client_seen(*, crisis: Crisis, contact: ClientContact, via: str, now: datetime) -> bool:
    """A contact of the crisis's client has seen the running escalation (the portal's button, the link
    in their alert, a decision on a response): recorded with who and when (CLIENT_SEEN), and the
    escalation alerts none of the client's contacts any more. It goes on for the agency: later steps
    still alert their agency roles (crises.escalation) until the agency acknowledges (crisis_acknowledge),
    so the client never believes a crisis handled that nobody at the agency has taken on.

    Under the crisis lock, as step firing: a step firing at the same moment either ran first (its
    alerts to contacts are then not sent, notification_send) or sees this. Returns False when nothing
    changed (not escalating, acknowledged already, or a colleague of the contact was first).
    """
    if contact.client_id != crisis.client_id:
        raise PermissionDenied(_("Only a contact of the crisis's client has seen it for the client."))
    crisis = crisis_lock(crisis_id=crisis.pk)
    if not crisis.escalation_running or crisis.client_seen_at is not None:
        return False
    crisis.client_seen_at = now
    crisis.client_seen_by = contact.name
    crisis.save(update_fields=["client_seen_at", "client_seen_by"])
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.CLIENT_SEEN,
        at=now,
        actor=contact.user,
        actor_label=contact.name,
        data={"via": via},
    )
    return True


def crisis_acknowledge_by_link(*, crisis: Crisis, recipient_key: str, now: datetime) -> bool:
    """ "Seen – I'm on it" through the signed link of an alert (crises.escalation.acknowledge_link_check
    has checked it). A client contact's link says the client has seen it (crisis_client_seen); an
    agency recipient's (a staff member, the step's chat channel) acknowledges (crisis_acknowledge)."""
    contact = notification_recipient_contact(crisis=crisis, recipient_key=recipient_key)
    if contact is not None:
        return crisis_client_seen(crisis=crisis, contact=contact, via=ClientSeenVia.ALERT_LINK, now=now)
    if notification_recipient_is_contact(recipient_key):  # of another client: refused by the link check too
        raise PermissionDenied(_("The contact is not one of the crisis's client."))
    return crisis_acknowledge(
        crisis=crisis,
        by_label=notification_recipient_label(crisis=crisis, recipient_key=recipient_key),
        acting_user=None,
        now=now,
    )


# --- Response drafts and approval -------------------------------------------------------------


@transaction.atomic
def response_draft_create(
    *, crisis: Crisis, acting_user: User, text: str, platform_texts: dict | None = None, now: datetime
) -> ResponseDraft:
    """Write the next version. A version awaiting approval stays open for the client's decision
    until this one is submitted (response_draft_submit supersedes it then)."""
    crisis = crisis_lock(crisis_id=crisis.pk)
    if crisis.status == S.RESOLVED:
        raise CrisisResolved
    if not text.strip():
        raise ResponseTextMissing
    last = crisis.drafts.order_by("-version").first()
    draft = ResponseDraft(
        crisis=crisis,
        version=(last.version + 1) if last else 1,
        text=text,
        platform_texts={key: value for key, value in (platform_texts or {}).items() if value and value.strip()},
        created_by=acting_user,
        created_at=now,
    )
    _draft_length_check(draft=draft)
    draft.save(force_insert=True)
    # A version still awaiting the client's decision keeps the crisis awaiting approval.
    if crisis.status not in (S.DRAFTING_RESPONSE, S.AWAITING_APPROVAL):
        _move(crisis=crisis, to_status=S.DRAFTING_RESPONSE, at=now, actor=acting_user)
    crisis_event_record(
        crisis=crisis, kind=CrisisEvent.Kind.DRAFT_CREATED, at=now, actor=acting_user, data={"version": draft.version}
    )
    return draft


def _draft_length_check(*, draft: ResponseDraft) -> None:
    """CrisisError if the text for a platform of the crisis's linked items is longer than a reply there
    may be: an approved response that then cannot go out would leave the crisis unanswered."""
    from inbox.services.errors import ReplyTooLong
    from inbox.services.outbox import reply_length_check

    for platform in crisis_linked_platforms(crisis=draft.crisis):
        try:
            reply_length_check(text=draft.text_for(platform).strip(), platform=platform)
        except ReplyTooLong as error:
            raise ResponseTooLong(
                platform=platform, length=error.details["length"], limit=error.details["limit"]
            ) from error


def _waiting_version_withdraw(*, crisis: Crisis) -> None:
    """The version awaiting the client's decision, if any, no longer does (superseded): its links
    die with it, reminders stop, and a late decision is told why (_draft_replaced_message)."""
    crisis.drafts.filter(status=ResponseDraft.Status.SUBMITTED).update(status=ResponseDraft.Status.SUPERSEDED)


def approval_token(*, link: ApprovalLink) -> str:
    """The secret in the magic link, rebuilt from the row's nonce with SECRET_KEY."""
    return salted_hmac(APPROVAL_LINK_SALT, link.nonce, algorithm="sha256").hexdigest()


def approval_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _approval_link_issue(
    *,
    draft: ResponseDraft,
    contact: ClientContact,
    now: datetime,
    is_fallback: bool = False,
    link: ApprovalLink | None = None,
) -> ApprovalLink:
    """Give the contact a magic link for the draft, emailed after commit (approval_link_send). Given
    their `link`, it gets a new token and expiry instead of a second row: the old token stops working."""
    valid_hours = approval_settings_for(client=draft.crisis.client).link_valid_hours
    link = link or ApprovalLink(draft=draft, contact=contact, is_fallback=is_fallback)
    link.nonce = secrets.token_hex(32)
    link.token_hash = approval_token_hash(approval_token(link=link))
    link.created_at = now
    link.expires_at = now + timedelta(hours=valid_hours)
    link.sent_at = None
    link.save(update_fields=["nonce", "token_hash", "created_at", "expires_at", "sent_at"] if link.pk else None)
    transaction.on_commit(lambda: async_task("crises.tasks.approval_link_send_task", link.pk, "request"))
    return link


@transaction.atomic
def response_draft_submit(*, draft: ResponseDraft, acting_user: User, now: datetime) -> ResponseDraft:
    """Ask the client: email every approver a magic link; the portal shows the draft too.

    Only the newest version can be submitted, and only once.
    """
    crisis = crisis_lock(crisis_id=draft.crisis_id)
    draft = response_draft_qs_select_for_update().get(pk=draft.pk)
    if draft.status != ResponseDraft.Status.DRAFT:
        raise DraftNotSubmittable
    if crisis.drafts.filter(version__gt=draft.version).exists():
        raise DraftSuperseded(_("A newer version exists; submit that one."))
    draft.crisis = crisis
    approvers = draft_approvers(draft=draft)
    if not approvers:
        raise NoApprover
    settings = approval_settings_for(client=crisis.client)
    _waiting_version_withdraw(crisis=crisis)  # an earlier version still awaiting is replaced by this one
    if crisis.status != S.AWAITING_APPROVAL:  # it already is while the replaced version was waiting
        _move(crisis=crisis, to_status=S.AWAITING_APPROVAL, at=now, actor=acting_user)
    draft.status = ResponseDraft.Status.SUBMITTED
    draft.submitted_at = now
    draft.approval_due_at = now + timedelta(minutes=settings.deadline_minutes)
    draft.save(update_fields=["status", "submitted_at", "approval_due_at"])
    for contact in approvers:
        _approval_link_issue(draft=draft, contact=contact, now=now)
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.DRAFT_SUBMITTED,
        at=now,
        actor=acting_user,
        data={"version": draft.version, "approvers": [contact.name for contact in approvers], "rule": settings.rule},
    )
    return draft


@transaction.atomic
def approval_link_resend(
    *, draft: ResponseDraft, contact: ClientContact, acting_user: User, now: datetime
) -> ApprovalLink:
    """Send a contact a new magic link for the version awaiting approval (theirs expired, or the
    email got lost): the token they hold stops working, the new one is valid for the client's
    link_valid_hours and is emailed as the first was (approval_link_send). A contact asked but
    without a link yet gets one. Shift leads and admins only (PermissionDenied).

    Refuses a version no longer awaiting approval (DraftNotAwaitingApproval), a contact not asked
    to decide on it or who has decided (ContactNotAsked), a contact without an email address
    (ContactWithoutEmail), and a link issued to them less than APPROVAL_LINK_RESEND_PAUSE ago
    (ApprovalLinkSentRecently): under the crisis lock, so a double click sends one email.
    Records APPROVAL_LINK_RESENT: who sent it to whom."""
    if not acting_user.is_shift_lead_or_admin:
        raise PermissionDenied(_("Only a shift lead or an admin sends a new approval link."))
    crisis = crisis_lock(crisis_id=draft.crisis_id)
    draft = response_draft_qs_select_for_update().get(pk=draft.pk)
    draft.crisis = crisis
    words = {"name": contact.name, "version": draft.version}
    if draft.status != ResponseDraft.Status.SUBMITTED:
        raise DraftNotAwaitingApproval(
            _("Version %(version)d no longer awaits the client's approval: no link was sent.") % words
        )
    if draft.approvals.filter(contact=contact).exists():
        raise ContactNotAsked(_("%(name)s has already decided on version %(version)d: no link was sent.") % words)
    if not draft_may_decide(draft=draft, contact=contact):
        raise ContactNotAsked(_("%(name)s is not asked to decide on version %(version)d: no link was sent.") % words)
    if not contact.email:
        raise ContactWithoutEmail(
            _("%(name)s has no email address: add one to the contact, then send the link again.") % words
        )
    # Read, not locked: the crisis lock already orders every resend.
    link = ApprovalLink.objects.filter(draft=draft, contact=contact).first()
    if link is not None and link.created_at > now - APPROVAL_LINK_RESEND_PAUSE:
        raise ApprovalLinkSentRecently(
            _("A link went to %(name)s at %(when)s: no second one within %(minutes)d minutes.")
            % {
                **words,
                "when": date_format(timezone.localtime(link.created_at), "TIME_FORMAT"),
                "minutes": int(APPROVAL_LINK_RESEND_PAUSE.total_seconds() // 60),
            }
        )
    link = _approval_link_issue(draft=draft, contact=contact, now=now, link=link)
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.APPROVAL_LINK_RESENT,
        at=now,
        actor=acting_user,
        data={"version": draft.version, "contact": contact.name},
    )
    return link


def _approval_link_by_token(token: str) -> ApprovalLink | None:
    return (
        ApprovalLink.objects.select_related("draft__crisis__client", "contact")
        .filter(token_hash=approval_token_hash(token))
        .first()
    )


def magic_link_language(*, token: str) -> str | None:
    """The language of the contact a magic-link token was issued to (their emails' language); None
    for a token that stands for no link. The contact is not signed in: their browser may say otherwise."""
    link = _approval_link_by_token(token)
    return recipient_language(contact=link.contact) if link is not None else None


def approval_link_check(*, draft_id: int, token: str, now: datetime) -> ApprovalLink:
    """Find the link a magic-link token stands for, or refuse with a reason.

    Refuses: unknown or altered tokens, a token used on another draft's address, expired or
    used links, and drafts no longer awaiting approval. A link of another client's contact (named
    by mistake before draft_approvers left them out) is refused as if it were unknown: it must not
    show them the draft, the client or the crisis.
    """
    link = _approval_link_by_token(token)
    if link is None or link.contact.client_id != link.draft.crisis.client_id:
        raise MagicLinkRefused("invalid", _("This link is not valid. Please use the link from your email."))
    if link.draft_id != draft_id:
        raise MagicLinkRefused("other_draft", _("This link belongs to a different response."))
    if link.used_at is not None:
        raise MagicLinkRefused("used", _used_link_message(link))
    if link.expires_at <= now:
        raise MagicLinkRefused(
            "expired", _("This link has expired. The agency can send you a new one: please contact them.")
        )
    if link.draft.status == ResponseDraft.Status.SUPERSEDED:
        raise MagicLinkRefused("superseded", _draft_replaced_message(link.draft))
    if link.draft.status != ResponseDraft.Status.SUBMITTED:
        raise MagicLinkRefused("closed", _draft_decided_message(link.draft))
    return link


def _used_link_message(link: ApprovalLink) -> str:
    """Why a used link is refused. A decision in the portal uses up the contact's link too: "This link
    has already been used" puzzled a contact who had never clicked it, so say what they decided."""
    approval = link.draft.approvals.filter(contact=link.contact).order_by("-decided_at").first()
    if approval is None:
        return str(_("This link has already been used."))
    when = date_format(
        timezone.localtime(approval.decided_at, ZoneInfo(link.draft.crisis.client.time_zone)), "DAY_TIME_FORMAT"
    )
    if approval.decision == Approval.Decision.APPROVE:
        message = _("You already approved version %(version)d on %(when)s (%(via)s): this link is used up.")
    else:
        message = _("You already rejected version %(version)d on %(when)s (%(via)s): this link is used up.")
    return message % {"version": link.draft.version, "when": when, "via": approval.get_via_display()}


def _draft_decided_message(draft: ResponseDraft) -> str:
    """Why an approved or rejected version can no longer be decided on: whose decision settled it
    ("no longer awaiting approval" left a contact guessing whether it went out or came back)."""
    rejected = draft.status == ResponseDraft.Status.REJECTED
    approval = (
        draft.approvals.filter(decision=Approval.Decision.REJECT if rejected else Approval.Decision.APPROVE)
        .select_related("contact")
        .latest("decided_at")
    )
    when = date_format(
        timezone.localtime(approval.decided_at, ZoneInfo(draft.crisis.client.time_zone)), "DAY_TIME_FORMAT"
    )
    if rejected:
        message = _(
            "%(name)s rejected version %(version)d on %(when)s: the agency is revising it and will ask you again."
        )
    else:
        message = _("%(name)s approved version %(version)d on %(when)s: it no longer awaits your decision.")
    return message % {"name": approval.contact.name, "version": draft.version, "when": when}


def _draft_replaced_message(draft: ResponseDraft) -> str:
    """Why a version can no longer be decided on, when a newer one took its place."""
    newer = draft.crisis.drafts.filter(status=ResponseDraft.Status.SUBMITTED).order_by("-version").first()
    if newer is None and draft.crisis.status == S.RESOLVED:
        return _("The crisis was resolved: version %(version)d no longer awaits your decision.") % {
            "version": draft.version
        }
    if newer is None:
        return _("The agency withdrew version %(version)d: it no longer awaits your decision.") % {
            "version": draft.version
        }
    return _(
        "Version %(version)d was replaced by version %(newer)d, which awaits your decision: "
        "use the link in the newest email, or the client portal."
    ) % {"version": draft.version, "newer": newer.version}


@transaction.atomic
def approval_decide_by_link(*, draft_id: int, token: str, decision: str, comment: str, now: datetime) -> Approval:
    """Approve or reject through a magic link; the link is used up in the same transaction.

    Locks the crisis before the link, as a decision in the portal does (it uses the contact's link
    up too): the other way round, the two deadlocked."""
    link = approval_link_check(draft_id=draft_id, token=token, now=now)
    crisis_lock(crisis_id=link.draft.crisis_id)
    # Re-check under lock: two clicks at once must not both count.
    link = approval_link_qs_select_for_update().get(pk=link.pk)
    if link.used_at is not None:
        raise MagicLinkRefused("used", _("This link has already been used."))
    link.used_at = now
    link.save(update_fields=["used_at"])
    return approval_decide(
        draft=link.draft, contact=link.contact, decision=decision, comment=comment, via=Approval.Via.MAGIC_LINK, now=now
    )


def draft_may_decide(*, draft: ResponseDraft, contact: ClientContact) -> bool:
    """Whether this contact is asked to decide on this draft (named approver or the fallback asked)."""
    if contact.client_id != draft.crisis.client_id or draft.status != ResponseDraft.Status.SUBMITTED:
        return False
    if draft.approvals.filter(contact=contact).exists():
        return False
    if any(approver.pk == contact.pk for approver in draft_approvers(draft=draft)):
        return True
    return draft.links.filter(contact=contact, is_fallback=True).exists()


@transaction.atomic
def approval_decide(
    *, draft: ResponseDraft, contact: ClientContact, decision: str, comment: str, via: str, now: datetime
) -> Approval:
    """Record a contact's decision and apply the client's rule.

    A rejection sends the crisis back to drafting. An approval approves the draft when one
    suffices, when every named approver has approved, or when it comes from the fallback
    approver (asked after the deadline, their word alone counts). A decision also says the client
    has seen a running escalation (crisis_client_seen): their contacts are not alerted again, the
    agency's steps go on. After commit the owner and the
    lead on call hear of every decision (approval_decision_notify): at 3 a.m. nobody should find
    an approved response by chance.
    """
    crisis = crisis_lock(crisis_id=draft.crisis_id)
    draft = response_draft_qs_select_for_update().get(pk=draft.pk)
    draft.crisis = crisis
    if decision not in Approval.Decision.values:
        raise CrisisError(_("Unknown decision."))
    comment = comment.strip()
    if decision == Approval.Decision.REJECT and not comment:  # the agency must know what to change
        raise RejectionNeedsComment
    if draft.status == ResponseDraft.Status.SUPERSEDED:
        raise DraftSuperseded(_draft_replaced_message(draft))
    if draft.status in (ResponseDraft.Status.APPROVED, ResponseDraft.Status.REJECTED):
        raise DecisionNotPossible(_draft_decided_message(draft))
    if not draft_may_decide(draft=draft, contact=contact):
        raise DecisionNotPossible
    approval = Approval.objects.create(
        draft=draft, contact=contact, decision=decision, comment=comment, via=via, decided_at=now
    )
    ApprovalLink.objects.filter(draft=draft, contact=contact, used_at__isnull=True).update(used_at=now)
    crisis_client_seen(crisis=crisis, contact=contact, via=ClientSeenVia.DECISION, now=now)
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.APPROVAL_DECIDED,
        at=now,
        actor=contact.user,
        actor_label=contact.name,
        data={"version": draft.version, "decision": decision, "comment": comment, "via": via},
    )
    if decision == Approval.Decision.REJECT:
        draft.status = ResponseDraft.Status.REJECTED
        draft.decided_at = now
        draft.save(update_fields=["status", "decided_at"])
        _move(crisis=crisis, to_status=S.DRAFTING_RESPONSE, at=now, actor=contact.user, actor_label=contact.name)
    else:
        settings = approval_settings_for(client=crisis.client)
        approved_ids = set(
            draft.approvals.filter(decision=Approval.Decision.APPROVE).values_list("contact_id", flat=True)
        )
        is_fallback = draft.links.filter(contact=contact, is_fallback=True).exists()
        everyone = {approver.pk for approver in draft_approvers(draft=draft)} <= approved_ids
        if settings.rule == settings.Rule.ANY or is_fallback or everyone:
            draft.status = ResponseDraft.Status.APPROVED
            draft.decided_at = now
            draft.save(update_fields=["status", "decided_at"])
            _move(crisis=crisis, to_status=S.APPROVED, at=now, actor=contact.user, actor_label=contact.name)
    publishable = draft.status == ResponseDraft.Status.APPROVED
    transaction.on_commit(lambda: async_task("crises.tasks.approval_decision_notify_task", approval.pk, publishable))
    return approval


def approval_deadlines_check(*, now: datetime) -> dict[str, int]:
    """Periodic: remind approvers who have not decided, and ask the fallback approver after the deadline.

    Each draft is handled under its crisis's row lock, then its own: the order of every service
    that locks a draft (locked the other way round, the reminder's crisis event waited at commit
    for the crisis of a decision that waited for the draft). A crisis being changed right now is
    skipped (skip locked) and left to the next run; reminded_at / fallback_asked_at make a second
    run do nothing.
    """
    reminded = fallbacks = 0
    waiting = ResponseDraft.objects.filter(status=ResponseDraft.Status.SUBMITTED).exclude(crisis__status=S.RESOLVED)
    for draft_id, crisis_id in waiting.values_list("pk", "crisis_id"):
        with transaction.atomic():
            crisis = crisis_qs_skip_locked().select_related("client").filter(pk=crisis_id).first()
            if crisis is None:
                continue
            draft = (
                response_draft_qs_select_for_update().filter(pk=draft_id, status=ResponseDraft.Status.SUBMITTED).first()
            )
            if draft is None:
                continue
            draft.crisis = crisis
            settings = approval_settings_for(client=draft.crisis.client)
            decided = set(draft.approvals.values_list("contact_id", flat=True))
            if draft.reminder_sent_at is None and now >= draft.submitted_at + timedelta(
                minutes=settings.reminder_minutes
            ):
                waiting = list(
                    draft.links.filter(used_at__isnull=True).exclude(contact_id__in=decided).select_related("contact")
                )
                for link in waiting:
                    transaction.on_commit(
                        lambda pk=link.pk: async_task("crises.tasks.approval_link_send_task", pk, "reminder")
                    )
                draft.reminder_sent_at = now
                draft.save(update_fields=["reminder_sent_at"])
                crisis_event_record(
                    crisis=draft.crisis,
                    kind=CrisisEvent.Kind.APPROVAL_REMINDER,
                    at=now,
                    actor_label="CommunityOps",
                    data={"version": draft.version, "contacts": [link.contact.name for link in waiting]},
                )
                reminded += 1
            fallback = settings.fallback_approver
            if (
                draft.fallback_asked_at is None
                and now >= draft.approval_due_at
                and fallback is not None
                and fallback.client_id == draft.crisis.client_id
            ):
                existing = draft.links.filter(contact=fallback).first()
                if existing is None:
                    _approval_link_issue(draft=draft, contact=fallback, now=now, is_fallback=True)
                else:
                    existing.is_fallback = True
                    existing.save(update_fields=["is_fallback"])
                draft.fallback_asked_at = now
                draft.save(update_fields=["fallback_asked_at"])
                crisis_event_record(
                    crisis=draft.crisis,
                    kind=CrisisEvent.Kind.FALLBACK_APPROVER,
                    at=now,
                    actor_label="CommunityOps",
                    data={"version": draft.version, "contact": fallback.name},
                )
                fallbacks += 1
    return {"reminded": reminded, "fallbacks": fallbacks}


# --- Publishing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishOutcome:
    """What a publish did: the ids of the items answered now, and the linked items it could not answer, by why."""

    answered: list[int]
    not_sent: Unanswerable

    def event_data(self) -> dict:
        """The PUBLISHED / HOLDING_PUBLISHED event's record of it (crises.event_summaries reads it)."""
        data: dict = {"item_ids": self.answered}
        if self.not_sent.total:
            data["not_sent"] = self.not_sent.counts
            data["channels_cannot_reply"] = self.not_sent.channels_cannot_reply
        return data


def _links_answer(
    *,
    crisis: Crisis,
    links: list[CrisisItem],
    none_left: str,
    text_for: Callable[[str], str],
    acting_user: User,
    now: datetime,
    reason: str,
    record: dict,
) -> PublishOutcome:
    """Answer the linked items through the inbox outbox, in bulk (a crisis may link thousands), and
    record on each link what answered it (`record`'s fields, and the action). Returns the items
    answered, and why the others were not (read under the item locks the outbox took).

    Raises NothingToSend when no item gets an answer (a crisis linking none, `none_left` when every
    link already has one, or the outbox refused them all, saying why), so nobody reads "sent to 0 items"."""
    from inbox.services.outbox import outbound_replies_enqueue

    if not links:
        raise NothingToSend(_nothing_linked_message(crisis) or none_left)

    actions = outbound_replies_enqueue(
        replies=[(link.item, text_for(link.item.channel.platform)) for link in links],
        requested_by=acting_user,
        now=now,
        reason=reason,
    )
    answered = [link for link in links if link.item_id in actions]
    refused = [link.pk for link in links if link.item_id not in actions]  # why: inbox.selectors.reply_refusal
    not_sent = crisis_links_reply_outlook(
        links=CrisisItem.objects.filter(pk__in=refused), text_for=text_for
    ).unanswerable
    if not answered:
        raise NothingToSend(_("Nothing was sent: %(reasons)s.") % {"reasons": unanswerable_in_words(not_sent)})
    for link in answered:
        for name, value in record.items():
            setattr(link, name, value)
        link.answered_action = actions[link.item_id]
    CrisisItem.objects.bulk_update(answered, [*record, "answered_action"], batch_size=1000)
    return PublishOutcome(answered=[link.item_id for link in answered], not_sent=not_sent)


def _nothing_linked_message(crisis: Crisis) -> str:
    """Why a publish reaches nobody when the crisis links no item at all; "" when it does."""
    if crisis.crisis_items.exists():
        return ""
    return str(_("Nothing was sent: no items are linked to this crisis. Link the affected items first."))


def _reply_targets(*, crisis: Crisis):
    """The crisis's links, locked; hidden and spam items among them are left out by the outbox
    (outbound_replies_enqueue), under the items' locks."""
    return crisis_item_qs_select_for_update().filter(crisis=crisis).select_related("item__channel")


@transaction.atomic
def crisis_publish(*, crisis: Crisis, acting_user: User, now: datetime) -> PublishOutcome:
    """Send the latest approved response to every linked item that has not received it.

    Through the inbox outbox: one OutboundAction per item, each with its own idempotency key (an
    identical reply already queued or sent is reused, not sent twice); the outbox marks each item answered.
    Called again after items were linked later, it answers just those with the same text (and tries
    again those it could not answer before: an item hidden then may be visible again).
    Returns the items answered now and why the others were not; NothingToSend (nothing changes) when
    no item gets it.
    """
    crisis = crisis_lock(crisis_id=crisis.pk)
    draft = draft_latest_approved(crisis=crisis)
    if draft is None:
        raise NoApprovedResponse(_("There is no approved response to publish."))
    if crisis.status == S.APPROVED:
        _move(crisis=crisis, to_status=S.PUBLISHED, at=now, actor=acting_user)
    elif crisis.status not in (S.PUBLISHED, S.MONITORING):
        raise NoApprovedResponse(_("Only an approved response can be published."))
    outcome = _links_answer(
        crisis=crisis,
        links=list(_reply_targets(crisis=crisis).exclude(answered_draft=draft)),
        none_left=_("Nothing was sent: every linked item has already received this response."),
        text_for=draft.text_for,
        acting_user=acting_user,
        now=now,
        reason=f"crisis #{crisis.pk} response v{draft.version}",
        record={"answered_draft": draft, "answered_at": now},
    )
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.PUBLISHED,
        at=now,
        actor=acting_user,
        data={"version": draft.version, **outcome.event_data()},
    )
    return outcome


@transaction.atomic
def holding_statement_publish(
    *, crisis: Crisis, statement: HoldingStatement, acting_user: User, now: datetime
) -> PublishOutcome:
    """Send a pre-approved holding statement at once, without the approval round.

    Goes to linked items that have neither a holding statement nor the final response yet;
    the crisis status does not change (the real response still needs approval). Returns the items
    answered now and why the others were not; NothingToSend when no item gets it.
    """
    crisis = crisis_lock(crisis_id=crisis.pk)
    if statement.client_id != crisis.client_id or not statement.is_pre_approved or not statement.is_active:
        raise HoldingStatementNotUsable
    if crisis.status == S.RESOLVED:
        raise CrisisResolved
    outcome = _links_answer(
        crisis=crisis,
        links=list(_reply_targets(crisis=crisis).filter(holding_sent_at__isnull=True, answered_draft__isnull=True)),
        none_left=_("Nothing was sent: every linked item already has a holding statement or the response."),
        text_for=lambda _platform: statement.text,
        acting_user=acting_user,
        now=now,
        reason=f"crisis #{crisis.pk} holding statement",
        record={"holding_statement": statement, "holding_sent_at": now},
    )
    crisis_event_record(
        crisis=crisis,
        kind=CrisisEvent.Kind.HOLDING_PUBLISHED,
        at=now,
        actor=acting_user,
        data={"statement": statement.title, **outcome.event_data()},
    )
    return outcome


@transaction.atomic
def approval_link_send(*, link_id: int, purpose: str, now: datetime) -> bool:
    """Email a magic link ("request" once, "reminder" once); a second run of either sends nothing.
    A new token (approval_link_resend) clears sent_at: its "request" goes out once more."""
    marker = "sent_at" if purpose == "request" else "reminded_at"
    link = (
        approval_link_qs_select_for_update()
        .select_related("draft__crisis__client", "contact")
        .filter(pk=link_id, **{f"{marker}__isnull": True})
        .first()
    )
    if link is None or link.used_at is not None or link.draft.status != ResponseDraft.Status.SUBMITTED:
        return False
    if link.contact.client_id != link.draft.crisis.client_id:  # issued before draft_approvers left them out
        return False
    path = reverse("crises:magic_link", kwargs={"draft_id": link.draft_id, "token": approval_token(link=link)})
    email_send(
        to=link.contact.email,
        name="approval_request" if purpose == "request" else "approval_reminder",
        language=recipient_language(contact=link.contact),
        time_zone=link.draft.crisis.client.time_zone,
        context={
            "link": link,
            "draft": link.draft,
            "crisis": link.draft.crisis,
            "magic_url": absolute_url(path),
            "portal_url": absolute_url(reverse("crises:portal_detail", kwargs={"crisis_id": link.draft.crisis_id})),
        },
    )
    setattr(link, marker, now)
    link.save(update_fields=[marker])
    return True


def _approval_decision_recipients(*, crisis: Crisis, at: datetime) -> list[User]:
    """Who hears of a client's decision: the crisis's owner and whoever the agency's alerts reach
    now (the shift lead on call; with nobody on call, every shift lead and admin)."""
    users = [crisis.owner] if crisis.owner is not None and crisis.owner.is_active else []
    users += agency_alert_recipients(at=at)
    return list({user.pk: user for user in users if user.email}.values())


def approval_decision_notify(*, approval_id: int, publishable: bool, now: datetime) -> int:
    """Email a client's decision to _approval_decision_recipients, each in their language: who decided,
    what, their comment, and whether the response may be published now (`publishable`: the decision
    completed the approval). At least once: a task delivered twice sends twice. Returns how many."""
    approval = Approval.objects.select_related("contact", "draft__crisis__client", "draft__crisis__owner").get(
        pk=approval_id
    )
    crisis = approval.draft.crisis
    recipients = _approval_decision_recipients(crisis=crisis, at=now)
    context = {
        "approval": approval,
        "draft": approval.draft,
        "crisis": crisis,
        "publishable": publishable,
        "crisis_url": absolute_url(reverse("crises:detail", kwargs={"crisis_id": crisis.pk})),
    }
    for user in recipients:
        email_send(
            to=user.email,
            name="approval_decided",
            language=recipient_language(user=user),
            context={**context, "recipient": user},
        )
    return len(recipients)


# --- On-call roster ---------------------------------------------------------------------------


def _roster_log(*, acting_user: User, shift: OnCallShift, action_flag: int, change_message: list | str = "") -> None:
    """The roster's audit trail is the admin's history: changes made on the rota page show there
    beside those made in the admin."""
    LogEntry.objects.log_actions(acting_user.pk, [shift], action_flag, change_message, single_object=True)


@transaction.atomic
def on_call_shift_add(
    *, acting_user: User, lead: User, starts_at: datetime, ends_at: datetime, label: str
) -> OnCallShift:
    """Put a shift lead or admin on call (shift leads and admins only, else PermissionDenied).

    Under the roster lock, OnCallShift.clean refuses (ValidationError, naming the problem) a holder
    who is not an active shift lead or admin and a shift overlapping another.
    """
    if not acting_user.is_shift_lead_or_admin:
        raise PermissionDenied(_("Only shift leads and admins change the on-call roster."))
    on_call_roster_lock()
    shift = OnCallShift(lead=lead, starts_at=starts_at, ends_at=ends_at, label=label)
    shift.full_clean()
    shift.save()
    _roster_log(acting_user=acting_user, shift=shift, action_flag=ADDITION, change_message=[{"added": {}}])
    return shift


@transaction.atomic
def on_call_shift_end(*, acting_user: User, shift_id: int, now: datetime) -> OnCallShift | None:
    """End a running shift now, or take a shift that has not started off the roster (then None is
    returned). Shift leads and admins only (PermissionDenied); a shift already over is refused
    (ValidationError), so is an unknown one (OnCallShift.DoesNotExist)."""
    if not acting_user.is_shift_lead_or_admin:
        raise PermissionDenied(_("Only shift leads and admins change the on-call roster."))
    on_call_roster_lock()
    shift = OnCallShift.objects.select_related("lead").get(pk=shift_id)
    if shift.ends_at <= now:
        raise ValidationError(_("This shift is already over."), code="over")
    if shift.starts_at >= now:
        _roster_log(acting_user=acting_user, shift=shift, action_flag=DELETION)
        shift.delete()
        return None
    shift.ends_at = now
    shift.save(update_fields=["ends_at"])
    _roster_log(
        acting_user=acting_user, shift=shift, action_flag=CHANGE, change_message=[{"changed": {"fields": ["ends"]}}]
    )
    return shift
