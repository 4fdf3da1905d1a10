"""The agent inbox pages. Thin: parse, call one service or selector, render.

Every POST redirects back to the item (303); under HTMX the redirect is followed and
the workspace fragment is swapped in, so the same views serve both.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from communityops.forms import whole_number
from communityops.health import tasks_stalled_minutes
from communityops.keyset import InvalidCursor
from communityops.permissions import agency_staff_required, shift_lead_required
from communityops.selectors import channel_queryset_for_user, client_list_for_user, guideline_list_for_client

from .connectors import connector_class
from .event_summaries import timeline_entries
from .models import AuthorTier, Item, ItemEvent, OutboundAction
from .selectors import (
    ItemFilters,
    author_history_for_item,
    canned_responses_for_item,
    channel_can_reply,
    client_queue_counts,
    colleagues_for_item,
    item_claim_state,
    item_detail_for_user,
    item_get_for_user,
    item_list_for_user,
    item_moderation_kinds,
    item_outbound_actions,
    item_page,
    outbound_poll_seconds,
    presence_shift_ended,
    queue_holder_for_user,
)
from .services.assignment import item_assign, presence_end_shift, presence_start_shift
from .services.author_profiles import NOTES_MAX_LENGTH, author_profile_update
from .services.claims import item_claim, item_claim_next, item_heartbeat, item_release, item_take_over, lease_duration
from .services.erasure import REFERENCE_MAX_LENGTH as ERASURE_REFERENCE_MAX_LENGTH
from .services.erasure import author_erase
from .services.errors import InboxActionError, ItemRemovedOnPlatform, ReplyConflict
from .services.moderation import (
    item_close,
    item_mark_not_spam,
    item_moderate,
    item_tags_change,
    items_hide_near_duplicates,
)
from .services.notes import item_note_add
from .services.outbox import item_reply

QUEUE_PAGE_SIZE = 25  # a screenful and more; "Load more" and the keyboard fetch the next
# The live refresh asks for as many rows as the agent has loaded (so "Load more" pages stay), up to this.
QUEUE_REFRESH_MAX_ROWS = 200

CLOSE_ACTION = "close"
MODERATION_SHORTCUTS = {CLOSE_ACTION: "x", OutboundAction.Kind.HIDE: "h", OutboundAction.Kind.SPAM: "s"}


def _moderation_buttons(moderation_kinds: list[str]) -> list[tuple[str, str, str]]:
    """(action, label, shortcut) for the composer: close, plus what the channel can do."""
    labels = {CLOSE_ACTION: gettext_lazy("Close, no answer needed"), **dict(OutboundAction.Kind.choices)}
    kinds = [CLOSE_ACTION, *moderation_kinds]
    return [(kind, labels[kind], MODERATION_SHORTCUTS.get(kind, "")) for kind in kinds]


# The queue's filters, as query parameters (the filter form's field names).
FILTER_PARAMETERS = ("client", "channel", "status", "priority", "tier", "tag", "q", "holder")
SEARCH_MAX_LENGTH = 100


def _chosen_filters(params) -> dict[str, str]:
    """The filters the agent has set, by parameter name: links and redirects carry only these."""
    return {name: value for name in FILTER_PARAMETERS if (value := params.get(name, "").strip())}


# The elements whose requests change the filters (the form's menus, the search field), by id;
# the live refresh and "Load more" send the same parameters but leave the address alone.
FILTER_TRIGGERS = ("queue-filters", "queue-search")
# The pages that show the queue; a filter change keeps the one the agent is on.
QUEUE_PAGES = ("inbox:queue", "inbox:item")


def _filtered_page_url(request) -> str:
    """The address of the page the agent is on with the filters now chosen: a reload or a shared
    link shows the same list. Any other page (a forged header) falls back to the queue."""
    path = (request.htmx.current_url_abs_path or "").split("?", 1)[0]
    try:
        on_queue_page = resolve(path).view_name in QUEUE_PAGES
    except Resolver404:
        on_queue_page = False
    chosen = urlencode(_chosen_filters(request.GET))
    page = path if on_queue_page else reverse("inbox:queue")
    return f"{page}?{chosen}" if chosen else page


def _filters_from(params) -> ItemFilters:
    def number(name):
        return whole_number(params.get(name, ""))

    status = params.get("status", "")
    tier = params.get("tier", "")
    return ItemFilters(
        client_id=number("client"),
        channel_id=number("channel"),
        statuses=(status,) if status in Item.Status.values else None,
        priority=number("priority"),
        tier=tier if tier in AuthorTier.values else None,
        tag=params.get("tag", "").strip() or None,
        search=params.get("q", "").strip()[:SEARCH_MAX_LENGTH] or None,
        holder_id=number("holder"),
    )


def _queue_context(request, *, filters: ItemFilters, cursor: str | None = None, rows: int = QUEUE_PAGE_SIZE) -> dict:
    queryset = item_list_for_user(user=request.user, filters=filters)
    restarted = False
    try:
        items, next_cursor = item_page(queryset=queryset, cursor=cursor, limit=rows)
    except InvalidCursor:  # "Load more" of a page loaded before a deploy changed the cursors: from the top
        items, next_cursor = item_page(queryset=queryset, cursor=None, limit=rows)
        cursor, restarted = None, True
    chosen = urlencode(_chosen_filters(request.GET))
    return {
        "items": items,
        "next_cursor": next_cursor,
        "cursor": cursor,
        "queue_restarted": restarted,
        "filters": filters,
        # An item opened from the queue keeps the filters in its address (reload, Back, a new tab).
        "item_link_query": f"?{chosen}" if chosen else "",
    }


def _workspace_context(request, item_id: int) -> dict:
    detail = item_detail_for_user(user=request.user, item_id=item_id)
    item = detail.item
    moderation_kinds = item_moderation_kinds(item=item)
    return {
        "detail": detail,
        # Each event with its details in words (inbox.event_summaries).
        "timeline": timeline_entries(detail.events),
        "claim": item_claim_state(item=item, user=request.user),
        "author_profile": detail.author_profile,
        "author_notes_max_length": NOTES_MAX_LENGTH,
        "erasure_reference_max_length": ERASURE_REFERENCE_MAX_LENGTH,
        "author_history": author_history_for_item(item=item, user=request.user),
        "guidelines": guideline_list_for_client(client=item.client),
        "canned_responses": canned_responses_for_item(item=item),
        "colleagues": colleagues_for_item(item=item, user=request.user),
        "moderation_kinds": moderation_kinds,
        "moderation_actions": _moderation_buttons(moderation_kinds),
        # A comment removed on the platform cannot be answered or moderated: the composer says why.
        "can_reply": channel_can_reply(channel=item.channel) and not item.removed_on_platform,
        "reply_max_length": connector_class(item.channel.platform).reply_max_length(),
        "removed_on_platform": ItemRemovedOnPlatform.default_message if item.removed_on_platform else "",
        # A third of the lease: two missed heartbeats (a slow network) still leave it live.
        "heartbeat_seconds": max(1, int(lease_duration().total_seconds()) // 3),
        "crisis_from_items_url": reverse("crises:from_items"),
        "crisis_links": list(item.crisis_links.select_related("crisis")),
        "selected_item_id": item.pk,
    }


def _page(request, *, item_id: int | None, workspace_extra: dict | None = None):
    filters = _filters_from(request.GET)
    context = {
        "nav": "inbox",
        # The filter menus need names only (no channel lists per client, no channel settings).
        "clients": client_list_for_user(user=request.user).prefetch_related(None).only("id", "name"),
        "channels": channel_queryset_for_user(user=request.user)
        .filter(is_active=True)
        .only("id", "name", "client__name"),  # in Channel's order: client, then name (alphabetical)
        "client_counts": None,  # loaded by the page itself (inbox:client_counts), after the queue
        "status_choices": Item.Status.choices,
        "priority_choices": Item.Priority.choices,
        "tier_choices": AuthorTier.choices,
        "filters_query": _chosen_filters(request.GET),
        # The colleague whose items the queue shows (the operations dashboard links here), by name.
        "holder": None
        if filters.holder_id is None
        else queue_holder_for_user(user=request.user, holder_id=filters.holder_id),
        # After "End shift" the agent stays offline until "Start shift" (the toolbar offers it).
        "shift_ended": presence_shift_ended(user=request.user),
        **_queue_context(request, filters=filters),
    }
    if item_id is not None:
        context.update(_workspace_context(request, item_id), **(workspace_extra or {}))
    return render(request, "inbox/queue.html", context)


@agency_staff_required
@require_GET
def queue(request):
    return _page(request, item_id=None)


@agency_staff_required
@require_GET
def queue_list(request):
    """The queue rows: a next page (cursor), or the first rows again for the live refresh.

    The refresh sends `rows`, how many rows the agent has loaded, so a list extended with
    "Load more" keeps its length (between one page and QUEUE_REFRESH_MAX_ROWS). A changed
    filter also puts the filters into the page's address (HX-Replace-Url). A cursor that names no
    position (one loaded before a deploy changed the format) gets the whole list from the top,
    with a note, in place of the list rather than of the "Load more" button.
    """
    cursor = request.GET.get("cursor") or None
    requested = whole_number(request.GET.get("rows", ""))
    rows = QUEUE_PAGE_SIZE
    if requested is not None and not cursor:
        rows = min(max(requested, QUEUE_PAGE_SIZE), QUEUE_REFRESH_MAX_ROWS)
    context = _queue_context(request, filters=_filters_from(request.GET), cursor=cursor, rows=rows)
    template = "inbox/_queue_list.html#rows" if context["cursor"] else "inbox/_queue_list.html"
    response = render(request, template, context)
    if context["queue_restarted"]:
        response["HX-Retarget"] = "#queue-list"
        response["HX-Reswap"] = "innerHTML"
    if request.htmx and request.htmx.trigger in FILTER_TRIGGERS and not cursor:
        # Replaced, not pushed: Back leaves the queue, not each filter step (htmx keeps its snapshot).
        response["HX-Replace-Url"] = _filtered_page_url(request)
    return response


@agency_staff_required
@require_GET
def client_counts(request):
    """The served clients' open counts and coverage, every 15 seconds; and a warning when the task queue
    is not worked (communityops.health): the queue then looks quiet because nothing new arrives."""
    context = {
        "client_counts": client_queue_counts(user=request.user),
        "tasks_stalled_minutes": tasks_stalled_minutes(now=timezone.now()),
    }
    return render(request, "inbox/_client_counts.html", context)


@agency_staff_required
@require_GET
def item(request, item_id: int):
    if request.htmx and not request.htmx.boosted:
        return render(request, "inbox/_workspace.html", _workspace_context(request, item_id))
    return _page(request, item_id=item_id)


@agency_staff_required
@require_GET
def claim_status(request, item_id: int):
    """Polled every few seconds by each open composer: the item alone, not its conversation."""
    item = item_get_for_user(user=request.user, item_id=item_id)
    return render(
        request, "inbox/_claim_status.html", {"item": item, "claim": item_claim_state(item=item, user=request.user)}
    )


@agency_staff_required
@require_GET
def outbound_actions(request, item_id: int):
    """Polled while something the agency sent for the item is not settled: its status, live."""
    item = item_get_for_user(user=request.user, item_id=item_id)
    actions = item_outbound_actions(item=item)
    context = {"item": item, "actions": actions, "poll_seconds": outbound_poll_seconds(actions)}
    return render(request, "inbox/_outbound_actions.html", context)


def _back_to_item(item_id: int):
    return redirect(reverse("inbox:item", args=[item_id]), permanent=False)


def _run(request, item_id: int, action, *, done: Callable[[Any], str | None] | None = None) -> HttpResponse:
    """Run one service call; an expected refusal becomes a message on the item, and so does
    `done(result)` when it went through (unless it has nothing to say: None)."""
    try:
        result = action()
    except InboxActionError as error:
        messages.error(request, error.message)
    else:
        if done is not None and (message := done(result)) is not None:
            messages.success(request, message)
    return _back_to_item(item_id)


@agency_staff_required
@require_POST
def claim_next(request):
    item = item_claim_next(acting_user=request.user, filters=_filters_from(request.POST))
    # The page comes back with the filters the agent works with.
    chosen = urlencode(_chosen_filters(request.POST))
    if item is None:
        messages.info(request, _("Nothing is waiting for you right now."))
        target = reverse("inbox:queue")
    else:
        target = reverse("inbox:item", args=[item.pk])
    return redirect(f"{target}?{chosen}" if chosen else target)


@agency_staff_required
@require_POST
def claim(request, item_id: int):
    return _run(request, item_id, lambda: item_claim(acting_user=request.user, item_id=item_id))


@agency_staff_required
@require_POST
def heartbeat(request, item_id: int):
    try:
        item_heartbeat(acting_user=request.user, item_id=item_id)
    except InboxActionError as error:
        return HttpResponse(str(error.message), status=409)
    return HttpResponse(status=204)


@agency_staff_required
@require_POST
def release(request, item_id: int):
    """The holder skips the item (u), or a shift lead gives a colleague's claim back to the queue (the
    composer's form sends an empty reason: the timeline says "from <holder>", not "skipped")."""
    reason = request.POST.get("reason", "skipped").strip()
    expected_holder_id = whole_number(request.POST.get("holder", ""))  # the holder the lead's page showed

    def released(previous_holder) -> str | None:
        if previous_holder is None or previous_holder == request.user:
            return None  # the workspace shows the item free: nothing more to say
        return _("%(name)s's claim was released: the item is back in the queue.") % {"name": previous_holder}

    return _run(
        request,
        item_id,
        lambda: item_release(
            acting_user=request.user, item_id=item_id, reason=reason, expected_holder_id=expected_holder_id
        ),
        done=released,
    )


