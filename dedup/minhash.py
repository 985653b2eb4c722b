"""Word shingles, vectorised MinHash signatures and LSH band keys, computed for many texts at once.

Shingles are runs of SHINGLE_SIZE lower-cased words, so headline changes, added boilerplate and a few
edited words leave most of them intact. A signature keeps NUM_PERM minimum hash values; it is cut into
BANDS bands of ROWS values, and two texts become candidates when any band matches. With 42 bands of 3
rows, a pair with Jaccard similarity 0.5 becomes a candidate with probability 0.996, one at 0.2 with
probability 0.29; every candidate is then verified on the exact shingle sets.

Everything is computed with numpy over a whole chunk of texts: the texts are joined, split into words by
a table of word characters, each word is hashed once by a polynomial over its code points (read off
prefix sums), and four word hashes are mixed into a shingle hash. A Python loop over words or shingles
costs several times more than the MinHash itself.

VERSION 3 changed the word hash (CRC-32 per word before), the permutations (multiply-add-shift instead of
a multiply modulo a prime) and the band keys (a numpy mix instead of BLAKE2b); fingerprints and band keys
of an older version are not comparable with new ones and are recomputed by `find_duplicates --all`.
"""

import functools
import re
from collections.abc import Iterable, Sequence

import numpy as np

VERSION = 3
SHINGLE_SIZE = 4
BANDS = 42
ROWS = 3
NUM_PERM = BANDS * ROWS
EMPTY = 0xFFFFFFFF

_WORD = re.compile(r"\w+")
_rng = np.random.default_rng(20261125)
# Multiply-add-shift hashing: for 32-bit x and random 64-bit a, b, the top 32 bits of a*x + b (mod 2**64)
# are a strongly universal family; the minimum of the 64-bit value has the minimum top bits.
_A = _rng.integers(0, 2**64, size=NUM_PERM, dtype=np.uint64, endpoint=False)
_B = _rng.integers(0, 2**64, size=NUM_PERM, dtype=np.uint64, endpoint=False)
_BASE = int(_rng.integers(2**62, 2**63, dtype=np.uint64)) | 1
_BASE_INVERSE = pow(_BASE, -1, 2**64)
_SHINGLE_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_BAND_SALT = np.uint64(0x5851F42D4C957F2D)
_SHIFT = np.uint64(32)
# Texts are hashed in groups of about this many characters, so the work arrays stay in the CPU cache.
_GROUP_CHARS = 1 << 18
_MAX_CODE_POINT = 0x10FFFF


@functools.cache
def _word_characters() -> np.ndarray:
    """Which code points `\\w` matches, as a boolean table: exactly the regex's own word characters."""
    table = np.zeros(_MAX_CODE_POINT + 1, dtype=bool)
    for match in _WORD.finditer("".join(map(chr, range(_MAX_CODE_POINT + 1)))):
        table[match.start() : match.end()] = True
    return table


def _powers(base: int, count: int) -> np.ndarray:
    """base**0 .. base**(count - 1) modulo 2**64 (numpy integer products wrap)."""
    values = np.full(count, base, dtype=np.uint64)
    values[0] = 1
    return np.cumprod(values, dtype=np.uint64)


@functools.cache
def _cached_powers() -> tuple[np.ndarray, np.ndarray]:
    size = _GROUP_CHARS + 1
    return _powers(_BASE, size), _powers(_BASE_INVERSE, size)


