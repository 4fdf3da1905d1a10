"""DRF's request parsers, hardened against hostile bodies."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; JSON nested deeper than Python's recursion limit is a 400, not a 500, and
    the refusal is in the request's language (DRF's own "JSON parse error - ..." is English only)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The body is not valid JSON: it is nested too deeply.")) from error
        except ParseError as error:
            reason = str(error.detail).removeprefix("JSON parse error - ")
            raise ParseError(_("The body is not valid JSON (%(reason)s).") % {"reason": reason}) from error
