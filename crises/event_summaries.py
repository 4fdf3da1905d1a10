"""Crisis events in words, in the reader's language and time zone.

The services store each event's details as data (crises.services, crises.escalation): they are
part of the API's timeline and stay as written whoever reads them. The crisis page shows them
through event_summary, which knows each kind's data; a kind without details reads as nothing.
A spike alert's counts read the same way on the board, its page and the client's report
(spike_alert_counts), and so do the linked items a publish could not answer (unanswerable_in_words).
"""

from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext, pgettext

from inbox.selectors import ReplyRefusal

from .models import Approval, ClientSeenVia, Crisis, CrisisEvent, SpikeAlert, notification_channel_in_a_sentence
from .selectors import Unanswerable


def event_summary(event: CrisisEvent) -> str:
    """The event's details in words, for the timeline (data stays as the services wrote it)."""
    data, kind = event.data, CrisisEvent.Kind
    version = {"version": data.get("version", "")}
    if event.kind == kind.OPENED:
        return gettext("“%(title)s”, severity %(severity)s, owner %(owner)s") % data
    if event.kind == kind.STATUS_CHANGED:
        statuses = dict(Crisis.Status.choices)
        return f"{statuses.get(data.get('from'), data.get('from'))} → {statuses.get(data.get('to'), data.get('to'))}"
    if event.kind in (kind.ITEMS_LINKED, kind.PUBLISHED, kind.HOLDING_PUBLISHED):
        count = len(data.get("item_ids", []))
        items = ngettext("%(count)d item", "%(count)d items", count) % {"count": count}
        if event.kind == kind.ITEMS_LINKED:
            return items
        if event.kind == kind.PUBLISHED:
            said = gettext("version %(version)s to %(items)s") % {**version, "items": items}
        else:
            said = gettext("“%(statement)s” to %(items)s") % {"statement": data.get("statement", ""), "items": items}
        if not data.get("not_sent"):
            return said
        not_sent = Unanswerable(counts=data["not_sent"], channels_cannot_reply=data.get("channels_cannot_reply", []))
        return gettext("%(sent)s; not sent: %(reasons)s") % {"sent": said, "reasons": unanswerable_in_words(not_sent)}
    if event.kind == kind.STEP_FIRED and data.get("fallback"):
        said = gettext("no escalation policy applies: by %(channel)s to %(recipients)s") % {
            "channel": notification_channel_in_a_sentence(data.get("channel", "")),
            "recipients": ", ".join(data.get("recipients", [])) or gettext("nobody"),
        }
        if data.get("round", 1) > 1:
            return gettext("reminder %(number)s, not acknowledged yet: %(alert)s") % {
                "number": data["round"] - 1,
                "alert": said,
            }
        return said
    if event.kind in (kind.STEP_FIRED, kind.STEP_SKIPPED):
        due_at = parse_datetime(data.get("due_at", ""))
        values = {
            "position": data.get("position", ""),
            "channel": notification_channel_in_a_sentence(data.get("channel", "")),
            "recipients": ", ".join(data.get("recipients", [])),
            "due": date_format(timezone.localtime(due_at), "H:i:s") if due_at else "—",
            "name": data.get("client_seen_by", ""),
        }
        if event.kind == kind.STEP_SKIPPED:
            return (
                gettext(
                    "step %(position)s, due %(due)s: it alerts only the client's contacts, and the client has seen the crisis"
                )
                % values
            )
        said = gettext("step %(position)s by %(channel)s to %(recipients)s, due %(due)s") % values
        if data.get("client_seen_by"):
            return said + gettext("; not to the client's contacts: %(name)s (client) has seen the crisis") % values
        return said
    if event.kind == kind.CLIENT_SEEN:
        return gettext("%(via)s: the client's contacts are not alerted again, the agency's steps go on") % {
            "via": dict(ClientSeenVia.choices).get(data.get("via"), data.get("via", ""))
        }
    if event.kind == kind.NOTIFICATION_SENT:
        return gettext("to %(recipient)s") % data
    if event.kind == kind.NOTIFICATION_FAILED and data.get("refused"):
        return gettext("to %(recipient)s: not sent, not a contact of this crisis's client") % data
    if event.kind == kind.NOTIFICATION_FAILED:
        return gettext("to %(recipient)s: %(error)s") % data
    if event.kind == kind.DRAFT_SUBMITTED:
        return gettext("version %(version)s to %(approvers)s") % {
            **version,
            "approvers": ", ".join(data.get("approvers", [])),
        }
    if event.kind == kind.APPROVAL_DECIDED:
        decided = {
            Approval.Decision.APPROVE: pgettext("a client's decision on a response", "approved"),
            Approval.Decision.REJECT: pgettext("a client's decision on a response", "rejected"),
        }
        said = gettext("version %(version)s: %(decision)s (%(via)s)") % {
            **version,
            "decision": decided.get(data.get("decision"), data.get("decision")),
            "via": dict(Approval.Via.choices).get(data.get("via"), data.get("via")),
        }
        if not data.get("comment"):
            return said
        # The quotation marks of the reader's language: „…“ in German, “…” in English.
        return f"{said}: " + gettext("“%(comment)s”") % {"comment": data["comment"]}
    if event.kind == kind.APPROVAL_REMINDER:
        return gettext("version %(version)s: %(contacts)s") % {
            **version,
            "contacts": ", ".join(data.get("contacts", [])),
        }
    if event.kind in (kind.FALLBACK_APPROVER, kind.APPROVAL_LINK_RESENT):
        return gettext("version %(version)s: %(contact)s") % {**version, "contact": data.get("contact", "")}
    if event.kind == kind.DRAFT_CREATED:
        return gettext("version %(version)s") % version
    return ""


