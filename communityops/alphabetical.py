"""Names in the order German readers expect: "Ärztekammer" beside "Arztpraxis", not after "Zoo".

PostgreSQL compares text by its collation, and the databases CommunityOps runs on have none that
knows German: the embedded one is C.UTF-8 and has no ICU collations, so "Ä" sorts after "z" and
every capital before every small letter. Both helpers compare without accents and case (as in
DIN 5007-1, where "ä" counts as "a" and "ß" as "ss"): `alphabetical` in a query, `alphabetical_key` for rows
already in Python. Where two names differ only in accents or case, add the field itself to break
the tie.
"""

import unicodedata

from django.db.models import Func, OrderBy, TextField

# Unicode's combining diacritical marks: what NFD splits off "ä", "é", "ñ".
_COMBINING_MARKS = range(0x0300, 0x0370)


class AlphabeticalKey(Func):
    """The text without accents, in small letters (computed by PostgreSQL, like alphabetical_key)."""

    template = (
        f"replace(lower(regexp_replace(normalize(%(expressions)s, NFD), "
        f"'[' || chr({_COMBINING_MARKS.start}) || '-' || chr({_COMBINING_MARKS.stop - 1}) || ']', '', 'g')), "
        f"chr({ord('ß')}), 'ss')"
    )
    output_field = TextField()


def alphabetical(field: str) -> OrderBy:
    """An ordering term: `order_by(alphabetical("name"), "name")`, or in a model's Meta.ordering."""
    return AlphabeticalKey(field).asc()


def alphabetical_key(text: str) -> str:
    """The sort key of a name in Python, the same as AlphabeticalKey's."""
    unmarked = "".join(char for char in unicodedata.normalize("NFD", text) if ord(char) not in _COMBINING_MARKS)
    return unmarked.lower().replace("ß", "ss")
