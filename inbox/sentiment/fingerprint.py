"""Near-duplicate detection: MinHash over character shingles, banded for an indexed overlap query.

Stable across processes (blake2b, fixed permutation constants), so fingerprints stored by one
worker compare with those computed by another. The permutations h -> (a * h + b) mod (2^61 - 1)
run in numpy over all shingles of many texts at once, with exact 64-bit arithmetic (see
`_permuted`): the same signatures as Python's big integers give, at a fraction of the cost.
"""

import hashlib
import re
from itertools import chain

import numpy as np

SIGNATURE_SIZE = 32
BAND_ROWS = 4  # 8 bands of 4: texts with Jaccard 0.6 share a band with probability ~0.67, 0.8 -> ~0.98
BANDS = SIGNATURE_SIZE // BAND_ROWS
SHINGLE_SIZE = 5
MIN_TEXT_LENGTH = 25  # "Danke!" from a hundred people is not a campaign
MAX_TEXT_LENGTH = 1000  # the opening 1,000 characters are plenty to recognise a copy
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
# Shingles permuted per numpy call: 32 x 16,384 x 8 bytes = 4 MiB for each intermediate array.
_SHINGLES_PER_CHUNK = 16_384
_U64 = np.uint64
_LOW_32 = _U64(0xFFFFFFFF)
_LOW_29 = _U64((1 << 29) - 1)
_PRIME_U64 = _U64(_PRIME)
_A = np.array([a for a, _b in _PERMUTATIONS], dtype=np.uint64)[:, np.newaxis]
_B = np.array([b for _a, b in _PERMUTATIONS], dtype=np.uint64)[:, np.newaxis]
_A_HIGH, _A_LOW = _A >> _U64(32), _A & _LOW_32


def text_normalize_for_fingerprint(text: str) -> str:
    """Lower case, no links, digits, punctuation or emoji, single spaces: what stays the same when
    a campaign varies its copies ("5 Sterne!!!" vs "5 Sterne")."""
    text = _URL_RE.sub(" ", text.lower())
    text = _NOT_LETTER_RE.sub(" ", text)
    return _SPACE_RE.sub(" ", text).strip()


_BLAKE2B_64 = hashlib.blake2b(digest_size=8)


def _stable_hash(value: str) -> int:
    # Copying a ready hasher costs about half of building one per shingle (keyword parsing, set-up).
    hasher = _BLAKE2B_64.copy()
    hasher.update(value.encode())
    return int.from_bytes(hasher.digest()) >> 3  # fits a signed bigint


def _shingle_hashes(normalized: str, known: dict[str, int]) -> set[int]:
    """The hashes of a normalised text's shingles; `known` holds those hashed already (texts of one
    batch share most of their shingles: the language's common words, a campaign's copies)."""
    hashes = set()
    for start in range(len(normalized) - SHINGLE_SIZE + 1):
        shingle = normalized[start : start + SHINGLE_SIZE]
        value = known.get(shingle)
        if value is None:
            value = known[shingle] = _stable_hash(shingle)
        hashes.add(value)
    return hashes


def _permuted(shingles: np.ndarray) -> np.ndarray:
    """(a * h + b) mod p for every permutation (rows) and shingle hash h (columns), p = 2^61 - 1.

    a, h < 2^61 and b < p. The 122-bit product is taken apart in 32-bit halves so that nothing
    overflows 64 bits, and folded with 2^61 = 1 (mod p), hence 2^64 = 8:
      a * h = ah*hh * 2^64 + (ah*hl + al*hh) * 2^32 + al*hl
      middle * 2^32 = (middle >> 29) * 2^61 + (middle & (2^29 - 1)) * 2^32
    The five terms and b add up to less than 2^64; one fold and one subtraction leave [0, p).
    """
    high, low = shingles >> _U64(32), shingles & _LOW_32
    middle = _A_HIGH * low + _A_LOW * high  # < 2^62
    product_low = _A_LOW * low  # < 2^64
    total = (
        ((_A_HIGH * high) << _U64(3))
        + (middle >> _U64(29))
        + ((middle & _LOW_29) << _U64(32))
        + (product_low & _PRIME_U64)
        + (product_low >> _U64(61))
        + _B
    )
    folded = (total & _PRIME_U64) + (total >> _U64(61))
    return np.where(folded >= _PRIME_U64, folded - _PRIME_U64, folded)


