"""The crisis side of erasing an author's data (inbox.services.erasure, GDPR Art. 17).

A crisis the author's items were linked to may name them: in its title, its post-mortem, the
response drafts (and their per-platform versions), the client contacts' approval comments, the
timeline's copies of the title and the comments, and the published response's copies as replies
to every linked item, other people's too. Their name and handle are replaced there as in the
agency's replies; the crisis itself, its links and who did what stay. Registered in CrisesConfig.ready().
"""

from collections.abc import Callable

from communityops.models import Client
from inbox.services.erasure import reply_texts_redact

from .lock_objects import crisis_qs_select_for_update
from .models import Approval, Crisis, CrisisEvent, CrisisItem, ResponseDraft

# The timeline entries that copy a text someone typed (OPENED: the title; APPROVAL_DECIDED: the comment).
_EVENT_TEXT_KEYS = ("title", "comment")


def crisis_texts_redact(*, client: Client, item_ids: list[int], redact: Callable[[str], str]) -> None:
    """In the erasure's transaction, before it locks the items (a crisis is locked before its items,
    as when a response is published): the client's crises linking any of these items are locked,
    then their texts written back where redacting changed them."""
    crises = list(
        crisis_qs_select_for_update().filter(
            client=client, pk__in=Crisis.objects.filter(crisis_items__item_id__in=item_ids).values("pk")
        )
    )
    if not crises:
        return
    for crisis in crises:
        _fields_redact(crisis, ("title", "post_mortem"), redact)
    for draft in ResponseDraft.objects.filter(crisis__in=crises):
        _fields_redact(draft, ("text",), redact)
        # The per-platform versions of the response are texts the agency typed as well.
        platform_texts = {platform: redact(text) for platform, text in draft.platform_texts.items()}
        if platform_texts != draft.platform_texts:
            ResponseDraft.objects.filter(pk=draft.pk).update(platform_texts=platform_texts)
    for approval in Approval.objects.filter(draft__crisis__in=crises).exclude(comment=""):
        _fields_redact(approval, ("comment",), redact)
    # The response went out to every linked item, other people's too: those replies name the author as well.
    reply_texts_redact(
        item_ids=list(CrisisItem.objects.filter(crisis__in=crises).values_list("item_id", flat=True)), redact=redact
    )
    for event in CrisisEvent.objects.filter(crisis__in=crises, data__has_any_keys=_EVENT_TEXT_KEYS):
        data = {
            key: redact(value) if key in _EVENT_TEXT_KEYS and isinstance(value, str) else value
            for key, value in event.data.items()
        }
        if data != event.data:
            CrisisEvent.objects.filter(pk=event.pk).update(data=data)


def _fields_redact(row, fields: tuple[str, ...], redact: Callable[[str], str]) -> None:
    changed = {field: redact(getattr(row, field)) for field in fields}
    changed = {field: text for field, text in changed.items() if text != getattr(row, field)}
    if changed:
        type(row).objects.filter(pk=row.pk).update(**changed)
