"""Triage reasons in the reader's language.

Triage stores its reasons in English (inbox.services.triage, inbox.sentiment.spam): they are part
of the API and the item's timeline, and stay the same whoever reads them. Pages show them through
reason_shown, which knows each reason's shape; one it does not know is shown as stored.
"""

import re

from django.utils.translation import gettext_lazy as _

# (pattern of the stored reason, its wording with the pattern's named groups as placeholders)
_REASONS = [
    (r"key account", _("key account")),
    (r"influencer", _("influencer")),
    (r"angry", _("angry")),
    (r"alert keyword: (?P<words>.+)", _("alert keyword: %(words)s")),
    (
        r"spam: learned from team decisions \((?P<score>[-+][\d.]+)\)",
        _("spam: learned from the team's decisions (%(score)s)"),
    ),
    (r"spam: (?P<count>\d+) link\(s\)", _("spam: %(count)s link(s)")),
    (r"spam: link shortener", _("spam: link shortener")),
    (r"spam: suspicious link domain", _("spam: suspicious link domain")),
    (r"spam: repeated characters", _("spam: repeated characters")),
    (r"spam: all capitals", _("spam: all capitals")),
    (r"spam: phone number", _("spam: phone number")),
    (r"spam: money/crypto wording", _("spam: money or crypto wording")),
    (r"spam: contact-me phrase", _("spam: contact-me phrase")),
    (r"spam: account younger than 7 days", _("spam: account younger than 7 days")),
    (r"spam: empty account", _("spam: empty account")),
    (
        r"fake: coordinated, similar text from (?P<count>\d+) other authors in the last hour",
        _("AI fake? coordinated: similar text from %(count)s other authors in the last hour"),
    ),
    (
        r"fake: near-duplicate of another author's text in the last hour",
        _("AI fake? near-duplicate of another author's text in the last hour"),
    ),
    (r"fake: generic glowing phrasing \((?P<words>.+)\)", _("AI fake? generic glowing phrasing (%(words)s)")),
    (r"fake: praise from a new or empty account", _("AI fake? praise from a new or empty account")),
    (
        r"likely spam: low priority, left for an agent to decide",
        _("likely spam: low priority, left for an agent to decide"),
    ),
    (
        r"likely fake praise: low priority, left for an agent to decide",
        _("likely fake praise: low priority, left for an agent to decide"),
    ),
]
_COMPILED = [(re.compile(pattern), wording) for pattern, wording in _REASONS]


def reason_shown(reason: str) -> str:
    """The stored reason in the active language."""
    for pattern, wording in _COMPILED:
        match = pattern.fullmatch(reason)
        if match:
            return str(wording) % match.groupdict() if match.groupdict() else str(wording)
    return reason
