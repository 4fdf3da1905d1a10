"""Scoring text against the lexicon, VADER style: sum the word valences, adjusted by negation,
intensifiers, contrast ("aber"/"but"), capitals, emoji and exclamation marks, then squash to -1..1.
"""

import math
import re
from dataclasses import dataclass

from .lexicon import (
    ANGER_EMOJI,
    ANGER_WORDS,
    CONTRAST_WORDS,
    EMOJI,
    INTENSIFIERS,
    NEGATORS,
    POLARITY,
    STOPWORDS_DE,
    STOPWORDS_EN,
)

# Words, or single emoji/pictographs, or clause punctuation.
_TOKEN_RE = re.compile(r"[^\W\d_][\w'’-]*|[\U0001F300-\U0001FAFF\u2600-\u27BF]\uFE0F?|[.,;:!?]")
_CLAUSE_END = frozenset(".,;:!?")
_SUFFIXES = ("ern", "em", "en", "er", "es", "e", "n", "s", "ed", "d", "ing", "ly")
NEGATION_FACTOR = -0.75
NEGATION_WINDOW = 3
SQUASH_ALPHA = 15.0
EXCLAMATION_BOOST = 0.3
LABEL_THRESHOLD = 0.2
ANGRY_THRESHOLD = -0.6
# German compounds ("Servicekatastrophe") end in a lexicon word; only longer words are safe heads.
_COMPOUND_HEAD_LENGTH = 6
_COMPOUND_HEADS = frozenset(word for word in POLARITY if len(word) >= _COMPOUND_HEAD_LENGTH and " " not in word)


@dataclass(frozen=True)
class SentimentResult:
    label: str  # "positive" | "neutral" | "negative" (Item.Sentiment values)
    score: float  # -1 .. 1
    angry: bool


def text_tokens(text: str) -> list[str]:
    """Lower-case word tokens (no punctuation, no emoji), apostrophes dropped: "don't" -> "dont"."""
    return [token.replace("'", "").replace("’", "") for token in _TOKEN_RE.findall(text.lower()) if token[0].isalpha()]


def _valence(word: str) -> float | None:
    if word in POLARITY:
        return POLARITY[word]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and word[: -len(suffix)] in POLARITY:
            return POLARITY[word[: -len(suffix)]]
    if len(word) >= 9:
        # The longest head the word ends in: its endings from the longest down, looked up in a set.
        for start in range(1, len(word) - _COMPOUND_HEAD_LENGTH + 1):
            if word[start:] in _COMPOUND_HEADS:
                return POLARITY[word[start:]]
    return None


def sentiment_analyze(text: str) -> SentimentResult:
    raw_tokens = _TOKEN_RE.findall(text)
    text_is_shouting = _mostly_capitals(text)
    tokens = [token.lower().replace("'", "").replace("’", "") for token in raw_tokens]
    # Per token: (valence, clause number); negation and intensifiers edit these in place.
    valences: list[float | None] = [None] * len(tokens)
    clause_of: list[int] = [0] * len(tokens)
    contrast_clause: int | None = None
    angry_marker = False
    clause = 0
    index = 0
    while index < len(tokens):
        token = tokens[index]
        clause_of[index] = clause
        if token in _CLAUSE_END:
            clause += 1
        elif token in CONTRAST_WORDS:
            clause += 1
            contrast_clause = clause
        elif token in EMOJI:
            valences[index] = EMOJI[token]
            angry_marker = angry_marker or token in ANGER_EMOJI
        else:
            bigram = f"{token} {tokens[index + 1]}" if index + 1 < len(tokens) else ""
            if bigram in POLARITY:
                valences[index] = POLARITY[bigram]
                angry_marker = angry_marker or bigram in ANGER_WORDS
                clause_of[index + 1] = clause
                index += 2
                continue
            if not (token in INTENSIFIERS and _next_word_has_valence(tokens, index)):
                value = _valence(token)
                if value is not None:
                    if raw_tokens[index].isupper() and len(token) >= 3 and not text_is_shouting:
                        value *= 1.5
                    valences[index] = value
                    angry_marker = angry_marker or token in ANGER_WORDS
        index += 1

    _apply_modifiers(tokens, valences, clause_of)

    total = 0.0
    for position, value in enumerate(valences):
        if value is None:
            continue
        if contrast_clause is not None:
            value *= 1.5 if clause_of[position] >= contrast_clause else 0.5
        total += value
    exclamations = min(text.count("!"), 4)
    if total and exclamations:
        total += math.copysign(EXCLAMATION_BOOST * exclamations, total)
    score = total / math.sqrt(total * total + SQUASH_ALPHA)
    score = round(score, 3)
    if score >= LABEL_THRESHOLD:
        label = "positive"
    elif score <= -LABEL_THRESHOLD:
        label = "negative"
    else:
        label = "neutral"
    angry = label == "negative" and (
        score <= ANGRY_THRESHOLD or angry_marker or text_is_shouting or text.count("!") >= 3
    )
    return SentimentResult(label=label, score=score, angry=angry)


def _next_word_has_valence(tokens: list[str], index: int) -> bool:
    return index + 1 < len(tokens) and _valence(tokens[index + 1]) is not None


def _apply_modifiers(tokens: list[str], valences: list[float | None], clause_of: list[int]) -> None:
    """Intensifiers scale the next valenced word; a negator flips the next one in its clause,
    or, when none follows (German verb-final "das gefällt mir nicht"), the previous one."""
    flipped: set[int] = set()
    for index, token in enumerate(tokens):
        if token in INTENSIFIERS and valences[index] is None:
            target = _find_valenced(valences, clause_of, index, step=1)
            if target is not None:
                valences[target] *= INTENSIFIERS[token]
        elif token in NEGATORS and valences[index] is None:
            target = _find_valenced(valences, clause_of, index, step=1)
            if target is None:
                target = _find_valenced(valences, clause_of, index, step=-1)
            if target is not None and target not in flipped:
                valences[target] *= NEGATION_FACTOR
                flipped.add(target)


def _find_valenced(valences: list[float | None], clause_of: list[int], start: int, *, step: int) -> int | None:
    position = start + step
    for _distance in range(NEGATION_WINDOW):
        if not 0 <= position < len(valences) or clause_of[position] != clause_of[start]:
            return None
        if valences[position] is not None:
            return position
        position += step
    return None


def _mostly_capitals(text: str) -> bool:
    letters = list(filter(str.isalpha, text))  # map and filter loop in C, a generator per character does not
    return len(letters) >= 10 and sum(map(str.isupper, letters)) / len(letters) > 0.7


def language_detect(text: str, *, words: list[str] | None = None) -> str:
    """ "de", "en", or "" when the text gives too little to tell (stopword counts, umlauts count for German).

    `words` are the text's text_tokens when the caller has them already (triage tokenises once)."""
    tokens = text_tokens(text) if words is None else words
    german = sum(token in STOPWORDS_DE for token in tokens) + sum(character in "äöüß" for character in text.lower())
    english = sum(token in STOPWORDS_EN for token in tokens)
    if german == english:
        return ""
    return "de" if german > english else "en"
