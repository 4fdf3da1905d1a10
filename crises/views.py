"""Crisis pages: thin views that parse, call one service or selector, and render."""

from functools import wraps

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from communityops.forms import whole_number
from communityops.permissions import agency_staff_required, client_contact_required, shift_lead_required
from communityops.selectors import client_get_for_user, client_list_for_user, portal_contact_for_user
from inbox.selectors import item_get_for_user, item_queryset_for_user

from . import services
from .escalation import (
    FALLBACK_REMINDERS,
    FALLBACK_REPEAT_MINUTES,
    acknowledge_link_check,
    escalation_policy_gap,
    escalation_upcoming,
    fallback_upcoming,
)
from .event_summaries import event_summary, unanswerable_in_words
from .forms import (
    CrisisCreateForm,
    CrisisFromItemsForm,
    DecisionForm,
    DraftForm,
    HoldingForm,
    LinkItemsForm,
    PortalDecisionForm,
    PostMortemForm,
    RotaShiftForm,
    TransitionForm,
)
from .models import Approval, ClientSeenVia, Crisis, OnCallShift, SpikeAlert
from .selectors import (
    agency_alert_recipients,
    clients_without_escalation_policy,
    crises_to_link_item,
    crisis_approver_links,
    crisis_board_for_user,
    crisis_drafts,
    crisis_drafts_for_client,
    crisis_get_for_user,
    crisis_linked_items_newest,
    crisis_linked_platforms,
    crisis_list_for_user,
    crisis_notifications,
    crisis_publish_state,
    crisis_timeline,
    draft_current,
    holding_statements_ready,
    notification_recipient_contact,
    on_call_lead_now,
    on_call_rota,
    on_call_shift_now,
    portal_drafts_awaiting,
    spike_alert_get_for_user,
    spike_alert_samples,
    spike_alerts_open_for_user,
)
from .services import CrisisError, MagicLinkRefused, NothingToSend, ResponseTooLong


def crisis_action(view):
    """A POST on one crisis: the crisis is looked up in the user's scope; CrisisError becomes a message."""

    @require_POST
    @wraps(view)
    def wrapped(request, crisis_id: int, **kwargs):
        crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
        try:
            view(request, crisis, **kwargs)
        except NothingToSend as warning:
            messages.warning(request, str(warning))
        except CrisisError as error:
            messages.error(request, str(error))
        return redirect("crises:detail", crisis_id=crisis.pk)

    return wrapped


@agency_staff_required
def board(request):
    now = timezone.now()
    context = {
        "crises": crisis_board_for_user(user=request.user),
        "alerts": spike_alerts_open_for_user(user=request.user)[:20],
        "on_call": on_call_lead_now(at=now),
        "now": now,
        "nav": "crises",
    }
    if request.htmx:
        return render(request, "crises/board.html#board", context)
    context["clients"] = client_list_for_user(user=request.user)
    context["clients_without_policy"] = clients_without_escalation_policy(user=request.user)
    context["form"] = CrisisCreateForm()
    return render(request, "crises/board.html", context)


@agency_staff_required
@require_POST
def crisis_new(request):
    form = CrisisCreateForm(request.POST)
    if not form.is_valid():
        for error in form.error_list():
            messages.error(request, error)
        return redirect("crises:board")
    client = client_get_for_user(user=request.user, client_id=form.cleaned_data["client"])
    try:
        crisis, created = services.crisis_create_for_request(
            acting_user=request.user,
            client=client,
            title=form.cleaned_data["title"],
            severity=form.cleaned_data["severity"],
            items=[],
            idempotency_key=form.cleaned_data["idempotency_key"],
            now=timezone.now(),
        )
    except services.IdempotencyKeyReused as error:  # the form sent again, changed (the browser's back button)
        messages.error(
            request,
            _("This form opened crisis #%(number)d already. To open another crisis, use the form below again.")
            % {"number": error.crisis.pk},
        )
        return redirect("crises:board")
    if created:
        messages.success(request, _("Crisis #%(number)d opened.") % {"number": crisis.pk})
    else:  # a double click, or the form sent again after a timeout
        messages.info(
            request,
            _("Crisis #%(number)d was opened with this form already; no second one was opened.")
            % {"number": crisis.pk},
        )
    return redirect("crises:detail", crisis_id=crisis.pk)


