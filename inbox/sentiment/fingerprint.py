"""Near-duplicate detection: MinHash over character shingles, banded for an indexed overlap query.

Stable across processes (blake2b, fixed permutation constants), so fingerprints stored by one
worker compare with those computed by another.
"""

import hashlib
import re

SIGNATURE_SIZE = 32
BAND_ROWS = 4  # 8 bands of 4: texts with Jaccard 0.6 share a band with probability ~0.67, 0.8 -> ~0.98
SHINGLE_SIZE = 5
MIN_TEXT_LENGTH = 25  # "Danke!" from a hundred people is not a campaign
_PRIME = (1 << 61) - 1
_PERMUTATIONS = [
    (
        int.from_bytes(hashlib.blake2b(f"a{index}".encode(), digest_size=8).digest()) % (_PRIME - 1) + 1,
        int.from_bytes(hashlib.blake2b(f"b{index}".encode(), digest_size=8).digest()) % _PRIME,
    )
    for index in range(SIGNATURE_SIZE)
]
_URL_RE = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_NOT_LETTER_RE = re.compile(r"[^\w\s]|[\d_]")
_SPACE_RE = re.compile(r"\s+")


def text_normalize_for_fingerprint(text: str) -> str:
    """Lower case, no links, digits, punctuation or emoji, single spaces: what stays the same when
    a campaign varies its copies ("5 Sterne!!!" vs "5 Sterne")."""
    text = _URL_RE.sub(" ", text.lower())
    text = _NOT_LETTER_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


def _stable_hash(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest()) >> 3  # fits a signed bigint


def text_minhash(text: str) -> list[int] | None:
    """The MinHash signature of the text, or None when the text is too short to mean anything."""
    # The opening 1,000 characters are plenty to recognise a copy, and keep the cost bounded.
    normalized = text_normalize_for_fingerprint(text)[:1000]
    if len(normalized) < MIN_TEXT_LENGTH:
        return None
    shingles = {
        _stable_hash(normalized[start : start + SHINGLE_SIZE]) for start in range(len(normalized) - SHINGLE_SIZE + 1)
    }
    return [min((a * shingle + b) % _PRIME for shingle in shingles) for a, b in _PERMUTATIONS]


def minhash_bands(signature: list[int]) -> list[int]:
    """One hash per band of BAND_ROWS signature values; two texts sharing a band are candidates."""
    return [
        _stable_hash(f"{band}:" + ",".join(map(str, signature[band * BAND_ROWS : (band + 1) * BAND_ROWS])))
        for band in range(SIGNATURE_SIZE // BAND_ROWS)
    ]


def minhash_similarity(first: list[int], second: list[int]) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return sum(a == b for a, b in zip(first, second, strict=True)) / SIGNATURE_SIZE
