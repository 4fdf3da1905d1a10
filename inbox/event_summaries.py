"""Item events in words, in the reader's language.

The services store each event's details as data (inbox.services.claims, .assignment, .outbox,
.moderation): they are part of the API's timeline and stay as written whoever reads them. The
composer's timeline shows them through timeline_entries: what changed (status from -> to, which
action, which tags), whose claim ended, and why. The reasons the services write themselves are
shown in the reader's language; a reason an agent typed is shown as typed.
"""

from collections.abc import Iterable
from datetime import datetime

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from communityops.models import User
from communityops.selectors import users_by_id

from .models import Item, ItemEvent, OutboundAction

# The reasons the services store in English (their callers' fixed words), as readers see them.
_SERVICE_REASONS = {
    "skipped": _("skipped"),
    "offline": _("went offline"),
    "reply could not be sent": _("the reply could not be sent"),
    "moderation failed on the platform": _("the moderation failed on the platform"),
    "no answer needed": _("no answer needed"),
    "not spam": _("not spam"),
    "campaign": _("campaign"),
    "edited on the platform": _("edited on the platform"),
    "approved on the blog": _("approved on the blog"),
    "removed on Facebook": _("removed on Facebook"),
    "the comment it replies to was removed": _("the comment it replies to was removed"),
    "the post was removed": _("the post was removed"),
    "deleted at the source": _("deleted at the source"),
    "put on the key-account list": _("put on the key-account list"),
    "taken off the key-account list": _("taken off the key-account list"),
}
_HOLDER_KEYS = ("previous_holder_id", "expired_holder_id")


def _reason(data: dict) -> str:
    reason = data.get("reason") or ""
    return str(_SERVICE_REASONS.get(reason, reason))


def _label(choices, value) -> str:
    """A choice's label in the reader's language; a value no longer among the choices as stored."""
    return str(dict(choices.choices).get(value, value or "?"))


def _person(people: dict[int, User], user_id) -> str:
    user = people.get(user_id)
    return str(user) if user is not None else gettext("a former user")


def _details(event: ItemEvent, people: dict[int, User]) -> list[str]:
    data, kind = event.data or {}, event.kind
    if kind == ItemEvent.Kind.ASSIGNED and data.get("assignee_name"):
        name = {"name": data["assignee_name"]}
        if data.get("mode") == "manual":
            return [gettext("handed over to %(name)s") % name]
        return [gettext("assigned to %(name)s") % name]
    if kind == ItemEvent.Kind.CLAIMED and data.get("expired_holder_id"):
        name = _person(people, data["expired_holder_id"])
        return [gettext("after the lease of %(name)s ran out") % {"name": name}]
    if kind == ItemEvent.Kind.RELEASED and data.get("previous_holder_id") == event.actor_id:
        return []  # the holder let it go: the timeline names them as the actor already
    if kind in (ItemEvent.Kind.RELEASED, ItemEvent.Kind.TAKEN_OVER) and data.get("previous_holder_id"):
        return [gettext("from %(name)s") % {"name": _person(people, data["previous_holder_id"])}]
    if kind == ItemEvent.Kind.LEASE_EXPIRED and data.get("previous_holder_id"):
        return [gettext("held by %(name)s") % {"name": _person(people, data["previous_holder_id"])}]
    if kind == ItemEvent.Kind.STATUS_CHANGED and "to" in data:
        return [f"{_label(Item.Status, data.get('from'))} → {_label(Item.Status, data['to'])}"]
    if kind in (ItemEvent.Kind.ACTION_QUEUED, ItemEvent.Kind.SENT) and data.get("action"):
        action = _label(OutboundAction.Kind, data["action"])
        return [gettext("%(action)s, retried by hand") % {"action": action} if data.get("manual_retry") else action]
    if kind == ItemEvent.Kind.SEND_FAILED and data.get("action"):
        return [_failure(data), data.get("error", "")]
    if kind == ItemEvent.Kind.TAGGED:
        return [
            " ".join([*(f"+{tag}" for tag in data.get("added", [])), *(f"−{tag}" for tag in data.get("removed", []))])
        ]
    if kind == ItemEvent.Kind.AUTHOR_PROFILE_CHANGED and "is_key_account" in data:
        return [gettext("key account") if data["is_key_account"] else gettext("not a key account")]
    return []


def _failure(data: dict) -> str:
    action = _label(OutboundAction.Kind, data["action"])
    attempt = data.get("attempt") or 1
    if data.get("will_retry") and data.get("next_attempt_at"):
        at = date_format(localtime(datetime.fromisoformat(data["next_attempt_at"])), "TIME_FORMAT")
        return gettext("%(action)s, attempt %(attempt)s; next attempt at %(at)s") % {
            "action": action,
            "attempt": attempt,
            "at": at,
        }
    return ngettext(
        "%(action)s, given up after %(attempt)s attempt",
        "%(action)s, given up after %(attempt)s attempts",
        attempt,
    ) % {"action": action, "attempt": attempt}


def event_summary(event: ItemEvent, people: dict[int, User] | None = None) -> str:
    """The event's details in words: what changed, whose claim, why ("" when there is nothing to add)."""
    parts = [*_details(event, people or {}), _reason(event.data or {})]
    return " · ".join(part for part in parts if part)


def timeline_entries(events: Iterable[ItemEvent]) -> list[tuple[ItemEvent, str]]:
    """Each event with its summary; the people the events name are read in one query."""
    events = list(events)
    holder_ids = {event.data[key] for event in events for key in _HOLDER_KEYS if (event.data or {}).get(key)}
    people = users_by_id(ids=holder_ids)
    return [(event, event_summary(event, people)) for event in events]
