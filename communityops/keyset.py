"""Keyset paging's cursors: a page goes on after the last row's (time, id) instead of at an OFFSET,
so a page deep in a million rows costs what the first does and rows arriving meanwhile do not shift
the pages. The cursor is opaque to API clients: the last row's time (empty for lists in id order
alone) and id, base64-encoded."""

import base64
import binascii
from datetime import datetime

from django.utils.dateparse import parse_datetime


class InvalidCursor(ValueError):
    pass


def cursor_encode(*, at: datetime | None, pk: int) -> str:
    """The cursor after a row; at=None leaves the time empty (an undated row, or a list keyed by id alone)."""
    return base64.urlsafe_b64encode(f"{at.isoformat() if at else ''}|{pk}".encode()).decode()


def cursor_decode(cursor: str) -> tuple[datetime | None, int]:
    """(time, id) of a cursor from cursor_encode; InvalidCursor for anything else."""
    try:
        at_text, _bar, id_text = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        at = parse_datetime(at_text) if at_text else None
        if at_text and (at is None or at.tzinfo is None):  # ours always carry their offset
            raise ValueError(at_text)
        return at, int(id_text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor("invalid cursor") from error
