"""MinHash fingerprints: the numpy permutations give the very signatures the pure-Python ones did,
so fingerprints stored before the change compare with those computed after it."""

import hashlib
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from inbox.demo import TOPICS, demo_comment
from inbox.sentiment.fingerprint import (
    minhash_bands,
    minhash_to_bytes,
    minhashes_from_bytes,
    text_minhash,
    text_normalize_for_fingerprint,
    texts_minhash,
)

_PRIME = (1 << 61) - 1
# minhash_bands(text_minhash(...)) of the text in the last test, by the pure-Python implementation.
STORED_BANDS = [
    2185270375299671232, 629442102673997576, 2253530154911190109, 2288251147453334892,
    819397087192082113, 996723882206574989, 253586188259616001, 505728590552195380,
]  # fmt: skip


def _digest(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest())


_REFERENCE_PERMUTATIONS = [
    (_digest(f"a{index}") % (_PRIME - 1) + 1, _digest(f"b{index}") % _PRIME) for index in range(32)
]


def _reference_minhash(text: str) -> list[int] | None:
    """The pure-Python implementation the stored fingerprints were made with (Python integers)."""
    normalized = text_normalize_for_fingerprint(text)[:1000]
    if len(normalized) < 25:
        return None
    shingles = {_digest(normalized[start : start + 5]) >> 3 for start in range(len(normalized) - 5 + 1)}
    return [min((a * shingle + b) % _PRIME for shingle in shingles) for a, b in _REFERENCE_PERMUTATIONS]


def _corpus() -> list[str]:
    rng = random.Random(11)
    comments = [demo_comment(rng, slug).text for slug in TOPICS for _ in range(300)]
    edge_cases = [
        "x" * 24,  # one character too short after normalising
        "Das ist ein Skandal, nie wieder! #7",
        "Ab 25 Zeichen zählt es: abcdefghijklmnopqrstuvwxy",
        "Bestellung 4711 kam kaputt an 😡😡 https://example.com/foto.jpg siehe Foto!!!",
        "Çà et là, ærøå ßß ÄÖÜ — naïve café crème brûlée, ça va très bien.",
        "Lorem ipsum dolor sit amet " * 80,  # longer than the 1,000 characters fingerprinted
        "".join(chr(code) for code in range(0x430, 0x470)) * 3,  # Cyrillic
    ]
    return comments + edge_cases


def test_the_batch_gives_the_signatures_of_the_reference_implementation():
    texts = _corpus()

    signatures = texts_minhash(texts)

    assert signatures == [_reference_minhash(text) for text in texts]
    assert sum(signature is None for signature in signatures) >= 1


def test_copies_that_normalise_alike_are_hashed_once_and_get_their_own_signature():
    texts = [
        "Das ist ein Skandal, nie wieder! #7",
        "Ganz anderer Text, lang genug, um verglichen zu werden.",
        "Das ist ein SKANDAL, nie wieder!!! #12",
    ]

    signatures = texts_minhash(texts)

    assert signatures == [_reference_minhash(text) for text in texts]
    assert signatures[0] == signatures[2]
    assert signatures[0] is not signatures[2]  # a list of its own: changing one changes no other


def test_a_batch_larger_than_one_numpy_chunk_gives_the_same_signatures():
    rng = random.Random(5)
    # 60 texts of ~1,000 distinct shingles each: several chunks of 16,384 shingles.
    texts = [
        " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyzäöü", k=6)) for _ in range(200)) for _ in range(60)
    ]

    assert texts_minhash(texts) == [_reference_minhash(text) for text in texts]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_any_text_gives_the_reference_signature(text):
    assert text_minhash(text) == _reference_minhash(text)


def test_a_stored_fingerprint_is_still_recognised():
    # Bands written by the pure-Python implementation for this text: a new signature that banded
    # differently would no longer find the texts stored before it.
    text = "Dieses Unternehmen ist ein Betrug, niemals hier bestellen, alle sollen es wissen!"

    assert minhash_bands(text_minhash(text)) == STORED_BANDS


def test_a_signature_is_stored_as_big_endian_bytes_and_read_back_unchanged():
    signature = text_minhash("Dieses Unternehmen ist ein Betrug, niemals hier bestellen, alle sollen es wissen!")

    stored = minhash_to_bytes(signature)

    assert len(stored) == 8 * len(signature)
    assert stored[:8] == signature[0].to_bytes(8, "big")  # what PostgreSQL's int8send gives (inbox 0016)
    assert minhashes_from_bytes([stored, stored]).tolist() == [signature, signature]
