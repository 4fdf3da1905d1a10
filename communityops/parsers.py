"""DRF's request parsers, hardened against hostile bodies."""

import re

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# A UTF-16 surrogate left alone once the JSON is parsed: its escape ("\ud800") had no pair.
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; JSON nested deeper than Python's recursion limit is a 400, not a 500, and
    the refusal is in the request's language (DRF's own "JSON parse error - ..." is English only).
    A lone surrogate is refused too: no field would store it, and an error message that quoted it
    (a choice field's '"…" is not a valid choice') could not be encoded, a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The body is not valid JSON: it is nested too deeply.")) from error
        except ParseError as error:
            reason = str(error.detail).removeprefix("JSON parse error - ")
            raise ParseError(_("The body is not valid JSON (%(reason)s).") % {"reason": reason}) from error
        if _lone_surrogate_in(data):
            raise ParseError(_("The body is not valid JSON: it escapes half of a character (a lone surrogate)."))
        return data


def _lone_surrogate_in(data) -> bool:
    pending = [data]  # a stack, not recursion: the data may be nested nearly as deep as the parser allows
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not value.isascii() and _SURROGATE.search(value):
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False
