"""MinHash signatures for spotting near-duplicate posts (reposts with a line added or cut).

Short posts change a lot in SimHash when a few words change, so opendeur compares word sets
instead: 32 MinHash values estimate the Jaccard similarity of two posts, and locality-sensitive
hashing (8 bands of 4 values) finds candidates with exact lookups: two posts with a similarity
of 0.75 share at least one band key with a probability of 0.95, unrelated posts rarely do.
"""

from __future__ import annotations

import hashlib
import re
import struct

import numpy

PERMUTATIONS = 32
BANDS = 8
ROWS = PERMUTATIONS // BANDS
NEAR_DUPLICATE_SIMILARITY = 0.7
MIN_WORDS = 8  # shorter posts ("dat dus", "+1") are only compared exactly


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def signature(text: str) -> tuple[int, ...] | None:
    """The MinHash signature of the text's word set; None for posts too short to compare.

    One SHAKE-128 digest per word gives its 32 hash values at once; NumPy takes the minima.
    """
    words = _words(text)
    if len(words) < MIN_WORDS:
        return None
    digests = b"".join(hashlib.shake_128(word.encode()).digest(4 * PERMUTATIONS) for word in words)
    values = numpy.frombuffer(digests, dtype="<u4").reshape(len(words), PERMUTATIONS)
    return tuple(int(value) for value in values.min(axis=0))


def band_keys(sig: tuple[int, ...]) -> list[int]:
    """One signed 63-bit key per band, ready for an indexed SQLite column."""
    keys = []
    for band in range(BANDS):
        chunk = struct.pack(f"<{ROWS}I", *sig[band * ROWS : (band + 1) * ROWS])
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big") >> 1)
    return keys


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the two word sets."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / PERMUTATIONS


def to_bytes(sig: tuple[int, ...]) -> bytes:
    return struct.pack(f"<{PERMUTATIONS}I", *sig)


def from_bytes(blob: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{PERMUTATIONS}I", blob)
