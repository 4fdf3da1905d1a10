"""Client slugs as German readers spell a name without umlauts: "Ährenfeld" → "aehrenfeld".

Django's slugify (and the admin's URLify, which prefills the slug as the name is typed) drop the
dots: "ahrenfeld". Here ä, ö, ü become ae, oe, ue and ß ss first, then Django's rule does the rest.
static/js/admin_slugs.js applies the same letters to the admin's prefill (a browser test compares
both). Slugs are in links: an existing client's slug is never made again.
"""

import unicodedata

from django.utils.text import slugify

GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"})


def slug_from_name(name: str, *, max_length: int) -> str:
    """The slug of a name, cut to max_length like the admin's prefill (no hyphen left at the end)."""
    spelled_out = unicodedata.normalize("NFC", name).translate(GERMAN_LETTERS)  # "a" + "¨" is "ä" too
    return slugify(spelled_out)[:max_length].rstrip("-")
