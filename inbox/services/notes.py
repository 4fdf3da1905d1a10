"""Internal notes: agents see them, the platform never does."""

from django.db import transaction
from django.utils.translation import gettext as _

from communityops.models import User

from ..models import ItemEvent, ItemNote
from .claims import item_for_update
from .errors import InboxActionError


@transaction.atomic
def item_note_add(*, acting_user: User, item_id: int, text: str) -> ItemNote:
    """Any staff member who may see the item can add a note; no lease needed. Emits NOTE_ADDED."""
    text = text.strip()
    if not text:
        raise InboxActionError(message=_("A note needs text."))
    item = item_for_update(acting_user=acting_user, item_id=item_id)
    note = ItemNote.objects.create(item=item, author=acting_user, text=text)
    ItemEvent.objects.create(item=item, actor=acting_user, kind=ItemEvent.Kind.NOTE_ADDED, data={"note_id": note.pk})
    return note
