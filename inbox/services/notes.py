"""Internal notes: agents see them, the platform never does."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communityops.models import User

from ..models import ItemEvent, ItemNote
from .claims import item_for_update
from .errors import InboxActionError

# A double submit (a double click, a form sent again after a slow answer, an API call retried) comes
# within seconds; the same words written again on purpose later are a new note. A minute tells them
# apart without swallowing a deliberate repeat.
NOTE_REPEAT_WINDOW = timedelta(seconds=60)


@transaction.atomic
def item_note_add(*, acting_user: User, item_id: int, text: str, now: datetime | None = None) -> ItemNote:
    """Any staff member who may see the item can add a note; no lease needed. Emits NOTE_ADDED.

    The same text from the same author on the same item within NOTE_REPEAT_WINDOW is a repeat:
    the note already stored is returned and nothing is written. Checked under the item's row lock,
    so two submits at once store one note. `now` is the time the window ends at (tests set it); a
    new note's created_at is the time it is written, as always.
    """
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise InboxActionError(message=_("A note needs text."))
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    repeated = (
        ItemNote.objects.filter(item=item, author=acting_user, text=text, created_at__gt=now - NOTE_REPEAT_WINDOW)
        .order_by("-pk")
        .first()
    )
    if repeated is not None:
        return repeated
    note = ItemNote.objects.create(item=item, author=acting_user, text=text)
    ItemEvent.objects.create(item=item, actor=acting_user, kind=ItemEvent.Kind.NOTE_ADDED, data={"note_id": note.pk})
    return note