@agency_staff_required
@require_POST
def take_over(request, item_id: int):
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Say why you take the item over."))
        return _back_to_item(item_id)
    return _run(request, item_id, lambda: item_take_over(acting_user=request.user, item_id=item_id, reason=reason))


@shift_lead_required
@require_POST
def author_erasure(request, item_id: int):
    if request.POST.get("confirm") != "on":
        messages.error(request, _("Confirm the erasure: it cannot be undone."))
        return _back_to_item(item_id)

    def erase() -> None:
        erasure = author_erase(acting_user=request.user, item_id=item_id, reference=request.POST.get("reference", ""))
        messages.success(
            request,
            ngettext(
                "The author's personal data at %(client)s was erased (%(count)d item).",
                "The author's personal data at %(client)s was erased (%(count)d items).",
                erasure.items_erased,
            )
            % {"client": erasure.client.name, "count": erasure.items_erased},
        )

    return _run(request, item_id, erase)


@agency_staff_required
@require_POST
def reply(request, item_id: int):
    text = request.POST.get("text", "")
    version = request.POST.get("conversation_version", "")
    try:
        item_reply(
            acting_user=request.user,
            item_id=item_id,
            text=text,
            loaded_at_event_id=whole_number(version) or 0,
        )
    except InboxActionError as error:
        # The text comes back with the reason, whatever refused it (a conflict, a lost lease).
        extra: dict = {"draft_text": text}
        if isinstance(error, ReplyConflict):
            labels = dict(ItemEvent.Kind.choices)
            extra["conflict_changes"] = [
                {**change, "label": labels.get(change["kind"], change["kind"])} for change in error.details["changes"]
            ]
        else:
            messages.error(request, error.message)
        if not request.htmx:
            return _page(request, item_id=item_id, workspace_extra=extra)
        # 200, not 409: htmx leaves error responses unswapped, and the agent would see nothing.
        return render(request, "inbox/_workspace.html", {**_workspace_context(request, item_id), **extra})
    # The tag tells the page to forget the draft it kept for this item (inbox.js).
    messages.success(request, _("Reply queued; it goes out through the channel now."), extra_tags="reply-sent")
    return _back_to_item(item_id)