@agency_staff_required
@require_POST
def crisis_from_items(request):
    """ "Escalate to crisis" from the inbox: POST item_ids (repeated or comma-separated), title, severity.

    Answers HTMX requests with HX-Redirect to the crisis (the new one, or the one that links all
    these items already), others with a redirect.
    """
    form = CrisisFromItemsForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Select at least one item."), status=400)
    ids = form.cleaned_data["item_ids"]
    items = list(item_queryset_for_user(user=request.user).filter(pk__in=ids).select_related("client", "channel"))
    if len(items) != len(ids):
        raise Http404
    try:
        crisis, created = services.crisis_create_from_items(
            acting_user=request.user,
            items=items,
            title=form.cleaned_data["title"],
            severity=form.cleaned_data["severity"] or Crisis._meta.get_field("severity").default,
            now=timezone.now(),
        )
    except CrisisError as error:
        return HttpResponse(str(error), status=400)
    if not created:  # a second click, or a colleague a moment earlier: say why no new crisis opened
        messages.info(
            request,
            _("These items are in crisis #%(number)d already; no new crisis was opened.") % {"number": crisis.pk},
        )
    url = reverse("crises:detail", kwargs={"crisis_id": crisis.pk})
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


@agency_staff_required
def crisis_detail(request, crisis_id: int):
    return _detail_page(request, crisis=crisis_get_for_user(user=request.user, crisis_id=crisis_id))


def _detail_page(request, *, crisis: Crisis, draft_form: DraftForm | None = None):
    """The crisis page; `draft_form` is a refused new version, shown again with its text and why."""
    now = timezone.now()
    current_draft = draft_current(crisis=crisis)
    publish = crisis_publish_state(crisis=crisis)
    context = {
        "crisis": crisis,
        # Each event with its details in words (crises.event_summaries).
        "events": [(event, event_summary(event)) for event in crisis_timeline(crisis=crisis)],
        "linked": crisis_linked_items_newest(crisis=crisis),
        "drafts": crisis_drafts(crisis=crisis),
        "approver_links": crisis_approver_links(crisis=crisis, now=now),
        "current_draft": current_draft,
        "publish": publish,
        "publish_not_sent": unanswerable_in_words(publish.outlook.unanswerable) if publish else "",
        "notifications": crisis_notifications(crisis=crisis),
        "upcoming_steps": escalation_upcoming(crisis=crisis, now=now),
        "upcoming_fallback": fallback_upcoming(crisis=crisis, now=now),
        "fallback_repeat_minutes": FALLBACK_REPEAT_MINUTES,
        "fallback_reminders": FALLBACK_REMINDERS,
        "holding_statements": holding_statements_ready(client=crisis.client),
        "on_call": on_call_lead_now(at=now),
        "policy_gap": escalation_policy_gap(crisis=crisis, at=now),
        "policy_admin_url": _policy_admin_url(user=request.user, client=crisis.client),
        "transition_form": TransitionForm(),
        "link_form": LinkItemsForm(),
        "draft_form": draft_form
        or DraftForm(
            initial={"text": getattr(current_draft, "text", "")},
            linked_platforms=crisis_linked_platforms(crisis=crisis),
        ),
        "post_mortem_form": PostMortemForm(initial={"post_mortem": crisis.post_mortem}),
        "nav": "crises",
    }
    if request.htmx:  # the page's poll: the timeline, and the header and actions out of band
        return render(request, "crises/detail.html#live", {**context, "oob": True})
    return render(request, "crises/detail.html", context)


@shift_lead_required
@crisis_action
def crisis_transition_view(request, crisis):
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise CrisisError(_("Choose a valid status."))
    crisis = services.crisis_transition(
        crisis=crisis,
        to_status=form.cleaned_data["to_status"],
        post_mortem=form.cleaned_data["post_mortem"],
        acting_user=request.user,
        now=timezone.now(),
    )
    messages.success(request, _("The crisis is now: %(status)s.") % {"status": crisis.get_status_display()})


def _policy_admin_url(*, user, client) -> str:
    """Where this user sets up (or fixes) the client's escalation policy in the admin; "" if they cannot."""
    policy = getattr(client, "escalation_policy", None)
    if not user.is_staff:
        return ""
    if policy is None and user.has_perm("crises.add_escalationpolicy"):
        return f"{reverse('admin:crises_escalationpolicy_add')}?client={client.pk}"
    if policy is not None and user.has_perm("crises.change_escalationpolicy"):
        return reverse("admin:crises_escalationpolicy_change", args=[policy.pk])
    return ""


