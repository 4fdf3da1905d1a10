"""Item events in words, in the reader's language.

The services store each event's details as data (inbox.services.claims, .assignment): they are
part of the API's timeline and stay as written whoever reads them. The composer's timeline shows
them through event_summary, which knows the kinds with details worth a phrase; any other kind
reads as nothing.
"""

from django.utils.translation import gettext

from .models import ItemEvent


def event_summary(event: ItemEvent) -> str:
    """The event's details in words, for the timeline (data stays as the services wrote it)."""
    if event.kind == ItemEvent.Kind.ASSIGNED and event.data.get("assignee_name"):
        name = {"name": event.data["assignee_name"]}
        if event.data.get("mode") == "manual":
            return gettext("handed over to %(name)s") % name
        return gettext("assigned to %(name)s") % name
    return ""