def _mix(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place: every input bit reaches every output bit."""
    with np.errstate(over="ignore"):
        values ^= values >> np.uint64(33)
        values *= np.uint64(0xFF51AFD7ED558CCD)
        values ^= values >> np.uint64(33)
        values *= np.uint64(0xC4CEB9FE1A85EC53)
        values ^= values >> np.uint64(33)
    return values


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingle_arrays(texts: Sequence[str]) -> list[np.ndarray]:
    """For each text, the sorted distinct 32-bit hashes of its runs of SHINGLE_SIZE words (uint32)."""
    lowered = [text.lower() for text in texts]
    result: list[np.ndarray] = []
    group: list[str] = []
    size = 0
    for text in lowered:
        if group and size + len(text) > _GROUP_CHARS:
            result += _group_shingles(group)
            group, size = [], 0
        group.append(text)
        size += len(text) + 1
    if group:
        result += _group_shingles(group)
    return result


def _group_shingles(texts: list[str]) -> list[np.ndarray]:
    # One space between texts: not a word character, so no word spans two texts.
    code_points = np.frombuffer(" ".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    count = len(code_points)
    is_word = np.take(_word_characters(), code_points).view(np.int8)
    edges = np.flatnonzero(np.diff(is_word, prepend=np.int8(0), append=np.int8(0)))
    starts, ends = edges[0::2], edges[1::2]
    powers, inverse_powers = _cached_powers()
    if count >= len(powers):
        powers, inverse_powers = _powers(_BASE, count + 1), _powers(_BASE_INVERSE, count + 1)
    # prefix[i] = sum of code_points[j] * BASE**j for j < i, so a word's polynomial hash, moved back to
    # position 0, is (prefix[end] - prefix[start]) * BASE**-start whatever its position.
    prefix = np.empty(count + 1, dtype=np.uint64)
    prefix[0] = 0
    with np.errstate(over="ignore"):
        np.cumsum(code_points * powers[:count], out=prefix[1:])
        word_hashes = _mix((prefix[ends] - prefix[starts]) * inverse_powers[starts])
        runs = len(word_hashes) - SHINGLE_SIZE + 1
        if runs <= 0:
            return [np.empty(0, dtype=np.uint32) for _ in texts]
        combined = word_hashes[:runs].copy()
        for offset in range(1, SHINGLE_SIZE):
            combined *= _SHINGLE_MULTIPLIER
            combined += word_hashes[offset : offset + runs]
    hashes = (_mix(combined) >> _SHIFT).astype(np.uint32)
    text_starts = np.cumsum([0] + [len(text) + 1 for text in texts[:-1]])
    text_of_word = np.searchsorted(text_starts, starts, side="right") - 1
    # Keep the runs whose first and last word are in the same text.
    same_text = text_of_word[:runs] == text_of_word[SHINGLE_SIZE - 1 :]
    hashes, owners = hashes[same_text], text_of_word[:runs][same_text]
    bounds = np.searchsorted(owners, np.arange(len(texts) + 1))
    return [_distinct(hashes[bounds[n] : bounds[n + 1]]) for n in range(len(texts))]


def _distinct(values: np.ndarray) -> np.ndarray:
    values = np.sort(values)
    if len(values) > 1:
        keep = np.empty(len(values), dtype=bool)
        keep[0] = True
        np.not_equal(values[1:], values[:-1], out=keep[1:])
        values = values[keep]
    return values


def shingles(text: str) -> set[int]:
    """32-bit hashes of the text's overlapping runs of SHINGLE_SIZE words."""
    return set(shingle_arrays([text])[0].tolist())


def signatures(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """NUM_PERM minimum hash values (uint32) per shingle array, one row each; all-ones for an empty one.

    All texts' shingles are hashed together, one permutation at a time, and reduced per text.
    """
    result = np.full((len(arrays), NUM_PERM), EMPTY, dtype=np.uint32)
    sizes = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    filled = np.flatnonzero(sizes)
    if not len(filled):
        return result
    values = np.concatenate([arrays[n] for n in filled]).astype(np.uint64)
    offsets = np.zeros(len(filled), dtype=np.int64)
    np.cumsum(sizes[filled][:-1], out=offsets[1:])
    minima = np.empty((NUM_PERM, len(filled)), dtype=np.uint64)
    hashed = np.empty_like(values)
    with np.errstate(over="ignore"):
        for n in range(NUM_PERM):
            np.multiply(values, _A[n], out=hashed)
            hashed += _B[n]
            np.minimum.reduceat(hashed, offsets, out=minima[n])
    result[filled] = (minima.T >> _SHIFT).astype(np.uint32)
    return result


def signature(shingle_set: Iterable[int] | np.ndarray) -> np.ndarray:
    """The signature of one shingle set (a set of ints or a uint32 array)."""
    values = shingle_set if isinstance(shingle_set, np.ndarray) else np.fromiter(shingle_set, dtype=np.uint32)
    return signatures([values])[0]


def band_keys_of(sigs: np.ndarray) -> np.ndarray:
    """One signed 64-bit key per band and signature, with the band number mixed in: shape (n, BANDS)."""
    rows = sigs.reshape(len(sigs), BANDS, ROWS).astype(np.uint64)
    band = np.arange(BANDS, dtype=np.uint64) << _SHIFT
    with np.errstate(over="ignore"):
        low = rows[:, :, 0] | (rows[:, :, 1] << _SHIFT)
        high = _mix((rows[:, :, 2] | band) + _BAND_SALT)
        keys = _mix(low ^ high)
    return keys.view(np.int64)


def band_keys(sig: np.ndarray) -> list[int]:
    return band_keys_of(sig[np.newaxis])[0].tolist()


def overlap(a: np.ndarray, b: np.ndarray) -> int:
    """How many shingles two sorted distinct shingle arrays share."""
    return len(np.intersect1d(a, b, assume_unique=True))


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: set[int], b: set[int]) -> float:
    """Share of the smaller set found in the larger one: high when one text is a cut of the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