@agency_staff_required
@require_POST
def moderate(request, item_id: int):
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    if action == CLOSE_ACTION:
        return _run(
            request,
            item_id,
            lambda: item_close(acting_user=request.user, item_id=item_id),
            done=lambda _item: _("Item closed; no answer needed."),
        )
    return _run(
        request,
        item_id,
        lambda: item_moderate(acting_user=request.user, item_id=item_id, action=action, reason=reason),
        done=lambda queued: (
            _("Queued: %(action)s. It goes out through the channel now.") % {"action": queued.get_kind_display()}
        ),
    )


@agency_staff_required
@require_POST
def not_spam(request, item_id: int):
    return _run(
        request,
        item_id,
        lambda: item_mark_not_spam(acting_user=request.user, item_id=item_id),
        done=lambda _item: _("Not spam after all: the item is back, and shown on the platform again where it can be."),
    )


@agency_staff_required
@require_POST
def note(request, item_id: int):
    text = request.POST.get("text", "").strip()
    if not text:
        messages.error(request, _("A note needs text."))
        return _back_to_item(item_id)
    return _run(request, item_id, lambda: item_note_add(acting_user=request.user, item_id=item_id, text=text))


@agency_staff_required
@require_POST
def end_shift(request):
    released = presence_end_shift(user=request.user)
    messages.success(
        request,
        ngettext(
            "Shift ended; %(count)d item went back to the queue.",
            "Shift ended; %(count)d items went back to the queue.",
            released,
        )
        % {"count": released},
    )
    return redirect("inbox:queue")


