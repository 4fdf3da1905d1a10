"""Reads of crises, scoped to the clients the user may see (a contact sees only their own client)."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, Max, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from communityops.alphabetical import alphabetical
from communityops.keyset import InvalidCursor, cursor_decode, cursor_encode
from communityops.models import Channel, Client, ClientContact, User
from communityops.selectors import client_ids_for_user, client_queryset_for_user
from inbox.models import Item
from inbox.selectors import ReplyRefusal, reply_refusal

from .models import (
    ApprovalLink,
    ApprovalSettings,
    Crisis,
    CrisisEvent,
    CrisisItem,
    EscalationPolicy,
    HoldingStatement,
    Notification,
    OnCallShift,
    ResponseDraft,
    SpikeAlert,
)


def on_call_shifts_valid() -> QuerySet[OnCallShift]:
    """Shifts whose holder may be on call: an active shift lead or admin. A shift given to anyone
    else before OnCallShift.clean refused it (an agent, a client's contact) counts as empty: they
    must never receive every client's escalations."""
    return OnCallShift.objects.filter(lead__is_active=True, lead__role__in=User.SHIFT_LEAD_ROLES)


def on_call_shift_now(*, at: datetime) -> OnCallShift | None:
    """The shift running at `at`. Shifts no longer overlap (OnCallShift.clean); of overlapping
    ones stored before that, the one that started last counts."""
    return (
        on_call_shifts_valid()
        .filter(starts_at__lte=at, ends_at__gt=at)
        .select_related("lead")
        .order_by("-starts_at", "-pk")
        .first()
    )


def on_call_lead_now(*, at: datetime) -> User | None:
    """The shift lead on call at `at`, or None."""
    shift = on_call_shift_now(at=at)
    return shift.lead if shift else None


def agency_alert_recipients(*, at: datetime) -> list[User]:
    """Who is alerted when the agency must be: the shift lead on call, or, with nobody on call,
    every active shift lead and admin."""
    lead = on_call_lead_now(at=at)
    if lead is not None:
        return [lead]
    return list(on_call_candidates())


# The rota page lists this many shifts at most (three a day: about two months ahead).
ROTA_SHIFTS = 200


@dataclass(frozen=True)
class RotaRow:
    """One line of the rota: a shift, or a gap in which nobody is on call (shift None)."""

    starts_at: datetime
    ends_at: datetime | None  # None: nobody is on call from starts_at on, as far as the roster goes
    shift: OnCallShift | None
    running: bool
    counts: bool  # a shift held by an active shift lead or admin (else ignored, see on_call_shifts_valid)


def on_call_rota(*, now: datetime) -> list[RotaRow]:
    """The shifts running now or still to come, in order, and the gaps between them (one query)."""
    shifts = list(
        OnCallShift.objects.filter(ends_at__gt=now).select_related("lead").order_by("starts_at", "pk")[:ROTA_SHIFTS]
    )
    rows, covered_until = [], now
    for shift in shifts:
        counts = shift.lead.may_be_on_call
        if counts and shift.starts_at > covered_until:
            rows.append(RotaRow(covered_until, shift.starts_at, None, running=covered_until <= now, counts=False))
        rows.append(RotaRow(shift.starts_at, shift.ends_at, shift, running=shift.starts_at <= now, counts=counts))
        if counts:
            covered_until = max(covered_until, shift.ends_at)
    if len(shifts) < ROTA_SHIFTS:
        rows.append(RotaRow(covered_until, None, None, running=covered_until <= now, counts=False))
    return rows


def on_call_candidates() -> QuerySet[User]:
    """Who may be put on call (User.may_be_on_call): the active shift leads and admins."""
    return User.objects.filter(role__in=User.SHIFT_LEAD_ROLES, is_active=True).order_by(
        alphabetical("first_name"), "first_name", "email"
    )


def crisis_queryset_for_user(*, user: User) -> QuerySet[Crisis]:
    return Crisis.objects.filter(client__in=client_ids_for_user(user=user))


def crisis_get_for_user(*, user: User, crisis_id: int) -> Crisis:
    return get_object_or_404(crisis_queryset_for_user(user=user).select_related("client", "owner"), pk=crisis_id)


def crisis_board_for_user(*, user: User) -> QuerySet[Crisis]:
    """Unresolved crises, most severe first, with what the board shows (their linked items counted,
    not loaded: a shitstorm's crisis may link thousands; whether the client has an active escalation
    policy) in one query."""
    return (
        crisis_queryset_for_user(user=user)
        .exclude(status=Crisis.Status.RESOLVED)
        .select_related("client", "owner")
        .annotate(
            linked_item_count=Count("crisis_items"),
            client_has_policy=Exists(EscalationPolicy.objects.filter(client=OuterRef("client_id"), is_active=True)),
        )
        .order_by("severity", "-created_at")
    )


def clients_without_escalation_policy(*, user: User) -> QuerySet[Client]:
    """The active clients the user serves without an active escalation policy: their crises escalate
    to the agency only (crises.escalation's fallback), never to the client's contacts."""
    return (
        client_queryset_for_user(user=user)
        .filter(is_active=True)
        .exclude(escalation_policy__is_active=True)
        .order_by(alphabetical("name"), "name")
    )


def crises_to_link_item(*, user: User, item: Item) -> QuerySet[Crisis]:
    """The unresolved crises of the item's client it is not linked to yet, newest first."""
    return (
        crisis_queryset_for_user(user=user)
        .filter(client_id=item.client_id)
        .exclude(status=Crisis.Status.RESOLVED)
        .exclude(crisis_items__item=item)
        .order_by("-created_at")
    )


def crisis_notifications(*, crisis: Crisis) -> QuerySet[Notification]:
    return crisis.notifications.select_related("step").order_by("created_at", "pk")


def holding_statements_ready(*, client) -> QuerySet[HoldingStatement]:
    """The client's active, pre-approved holding statements: sendable without asking."""
    return HoldingStatement.objects.filter(client=client, is_active=True, is_pre_approved=True)


def spike_alert_samples(*, alert: SpikeAlert) -> list[Item]:
    """The alert's sample items, in the order the alert lists them (its own client's only: the
    ids are stored, not a relation, so nothing else keeps another client's item out)."""
    samples = Item.objects.filter(pk__in=alert.sample_item_ids, client_id=alert.client_id).select_related(
        "channel", "author"
    )
    return sorted(samples, key=lambda item: alert.sample_item_ids.index(item.pk))


def crisis_list_for_user(*, user: User, status: str | None = None) -> QuerySet[Crisis]:
    queryset = crisis_queryset_for_user(user=user).select_related("client", "owner").order_by("-created_at")
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def crisis_timeline(*, crisis: Crisis) -> QuerySet[CrisisEvent]:
    return crisis.events.select_related("actor").order_by("created_at", "id")


def crisis_linked_items(*, crisis: Crisis) -> QuerySet[CrisisItem]:
    return crisis.crisis_items.select_related(
        "item__channel", "item__author", "answered_draft", "holding_statement", "linked_by"
    ).order_by("id")  # linking order (see CrisisItem.Meta.ordering)


# The linked items the crisis page lists: the most recently linked (a shitstorm's crisis may link thousands).
CRISIS_PAGE_LINKED_ITEMS = 100


@dataclass(frozen=True)
class LinkedItemsWindow:
    shown: list[CrisisItem]  # the most recently linked, in linking order
    total: int


def crisis_linked_items_newest(*, crisis: Crisis) -> LinkedItemsWindow:
    """The newest CRISIS_PAGE_LINKED_ITEMS links and how many there are in all (two queries)."""
    newest = list(crisis_linked_items(crisis=crisis).reverse()[:CRISIS_PAGE_LINKED_ITEMS])
    total = len(newest) if len(newest) < CRISIS_PAGE_LINKED_ITEMS else crisis.crisis_items.count()
    return LinkedItemsWindow(shown=newest[::-1], total=total)


def crisis_linked_platforms(*, crisis: Crisis) -> list[str]:
    """The platforms of the crisis's linked items, sorted: a response goes out on each (one query)."""
    return sorted(
        set(
            CrisisItem.objects.filter(crisis=crisis)
            .order_by()
            .values_list("item__channel__platform", flat=True)
            .distinct()
        )
    )


def crisis_linked_items_page(*, crisis: Crisis, cursor: str | None, limit: int) -> tuple[list[CrisisItem], str | None]:
    """One keyset page of the crisis's links after `cursor`, in linking order, in one query.

    Like the inbox's item_page: `id > cursor` is a range scan on crisis_item_linked_order, never an
    OFFSET, so a page thousands of links deep costs what the first does, and links made while a
    client pages through come at the end instead of shifting the pages (no duplicates, no gaps: ids
    are handed out under the crisis lock, in the order the links commit).
    """
    links = crisis_linked_items(crisis=crisis)
    if cursor:
        position = cursor_decode(cursor)
        if position.at is not None or position.rank is not None:  # a queue's cursor is not one of ours
            raise InvalidCursor()
        links = links.filter(id__gt=position.pk)
    page = list(links[: limit + 1])
    next_cursor = cursor_encode(at=None, pk=page[limit - 1].pk) if len(page) > limit else None
    return page[:limit], next_cursor


def crisis_drafts(*, crisis: Crisis) -> QuerySet[ResponseDraft]:
    return crisis.drafts.select_related("created_by").prefetch_related("approvals__contact").order_by("-version")


def crisis_drafts_for_client(*, crisis: Crisis) -> QuerySet[ResponseDraft]:
    """The drafts the client has been asked to decide on, newest first (with what became of them).
    A version the agency has not submitted is internal: its contacts never see it."""
    return crisis_drafts(crisis=crisis).filter(submitted_at__isnull=False)


def draft_current(*, crisis: Crisis) -> ResponseDraft | None:
    return crisis.drafts.order_by("-version").first()


def draft_latest_approved(*, crisis: Crisis) -> ResponseDraft | None:
    return crisis.drafts.filter(status=ResponseDraft.Status.APPROVED).order_by("-version").first()


@dataclass(frozen=True)
class Unanswerable:
    """Linked items a publish cannot answer: how many for each reason (inbox.selectors.ReplyRefusal),
    and the names of the channels among them that cannot reply."""

    counts: dict[str, int]
    channels_cannot_reply: list[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class ReplyOutlook:
    answerable: int  # links a publish would answer now
    unanswerable: Unanswerable


def crisis_links_reply_outlook(*, links: QuerySet[CrisisItem], text_for: Callable[[str], str]) -> ReplyOutlook:
    """How a publish of `text_for(platform)` fares with these links, by inbox.selectors.reply_refusal, in
    two queries however many there are (a shitstorm's crisis links thousands): the links grouped by
    their item's channel and state, then those channels."""
    groups = list(
        links.values(
            "item__channel_id",
            "item__status",
            erased=ExpressionWrapper(Q(item__erased_at__isnull=False), output_field=BooleanField()),
            removed=ExpressionWrapper(
                Q(item__tags__contains=[Item.TAG_REMOVED_ON_PLATFORM]), output_field=BooleanField()
            ),
        )
        .annotate(count=Count("pk"))
        .order_by()
    )
    channels = Channel.objects.in_bulk({group["item__channel_id"] for group in groups})
    answerable, counts, cannot_reply = 0, Counter(), set()
    for group in groups:
        channel = channels[group["item__channel_id"]]
        refusal = reply_refusal(
            status=group["item__status"],
            erased=group["erased"],
            removed=group["removed"],
            channel=channel,
            text=text_for(channel.platform).strip(),
        )
        if refusal is None:
            answerable += group["count"]
            continue
        counts[refusal] += group["count"]
        if refusal == ReplyRefusal.CHANNEL_CANNOT_REPLY:
            cannot_reply.add(channel.name)
    return ReplyOutlook(
        answerable=answerable,
        unanswerable=Unanswerable(counts=dict(counts), channels_cannot_reply=sorted(cannot_reply, key=str.casefold)),
    )


@dataclass(frozen=True)
class PublishState:
    """Where the approved response stands on the crisis page: how many links it answered and when it
    last went out, and how a publish would fare with the links it has not answered."""

    draft: ResponseDraft
    answered: int
    last_published_at: datetime | None
    outlook: ReplyOutlook


def crisis_publish_state(*, crisis: Crisis) -> PublishState | None:
    """The latest approved version's state (None while none is approved), in three or four queries."""
    draft = draft_latest_approved(crisis=crisis)
    if draft is None:
        return None
    sent = crisis.crisis_items.filter(answered_draft=draft).aggregate(count=Count("pk"), last=Max("answered_at"))
    return PublishState(
        draft=draft,
        answered=sent["count"],
        last_published_at=sent["last"],
        outlook=crisis_links_reply_outlook(
            links=crisis.crisis_items.exclude(answered_draft=draft), text_for=draft.text_for
        ),
    )


def approval_settings_for(*, client) -> ApprovalSettings:
    """The client's approval settings, or the defaults (one approver suffices) unsaved."""
    settings = ApprovalSettings.objects.filter(client=client).select_related("fallback_approver").first()
    return settings or ApprovalSettings(client=client)


def draft_approvers(*, draft: ResponseDraft) -> list[ClientContact]:
    """The named approvers, or every contact of the client allowed to approve when none are named.

    Only the crisis's client's own contacts count: another client's contact named by mistake would
    be mailed the unpublished draft and could never decide on it (draft_may_decide), so they are
    left out as if not named.
    """
    settings = approval_settings_for(client=draft.crisis.client)
    named = (
        list(settings.approvers.filter(client=draft.crisis.client).order_by(alphabetical("name"), "name"))
        if settings.pk
        else []
    )
    if named:
        return named
    return list(draft.crisis.client.contacts.filter(may_approve=True).order_by(alphabetical("name"), "name"))


@dataclass(frozen=True)
class ApproverLink:
    """A contact asked to decide on the version awaiting approval, with their magic link (None: none
    issued), whether it has expired, and whether they have decided."""

    contact: ClientContact
    link: ApprovalLink | None
    expired: bool
    decided: bool


def crisis_approver_links(*, crisis: Crisis, now: datetime) -> list[ApproverLink]:
    """For the version awaiting the client's approval (none: []), its approvers and then the fallback
    approver asked (a contact who held a link but is no longer an approver is not asked, as
    crises.services.draft_may_decide says): what the crisis page shows beside "Send a new link"."""
    draft = crisis.drafts.filter(status=ResponseDraft.Status.SUBMITTED).select_related("crisis__client").first()
    if draft is None:
        return []
    links = {
        link.contact_id: link for link in draft.links.filter(contact__client=crisis.client).select_related("contact")
    }
    contacts = {contact.pk: contact for contact in draft_approvers(draft=draft)}
    for link in links.values():
        if link.is_fallback:
            contacts.setdefault(link.contact_id, link.contact)
    decided = set(draft.approvals.values_list("contact_id", flat=True))
    return [
        ApproverLink(
            contact=contact,
            link=links.get(contact.pk),
            expired=contact.pk in links and links[contact.pk].expires_at <= now,
            decided=contact.pk in decided,
        )
        for contact in contacts.values()
    ]


def spike_alert_queryset_for_user(*, user: User) -> QuerySet[SpikeAlert]:
    return SpikeAlert.objects.filter(client__in=client_ids_for_user(user=user)).select_related("client", "channel")


def spike_alert_get_for_user(*, user: User, alert_id: int) -> SpikeAlert:
    return get_object_or_404(spike_alert_queryset_for_user(user=user), pk=alert_id)


def spike_alerts_open_for_user(*, user: User) -> QuerySet[SpikeAlert]:
    return spike_alert_queryset_for_user(user=user).filter(status=SpikeAlert.Status.OPEN).order_by("-created_at")


def portal_drafts_awaiting(*, contact: ClientContact) -> QuerySet[ResponseDraft]:
    """Drafts of the contact's client waiting for a decision."""
    return (
        ResponseDraft.objects.filter(crisis__client=contact.client, status=ResponseDraft.Status.SUBMITTED)
        .select_related("crisis")
        .order_by("approval_due_at")
    )


def notification_recipient_is_contact(recipient_key: str) -> bool:
    """Whether a notification's recipient key ("contact:<id>", "user:<id>", "chat") names a client's
    contact; the others are the agency's (its staff, a step's chat channel)."""
    return recipient_key.partition(":")[0] == "contact"


def notification_recipient_contact(*, crisis: Crisis, recipient_key: str) -> ClientContact | None:
    """The contact of the crisis's client a recipient key names; None for the agency's recipients and
    for a contact of another client."""
    contact_id = recipient_key.partition(":")[2]
    if not notification_recipient_is_contact(recipient_key) or not contact_id.isdigit():
        return None
    return ClientContact.objects.filter(pk=contact_id, client_id=crisis.client_id).first()


def notification_recipient_label(*, crisis: Crisis, recipient_key: str) -> str:
    """The person an acknowledgement link was sent to, by name (the key is internal, e.g. "user:1")."""
    notification = Notification.objects.filter(crisis=crisis, recipient_key=recipient_key).first()
    return notification.recipient_label if notification else recipient_key