@shift_lead_required
@crisis_action
def crisis_escalate(request, crisis):
    now = timezone.now()
    services.crisis_escalation_start(crisis=crisis, acting_user=request.user, now=now)
    if not escalation_policy_gap(crisis=crisis, at=now):
        messages.success(request, _("Escalation started."))
        return
    # Said at once: without a ladder, only the agency is alerted (crises.escalation's fallback).
    alerted = agency_alert_recipients(at=now)
    messages.warning(
        request,
        ngettext(
            "Escalation started. %(client)s has no escalation policy that applies to this crisis: only "
            "%(names)s will be alerted, by email; the client's contacts will not. Inform them yourself.",
            "Escalation started. %(client)s has no escalation policy that applies to this crisis: only "
            "%(names)s will be alerted, by email; the client's contacts will not. Inform them yourself.",
            len(alerted),
        )
        % {"client": crisis.client.name, "names": ", ".join(str(user) for user in alerted)},
    )


@shift_lead_required
@crisis_action
def crisis_acknowledge_staff(request, crisis):
    if services.crisis_acknowledge(
        crisis=crisis, by_label=str(request.user), acting_user=request.user, now=timezone.now()
    ):
        messages.success(request, _("Escalation acknowledged: nobody is alerted any more."))
    else:  # a colleague, or the link in an alert, was first
        messages.info(request, _("The escalation was acknowledged already."))


@agency_staff_required
@crisis_action
def crisis_link_items(request, crisis):
    form = LinkItemsForm(request.POST)
    if not form.is_valid():
        raise CrisisError(_("Enter item ids (numbers)."))
    wanted = set(form.cleaned_data["item_ids"])
    items = list(item_queryset_for_user(user=request.user).filter(pk__in=wanted, client=crisis.client))
    linked = services.crisis_items_link(crisis=crisis, items=items, acting_user=request.user, now=timezone.now())
    messages.success(
        request,
        ngettext("%(count)d item linked.", "%(count)d items linked.", len(linked)) % {"count": len(linked)},
    )
    # Said, not silently dropped: ids of another client's items (or of none the user may see).
    foreign = sorted(wanted - {item.pk for item in items})
    if foreign:
        messages.warning(
            request,
            _("Not linked, not items of %(client)s you can see: %(ids)s.")
            % {"client": crisis.client.name, "ids": ", ".join(map(str, foreign))},
        )


@agency_staff_required
@require_GET
def item_crisis_picker(request, item_id: int):
    """Loaded into the inbox's composer: the client's open crises this item can be added to."""
    item = item_get_for_user(user=request.user, item_id=item_id)
    return render(
        request,
        "crises/_item_crisis_picker.html",
        {"item": item, "crises": crises_to_link_item(user=request.user, item=item)},
    )


@agency_staff_required
@require_POST
def item_crisis_link(request, item_id: int):
    """Add one inbox item to a crisis of its client, and go back to the item."""
    item = item_get_for_user(user=request.user, item_id=item_id)
    crisis_id = request.POST.get("crisis", "")
    crisis = crisis_get_for_user(user=request.user, crisis_id=whole_number(crisis_id) or 0)
    if crisis.client_id != item.client_id:
        raise Http404
    try:
        linked = services.crisis_items_link(crisis=crisis, items=[item], acting_user=request.user, now=timezone.now())
    except CrisisError as error:
        messages.error(request, str(error))
    else:
        if linked:
            messages.success(request, _("Added to crisis #%(number)d.") % {"number": crisis.pk})
        elif item.erased_at is not None:
            messages.error(request, _("An item whose author's data was erased is not added to a crisis."))
        else:
            messages.info(request, _("The item is already in crisis #%(number)d.") % {"number": crisis.pk})
    return redirect("inbox:item", item_id=item.pk)