def _signatures(shingle_sets: list[set[int]]) -> list[list[int]]:
    """The MinHash signatures of non-empty shingle sets, in one numpy pass per chunk of sets."""
    signatures: list[list[int]] = []
    start = 0
    while start < len(shingle_sets):
        end, count = start, 0
        while end < len(shingle_sets) and (end == start or count + len(shingle_sets[end]) <= _SHINGLES_PER_CHUNK):
            count += len(shingle_sets[end])
            end += 1
        chunk = shingle_sets[start:end]
        flat = np.fromiter(chain.from_iterable(chunk), dtype=np.uint64, count=count)
        offsets = np.cumsum([0] + [len(shingles) for shingles in chunk[:-1]])
        # Each distinct shingle permuted once: texts share most of theirs (a burst batch: 6,824
        # shingles, 1,927 distinct), and the permutations are most of the work.
        distinct, places = np.unique(flat, return_inverse=True)
        minima = np.minimum.reduceat(_permuted(distinct)[:, places], offsets, axis=1)
        signatures.extend(minima.T.tolist())
        start = end
    return signatures


def texts_minhash(texts: list[str]) -> list[list[int] | None]:
    """text_minhash of each text, computed together (one numpy pass for a batch of short texts);
    texts that normalise alike (a campaign's copies) are hashed once."""
    known: dict[str, int] = {}
    places: dict[str, int] = {}  # normalised text -> its place in shingle_sets
    shingle_sets: list[set[int]] = []
    text_places: list[int | None] = []
    for text in texts:
        normalized = text_normalize_for_fingerprint(text)[:MAX_TEXT_LENGTH]
        if len(normalized) < MIN_TEXT_LENGTH:
            text_places.append(None)
            continue
        if normalized not in places:
            places[normalized] = len(shingle_sets)
            shingle_sets.append(_shingle_hashes(normalized, known))
        text_places.append(places[normalized])
    signatures = _signatures(shingle_sets)
    return [None if place is None else list(signatures[place]) for place in text_places]


def text_minhash(text: str) -> list[int] | None:
    """The MinHash signature of the text, or None when the text is too short to mean anything."""
    return texts_minhash([text])[0]


def minhash_bands(signature: list[int]) -> list[int]:
    """One hash per band of BAND_ROWS signature values; two texts sharing a band are candidates."""
    return [
        _stable_hash(f"{band}:" + ",".join(map(str, signature[band * BAND_ROWS : (band + 1) * BAND_ROWS])))
        for band in range(BANDS)
    ]


# A stored signature: its SIGNATURE_SIZE values as 8-byte big-endian integers (what PostgreSQL's
# int8send gives, so SQL can convert them too). Read back with numpy in one call, where a bigint
# array column cost PostgreSQL and Python a text conversion of every value.
_STORED_VALUE = np.dtype(">i8")


def minhash_to_bytes(signature: list[int]) -> bytes:
    """The signature as it is stored (ItemTextFingerprint.minhash)."""
    return np.array(signature, dtype=_STORED_VALUE).tobytes()


def minhashes_from_bytes(stored: list[bytes]) -> np.ndarray:
    """Stored signatures as rows of an int64 array."""
    values = np.frombuffer(b"".join(stored), dtype=_STORED_VALUE)
    return values.reshape(len(stored), SIGNATURE_SIZE).astype(np.int64)


def minhash_similarities(signature: list[int], candidates: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of the text's shingle set with each candidate's (signatures as rows):
    the share of signature positions that agree."""
    return (candidates == np.asarray(signature, dtype=np.int64)).sum(axis=1) / SIGNATURE_SIZE
