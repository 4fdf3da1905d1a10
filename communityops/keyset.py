"""Keyset paging's cursors: a page goes on after the last row's (time, rank, id) instead of at an
OFFSET, so a page deep in a million rows costs what the first does and rows arriving meanwhile do
not shift the pages. The cursor is opaque to API clients: the last row's time and rank (each empty
where the list is not ordered by one; the inbox's queue uses both: due time, then priority) and id,
base64-encoded."""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime


class InvalidCursor(ValueError):
    """A cursor that names no position in this list: altered, of another list, or of an earlier
    format (one kept in a browser or a client across a deploy that changed it). The API answers
    400 with the message; the inbox's queue starts again from the top and says so."""

    def __init__(self) -> None:
        super().__init__(
            "Invalid cursor (altered, of another list, or from before an update): "
            "request the first page again, without a cursor."
        )


@dataclass(frozen=True)
class Cursor:
    at: datetime | None
    rank: int | None
    pk: int


def cursor_encode(*, at: datetime | None, pk: int, rank: int | None = None) -> str:
    """The cursor after a row; at=None leaves the time empty (an undated row, or a list keyed by id
    alone), rank=None the rank."""
    text = f"{at.isoformat() if at else ''}|{'' if rank is None else rank}|{pk}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def cursor_decode(cursor: str) -> Cursor:
    """The position a cursor from cursor_encode names; InvalidCursor for anything else."""
    try:
        at_text, rank_text, id_text = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        at = parse_datetime(at_text) if at_text else None
        if at_text and (at is None or at.tzinfo is None):  # ours always carry their offset
            raise ValueError(at_text)
        return Cursor(at=at, rank=int(rank_text) if rank_text else None, pk=int(id_text))
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise InvalidCursor() from error