@agency_staff_required
@require_POST
def draft_create(request, crisis_id: int):
    crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
    form = DraftForm(request.POST, linked_platforms=crisis_linked_platforms(crisis=crisis))
    if not form.is_valid():  # shown again with what was typed (the platforms' texts too) and why
        return _detail_page(request, crisis=crisis, draft_form=form)
    try:
        draft = services.response_draft_create(
            crisis=crisis,
            acting_user=request.user,
            text=form.cleaned_data["text"],
            platform_texts=form.platform_texts(),
            now=timezone.now(),
        )
    except ResponseTooLong as error:
        # Shown again with what was typed, the error on the text that goes to that platform.
        field = f"platform_{error.platform}" if error.platform in form.platform_texts() else "text"
        form.add_error(field, str(error))
        return _detail_page(request, crisis=crisis, draft_form=form)
    except CrisisError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Version %(version)d of the response saved.") % {"version": draft.version})
    return redirect("crises:detail", crisis_id=crisis.pk)


@shift_lead_required
@require_POST
def draft_submit(request, crisis_id: int, draft_id: int):
    crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
    draft = get_object_or_404(crisis.drafts, pk=draft_id)
    try:
        services.response_draft_submit(draft=draft, acting_user=request.user, now=timezone.now())
        messages.success(request, _("Sent to the client for approval."))
    except CrisisError as error:
        messages.error(request, str(error))
    return redirect("crises:detail", crisis_id=crisis.pk)


@shift_lead_required
@crisis_action
def approval_link_resend(request, crisis, draft_id: int, contact_id: int):
    """ "Send a new link": the contact's magic link for the version awaiting approval, anew."""
    draft = get_object_or_404(crisis.drafts, pk=draft_id)
    contact = get_object_or_404(crisis.client.contacts, pk=contact_id)
    services.approval_link_resend(draft=draft, contact=contact, acting_user=request.user, now=timezone.now())
    messages.success(
        request,
        _("A new link to version %(version)d is on its way to %(name)s (%(email)s); any earlier link no longer works.")
        % {"version": draft.version, "name": contact.name, "email": contact.email},
    )


@shift_lead_required
@crisis_action
def crisis_publish_view(request, crisis):
    outcome = services.crisis_publish(crisis=crisis, acting_user=request.user, now=timezone.now())
    count = len(outcome.answered)
    messages.success(
        request,
        ngettext("Response sent to %(count)d item.", "Response sent to %(count)d items.", count) % {"count": count},
    )
    _not_sent_say(request, outcome)


def _not_sent_say(request, outcome: services.PublishOutcome) -> None:
    """The linked items a publish left unanswered, by why (not every reason there could be)."""
    if outcome.not_sent.total:
        messages.warning(request, _("Not sent: %(reasons)s.") % {"reasons": unanswerable_in_words(outcome.not_sent)})


@shift_lead_required
@crisis_action
def holding_publish(request, crisis):
    form = HoldingForm(request.POST)
    if not form.is_valid():
        raise CrisisError(_("Choose a holding statement."))
    statement = holding_statements_ready(client=crisis.client).filter(pk=form.cleaned_data["statement"]).first()
    if statement is None:  # deactivated meanwhile, or never one of this client's
        raise CrisisError(_("Only an active, pre-approved holding statement of this client can go out at once."))
    outcome = services.holding_statement_publish(
        crisis=crisis, statement=statement, acting_user=request.user, now=timezone.now()
    )
    count = len(outcome.answered)
    messages.success(
        request,
        ngettext("Holding statement sent to %(count)d item.", "Holding statement sent to %(count)d items.", count)
        % {"count": count},
    )
    _not_sent_say(request, outcome)


@shift_lead_required
@crisis_action
def post_mortem(request, crisis):
    form = PostMortemForm(request.POST)
    if not form.is_valid():
        raise CrisisError(_("Write the post-mortem first."))
    services.crisis_post_mortem_write(
        crisis=crisis, acting_user=request.user, text=form.cleaned_data["post_mortem"], now=timezone.now()
    )
    messages.success(request, _("Post-mortem saved."))


# --- On-call rota -----------------------------------------------------------------------------


def _rota_page(request, form: RotaShiftForm | None = None, status: int = 200):
    now = timezone.now()
    rows = on_call_rota(now=now)
    if form is None and request.user.is_shift_lead_or_admin:
        # The next shift most likely starts where the roster ends.
        form = RotaShiftForm(initial={"starts_at": timezone.localtime(rows[-1].starts_at) if rows else None})
    context = {"rows": rows, "on_call": on_call_shift_now(at=now), "form": form, "now": now, "nav": "crises"}
    return render(request, "crises/rota.html", context, status=status)


@agency_staff_required
@require_GET
def rota(request):
    """Who is on call now and next, for every staff member; shift leads and admins change it here."""
    return _rota_page(request)