@agency_staff_required
@require_POST
def start_shift(request):
    presence_start_shift(user=request.user)
    messages.success(request, _("Shift started: you are online and can be given items."))
    return redirect("inbox:queue")


@agency_staff_required
@require_POST
def hide_duplicates(request, item_id: int):
    reason = request.POST.get("reason", "").strip()
    return _run(
        request,
        item_id,
        lambda: items_hide_near_duplicates(acting_user=request.user, item_id=item_id, reason=reason or "campaign"),
        done=lambda hidden: (
            ngettext(
                "%(count)d comment is being hidden (this one and its near-duplicates).",
                "%(count)d comments are being hidden (this one and its near-duplicates).",
                len(hidden),
            )
            % {"count": len(hidden)}
        ),
    )


@agency_staff_required
@require_POST
def assign(request, item_id: int):
    assignee_id = whole_number(request.POST.get("assignee", ""))
    if assignee_id is None:
        messages.error(request, _("Choose a colleague."))
        return _back_to_item(item_id)
    return _run(
        request,
        item_id,
        lambda: item_assign(acting_user=request.user, item_id=item_id, assignee_id=assignee_id),
        done=lambda handed: _("Handed over to %(name)s.") % {"name": handed.claimed_by},
    )


@agency_staff_required
@require_POST
def tags(request, item_id: int):
    add = [tag.strip() for tag in request.POST.get("add", "").split(",") if tag.strip()]
    remove = request.POST.getlist("remove")
    return _run(
        request, item_id, lambda: item_tags_change(acting_user=request.user, item_id=item_id, add=add, remove=remove)
    )


@agency_staff_required
@require_POST
def author_profile(request, item_id: int):
    def update() -> None:
        result = author_profile_update(
            acting_user=request.user,
            item_id=item_id,
            is_key_account=request.POST.get("is_key_account") == "on",
            notes=request.POST.get("notes", ""),
        )
        message = _("Author profile saved.")
        if result.triaged_again:
            count = len(result.triaged_again)
            message += " " + ngettext(
                "%(count)d open item of this author was triaged again.",
                "%(count)d open items of this author were triaged again.",
                count,
            ) % {"count": count}
        messages.success(request, message)

    return _run(request, item_id, update)
