"""Spam and AI-fake signals read from the text and the author alone (no database).

Each signal adds a weight and a reason an agent can read; the triage service adds what the
client's team has taught (per-client token statistics) and the near-duplicate check.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .analysis import text_tokens

_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+\.(?:com|net|org|de|ru|xyz|top|click|info|biz|io|ly|gl|me|shop|store|win|bid|loan)(?:/[^\s]*)?\b",
    re.IGNORECASE,
)
_LINK_SHORTENERS = frozenset(
    {
        "bit.ly",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "cutt.ly",
        "shorturl.at",
        "rb.gy",
        "tiny.cc",
        "t.ly",
        "rebrand.ly",
    }
)
_SUSPICIOUS_TLDS = (".ru", ".xyz", ".top", ".click", ".win", ".bid", ".loan", ".biz")
_REPEATED_CHARACTER_RE = re.compile(r"(.)\1{4,}")
_PHONE_RE = re.compile(r"(?:\+|00)\d{1,3}[\s/-]?\d{2,5}[\s/-]?\d{3,}|\b0\d{2,4}[\s/-]?\d{5,}\b|\b\d{9,}\b")
_MONEY_WORDS = frozenset(
    {
        "bitcoin",
        "btc",
        "crypto",
        "krypto",
        "kryptowährung",
        "ethereum",
        "usdt",
        "forex",
        "trading",
        "trader",
        "investment",
        "investieren",
        "invest",
        "profit",
        "gewinnspiel",
        "wallet",
        "nft",
        "airdrop",
        "casino",
        "loan",
        "kredit",
        "passiv",
        "passive",
    }
)
_CONTACT_PHRASES = (
    "dm me",
    "dm us",
    "message me",
    "text me",
    "write me",
    "contact me",
    "check my profile",
    "check my bio",
    "link in bio",
    "link in my bio",
    "follow me",
    "follow back",
    "click here",
    "click the link",
    "whatsapp",
    "telegram",
    "schreib mir",
    "schreibt mir",
    "melde dich",
    "meld dich",
    "folge mir",
    "folgt mir",
    "klick hier",
    "klickt hier",
    "link in der bio",
    "schau auf mein profil",
    "schaut auf mein profil",
    "free followers",
    "gratis follower",
    "earn money",
    "make money",
    "geld verdienen",
    "von zuhause",
    "from home",
    "du hast gewonnen",
    "you have won",
    "you won",
    "congratulations you",
    "herzlichen glückwunsch du",
)
_GLOWING_PHRASES = (
    "highly recommend",
    "exceeded my expectations",
    "exceeded all my expectations",
    "game changer",
    "game-changer",
    "top quality",
    "five stars",
    "5 stars",
    "10/10",
    "absolutely amazing",
    "recommend enough",
    "best purchase",
    "must-have",
    "must have",
    "fast-paced",
    "elevate",
    "seamless experience",
    "unparalleled",
    "look no further",
    "hands down",
    "i am beyond",
    "as an ai",
    "kann ich nur empfehlen",
    "absolut empfehlenswert",
    "uneingeschränkt empfehlen",
    "bester kauf",
    "hervorragende qualität",
    "rundum zufrieden",
    "übertrifft alle erwartungen",
    "übertraf meine erwartungen",
    "preis-leistungs-verhältnis",
    "klare kaufempfehlung",
    "5 sterne",
    "fünf sterne",
    "als ki",
    "100% zufrieden",
    "100 % zufrieden",
    "ein absolutes muss",
    "nur zu empfehlen",
    "volle punktzahl",
)
NEW_ACCOUNT_AGE = timedelta(days=7)


@dataclass
class TextSignals:
    spam_score: float = 0.0
    fake_score: float = 0.0
    reasons: list[str] = field(default_factory=list)


def text_links(text: str) -> list[str]:
    return _URL_RE.findall(text)


def _link_host(link: str) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", link.lower()).split("/", 1)[0]
    return host.split("?", 1)[0]


def spam_tokens(text: str, *, words: list[str] | None = None) -> list[str]:
    """The features per-client learning counts: words plus one pseudo-token per linked host.

    `words` are the text's text_tokens when the caller has them already; without links they are
    the words of the text without links, so it is not tokenised again."""
    links = text_links(text)
    if words is None or links:
        words = text_tokens(_URL_RE.sub(" ", text))
    hosts = {f"link:{_link_host(link)}"[:64] for link in links}
    if hosts:
        hosts.add("link:any")
    return sorted({token for token in words if 2 <= len(token) <= 40} | hosts)


@dataclass(frozen=True)
class TextReadSignals:
    """What text_signals reads from the text alone: the same for every copy of a text, so a batch
    reads it once per distinct text (the regular expressions and phrase lists cost the most)."""

    spam_score: float
    spam_reasons: tuple[str, ...]
    glowing: tuple[str, ...]  # the generic glowing phrases the text uses


def text_read_signals(text: str, *, words: list[str]) -> TextReadSignals:
    """The spam signals of the text (links, repeated characters, capitals, phone numbers, money
    words, contact-me phrases) and its glowing phrases; `words` are its text_tokens."""
    spam_score = 0.0
    reasons: list[str] = []

    def spam(weight: float, reason: str) -> None:
        nonlocal spam_score
        spam_score += weight
        reasons.append(reason)

    lowered = text.lower()
    links = text_links(text)
    if links:
        hosts = {_link_host(link) for link in links}
        spam(0.25 + min(0.1 * (len(links) - 1), 0.2), f"spam: {len(links)} link(s)")
        if hosts & _LINK_SHORTENERS:
            spam(0.3, "spam: link shortener")
        if any(host.endswith(_SUSPICIOUS_TLDS) for host in hosts):
            spam(0.15, "spam: suspicious link domain")
    if _REPEATED_CHARACTER_RE.search(text):
        spam(0.1, "spam: repeated characters")
    letters = list(filter(str.isalpha, text))  # map and filter loop in C, a generator per character does not
    if len(letters) >= 12 and sum(map(str.isupper, letters)) / len(letters) > 0.7:
        spam(0.1, "spam: all capitals")
    if _PHONE_RE.search(text):
        spam(0.25, "spam: phone number")
    if _MONEY_WORDS.intersection(words):
        spam(0.3, "spam: money/crypto wording")
    # Substring tests through map/filter run in C (a generator costs a Python frame per phrase).
    if any(map(lowered.__contains__, _CONTACT_PHRASES)):
        spam(0.3, "spam: contact-me phrase")
    glowing = tuple(filter(lowered.__contains__, _GLOWING_PHRASES))
    return TextReadSignals(spam_score=spam_score, spam_reasons=tuple(reasons), glowing=glowing)


def text_signals(
    *,
    read: TextReadSignals,
    sentiment_label: str,
    follower_count: int,
    display_name: str,
    handle: str,
    account_created_at: datetime | None,
    received_at: datetime,
) -> TextSignals:
    """The text's signals (text_read_signals) with the author's: a new or empty account."""
    signals = TextSignals(spam_score=read.spam_score, reasons=list(read.spam_reasons))

    def spam(weight: float, reason: str) -> None:
        signals.spam_score += weight
        signals.reasons.append(reason)

    new_account = account_created_at is not None and received_at - account_created_at < NEW_ACCOUNT_AGE
    empty_account = follower_count == 0 and not display_name and not handle
    if new_account:
        spam(0.2, "spam: account younger than 7 days")
    if empty_account:
        spam(0.15, "spam: empty account")

    if read.glowing:
        signals.fake_score += min(0.2 * len(read.glowing), 0.5)
        signals.reasons.append("fake: generic glowing phrasing (" + ", ".join(read.glowing[:3]) + ")")
    if sentiment_label == "positive" and (new_account or empty_account or follower_count == 0):
        signals.fake_score += 0.15
        signals.reasons.append("fake: praise from a new or empty account")
    signals.spam_score = min(signals.spam_score, 1.0)
    signals.fake_score = min(signals.fake_score, 1.0)
    return signals