@shift_lead_required
@require_POST
def rota_add(request):
    form = RotaShiftForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            shift = services.on_call_shift_add(
                acting_user=request.user,
                lead=data["lead"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                label=data["label"],
            )
        except ValidationError as error:  # a shift added meanwhile, checked again under the roster lock
            form.add_error(None, error)
        else:
            messages.success(request, _("%(lead)s is on call from %(starts)s.") % _shift_words(shift))
            return redirect("crises:rota")
    return _rota_page(request, form, status=400)


@shift_lead_required
@require_POST
def rota_end(request, shift_id: int):
    try:
        shift = services.on_call_shift_end(acting_user=request.user, shift_id=shift_id, now=timezone.now())
    except OnCallShift.DoesNotExist:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The shift of %(lead)s ended at %(ends)s.") % _shift_words(shift)
            if shift
            else _("The shift was taken off the roster."),
        )
    return redirect("crises:rota")


def _shift_words(shift: OnCallShift) -> dict:
    return {
        "lead": shift.lead,
        "starts": date_format(timezone.localtime(shift.starts_at), "SHORT_DATETIME_FORMAT"),
        "ends": date_format(timezone.localtime(shift.ends_at), "SHORT_DATETIME_FORMAT"),
    }


# --- Spike alerts -----------------------------------------------------------------------------


@agency_staff_required
def alert_detail(request, alert_id: int):
    """Where the alert email's "open crisis" link lands: the evidence and the button."""
    alert = spike_alert_get_for_user(user=request.user, alert_id=alert_id)
    return render(
        request,
        "crises/alert_detail.html",
        {"alert": alert, "samples": spike_alert_samples(alert=alert), "nav": "crises"},
    )


@agency_staff_required
@require_POST
def alert_open_crisis(request, alert_id: int):
    alert = spike_alert_get_for_user(user=request.user, alert_id=alert_id)
    crisis, created = services.crisis_open_from_alert(alert=alert, acting_user=request.user, now=timezone.now())
    if created:
        messages.success(request, _("Crisis #%(number)d opened from the spike alert.") % {"number": crisis.pk})
    else:  # a double click, or a colleague a moment earlier
        messages.info(
            request,
            _("Crisis #%(number)d was opened from this spike alert already; no second one was opened.")
            % {"number": crisis.pk},
        )
    return redirect("crises:detail", crisis_id=crisis.pk)


@agency_staff_required
@require_POST
def alert_acknowledge(request, alert_id: int):
    alert = spike_alert_get_for_user(user=request.user, alert_id=alert_id)
    alert = services.spike_alert_acknowledge(alert=alert, acting_user=request.user)
    if alert.status == SpikeAlert.Status.ACKNOWLEDGED:
        messages.success(request, _("Spike alert marked as seen; no crisis opened."))
    elif alert.crisis_id is not None:  # a colleague opened a crisis from it meanwhile
        messages.info(
            request, _("Crisis #%(number)d was opened from this spike alert meanwhile.") % {"number": alert.crisis_id}
        )
    return redirect("crises:board")


# --- Public, token-guarded pages --------------------------------------------------------------


def acknowledge(request, token: str):
    """The escalation email's link. GET shows a confirm button (mail scanners open links; they
    must not stop an escalation), POST acknowledges: for the agency, or, on a client contact's
    link, says the client has seen it (services.crisis_acknowledge_by_link)."""
    try:
        crisis, recipient_key = acknowledge_link_check(token)
    except signing.SignatureExpired:
        return render(request, "crises/refused.html", {"reason": _("This link has expired.")}, status=410)
    except signing.BadSignature:
        return render(request, "crises/refused.html", {"reason": _("This link is not valid.")}, status=400)
    done = False
    if request.method == "POST":
        services.crisis_acknowledge_by_link(crisis=crisis, recipient_key=recipient_key, now=timezone.now())
        done = True
    crisis.refresh_from_db()
    contact = notification_recipient_contact(crisis=crisis, recipient_key=recipient_key)
    return render(request, "crises/acknowledge.html", {"crisis": crisis, "contact": contact, "done": done})


def magic_link(request, draft_id: int, token: str):
    """One draft, one contact, one use: show the response and take the decision. In the contact's
    language (that of their emails), not their browser's: they are not signed in, and may be reading
    on a colleague's or a company device; a token standing for no link keeps the browser's."""
    language = services.magic_link_language(token=token) or translation.get_language()
    with translation.override(language):
        response = _magic_link_page(request, draft_id, token)
    response.headers["Content-Language"] = language
    return response