def spike_alert_counts(
    *, kind: str, observed: int, baseline: float, window_start: datetime, window_end: datetime
) -> str:
    """A spike alert's counts as a shift lead or a client reads them: "32 in one hour, usually about 1"
    for a volume spike (baseline: what the same hour of past weeks had), "25 unanswered (threshold:
    25)" for the unanswered items (baseline: the threshold, counted at one moment)."""
    if kind == SpikeAlert.Kind.UNANSWERED:
        return gettext("%(observed)s unanswered (threshold: %(threshold)s)") % {
            "observed": number_format(observed),
            "threshold": number_format(round(baseline)),
        }
    window_minutes = round((window_end - window_start).total_seconds() / 60)
    usual = round(baseline, 1)
    values = {
        "observed": number_format(observed),
        "usual": number_format(usual, decimal_pos=0 if usual == int(usual) else 1),
        "minutes": window_minutes,
    }
    if window_minutes == 60:
        return gettext("%(observed)s in one hour, usually about %(usual)s") % values
    return gettext("%(observed)s in %(minutes)s minutes, usually about %(usual)s") % values


def unanswerable_in_words(unanswerable: Unanswerable) -> str:
    """Why linked items are not answered, each reason with its count: "2 items on a channel that cannot
    reply (Reviews), to be answered on the platform, 1 item hidden" (the publish's message, the crisis
    page, the timeline)."""
    counts, channels = unanswerable.counts, unanswerable.channels_cannot_reply
    words = []
    if count := counts.get(ReplyRefusal.CHANNEL_CANNOT_REPLY):
        items = ngettext("%(count)d item", "%(count)d items", count) % {"count": count}
        where = ngettext(
            "on a channel that cannot reply (%(channels)s), to be answered on the platform",
            "on channels that cannot reply (%(channels)s), to be answered on the platform",
            len(channels),
        ) % {"channels": ", ".join(channels)}
        words.append(f"{items} {where}")
    if count := counts.get(ReplyRefusal.HIDDEN):
        words.append(ngettext("%(count)d item hidden", "%(count)d items hidden", count) % {"count": count})
    if count := counts.get(ReplyRefusal.SPAM):
        words.append(
            ngettext("%(count)d item marked as spam", "%(count)d items marked as spam", count) % {"count": count}
        )
    if count := counts.get(ReplyRefusal.REMOVED):
        words.append(
            ngettext("%(count)d item removed on the platform", "%(count)d items removed on the platform", count)
            % {"count": count}
        )
    if count := counts.get(ReplyRefusal.TOO_LONG):
        words.append(
            ngettext(
                "%(count)d item where the text is longer than a reply there may be",
                "%(count)d items where the text is longer than a reply there may be",
                count,
            )
            % {"count": count}
        )
    if count := counts.get(ReplyRefusal.ERASED):
        words.append(
            ngettext(
                "%(count)d item whose author's data was erased", "%(count)d items whose authors' data was erased", count
            )
            % {"count": count}
        )
    return "; ".join(words)
