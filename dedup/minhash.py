"""Word shingles, vectorised MinHash signatures and LSH band keys.

Shingles are runs of SHINGLE_SIZE lower-cased words, so headline changes, added boilerplate and a few
edited words leave most of them intact. A signature keeps NUM_PERM minimum hash values; it is cut into
BANDS bands of ROWS values, and two texts become candidates when any band matches. With 42 bands of 3
rows, a pair with Jaccard similarity 0.5 becomes a candidate with probability 0.996, one at 0.2 with
probability 0.29; every candidate is then verified on the exact shingle sets.
"""

import hashlib
import re
import zlib

import numpy as np

VERSION = 2
SHINGLE_SIZE = 4
BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS
_PRIME = np.uint64((1 << 61) - 1)
_MASK = np.uint64(0xFFFFFFFF)
_rng = np.random.RandomState(20261124)
_A = _rng.randint(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.randint(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)
_RUN_BASE = np.uint64(1_000_003)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(text: str) -> set[int]:
    """32-bit hashes of the text's overlapping runs of SHINGLE_SIZE words.

    Each word is hashed once (CRC-32, stable across processes); a run's hash is a polynomial of its
    words' hashes, computed for all runs at once with numpy.
    """
    tokens = words(text)
    if len(tokens) < SHINGLE_SIZE:
        return set()
    hashes = np.fromiter((zlib.crc32(token.encode()) for token in tokens), dtype=np.uint64, count=len(tokens))
    count = len(tokens) - SHINGLE_SIZE + 1
    combined = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(SHINGLE_SIZE):
            combined = combined * _RUN_BASE + hashes[offset : offset + count]
    return set(((combined ^ (combined >> np.uint64(32))) & _MASK).tolist())


def signature(shingle_set: set[int]) -> np.ndarray:
    """NUM_PERM minimum hash values (uint32) of the shingle set; all-ones for an empty set."""
    if not shingle_set:
        return np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
    values = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    # Products wrap modulo 2**64 before the prime modulus; the family stays well spread for 32-bit inputs.
    with np.errstate(over="ignore"):
        permuted = ((np.outer(values, _A) + _B) % _PRIME) & _MASK
    return permuted.min(axis=0).astype(np.uint32)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band, with the band number mixed in."""
    keys = []
    for band in range(BANDS):
        chunk = sig[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: set[int], b: set[int]) -> float:
    """Share of the smaller set found in the larger one: high when one text is a cut of the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