def _magic_link_page(request, draft_id: int, token: str):
    now = timezone.now()
    try:
        link = services.approval_link_check(draft_id=draft_id, token=token, now=now)
    except MagicLinkRefused as error:
        return _magic_link_refused(request, error)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.approval_decide_by_link(
                draft_id=draft_id,
                token=token,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                now=now,
            )
        except CrisisError as error:  # the link was checked a moment earlier: a decision or a version came between
            return _magic_link_refused(request, error)
        return render(request, "crises/decided.html", {"decision": form.cleaned_data["decision"]})
    with timezone.override(link.draft.crisis.client.time_zone):  # the deadline in the client's time
        return render(
            request,
            "crises/magic_link.html",
            {
                "link": link,
                "draft": link.draft,
                "form": form,
                "linked": crisis_linked_items_newest(crisis=link.draft.crisis),  # what the response answers
            },
        )


def _magic_link_refused(request, error: CrisisError):
    """The refusal page; after "Send decision" it says outright that the decision did not count."""
    return render(
        request, "crises/refused.html", {"reason": str(error), "not_recorded": request.method == "POST"}, status=403
    )


# --- Client portal ----------------------------------------------------------------------------


def portal_contact_required(view):
    @client_contact_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        contact = portal_contact_for_user(user=request.user)
        if contact is None:
            raise Http404
        return view(request, contact, *args, **kwargs)

    return wrapped


@portal_contact_required
def portal_list(request, contact):
    return render(
        request,
        "crises/portal_list.html",
        {
            "contact": contact,
            "crises": crisis_list_for_user(user=request.user)[:50],
            "awaiting": portal_drafts_awaiting(contact=contact),
            "nav": "portal_crises",
        },
    )


def _portal_detail_page(request, contact, crisis: Crisis, form: PortalDecisionForm | None = None):
    draft, *earlier_drafts = list(crisis_drafts_for_client(crisis=crisis)) or [None]
    return render(
        request,
        "crises/portal_detail.html",
        {
            "contact": contact,
            "crisis": crisis,
            "draft": draft,
            "may_decide": draft is not None and services.draft_may_decide(draft=draft, contact=contact),
            "earlier_drafts": earlier_drafts,
            "form": form or PortalDecisionForm(initial={"draft": draft.pk if draft else None}),
            "linked": crisis_linked_items_newest(crisis=crisis),  # what the response answers
            "nav": "portal_crises",
        },
    )


@portal_contact_required
def portal_awaiting(request, contact):
    """The drafts awaiting the contact's client's decision: loaded into the portal's start page."""
    return render(request, "crises/_portal_awaiting.html", {"awaiting": portal_drafts_awaiting(contact=contact)})


@portal_contact_required
def portal_detail(request, contact, crisis_id: int):
    return _portal_detail_page(request, contact, crisis_get_for_user(user=request.user, crisis_id=crisis_id))


@portal_contact_required
@require_POST
def portal_decide(request, contact, crisis_id: int):
    """The decision applies to the version the contact read; if a newer one came meanwhile, the
    service refuses it (that version is no longer awaiting approval)."""
    crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
    form = PortalDecisionForm(request.POST)
    if not form.is_valid():
        return _portal_detail_page(request, contact, crisis, form)
    draft = get_object_or_404(crisis_drafts_for_client(crisis=crisis), pk=form.cleaned_data["draft"])
    try:
        services.approval_decide(
            draft=draft,
            contact=contact,
            decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
            via=Approval.Via.PORTAL,
            now=timezone.now(),
        )
        messages.success(request, _("Thank you, your decision is recorded."))
    except CrisisError as error:
        messages.error(request, str(error))
    return redirect("crises:portal_detail", crisis_id=crisis.pk)


@portal_contact_required
@require_POST
def portal_acknowledge(request, contact, crisis_id: int):
    crisis = crisis_get_for_user(user=request.user, crisis_id=crisis_id)
    services.crisis_client_seen(crisis=crisis, contact=contact, via=ClientSeenVia.PORTAL, now=timezone.now())
    messages.success(request, _("Thank you, the agency knows you have seen it."))
    return redirect("crises:portal_detail", crisis_id=crisis.pk)
