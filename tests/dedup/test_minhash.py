"""Shingles, signatures and band keys computed in batches: the same answers as one text at a time, stable
across processes, and MinHash agreement that tracks the exact Jaccard similarity."""

import os
import random
import subprocess
import sys

import numpy as np
import pytest

from dedup import minhash
from tests.dedup.texts import OTHER, WIRE, light_edit, truncated, with_typos

UNICODE = (
    "Ünïcödé Straße in İstanbul: ΟΔΥΣΣΕΥΣ said «ça va» — 11,000 troops (١٢٣) at 9:30 on 12.03.2024; "
    "emoji 🚀 and snake_case words, x² and ½, 東京都 の 人口 は 1400 万人 です; "
    "עברית וגם العربية in one sentence, then don’t stop."
)


def _word_runs(text: str) -> set[tuple[str, ...]]:
    words = minhash.words(text)
    return {tuple(words[n : n + minhash.SHINGLE_SIZE]) for n in range(len(words) - minhash.SHINGLE_SIZE + 1)}


@pytest.mark.parametrize("text", [WIRE, OTHER, UNICODE, UNICODE * 3, "one two three four", "one two three", ""])
def test_there_is_one_shingle_per_distinct_run_of_four_words(text):
    assert len(minhash.shingle_arrays([text])[0]) == len(_word_runs(text))


def test_case_punctuation_and_spacing_do_not_change_the_shingles():
    plain = "the canal will limit barge traffic to thirty crossings a day"
    styled = "The CANAL will   limit barge-traffic to Thirty crossings, a day!"
    first, second = minhash.shingle_arrays([plain, styled])
    assert np.array_equal(first, second)


def test_a_changed_figure_changes_the_shingles_around_it():
    first, second = minhash.shingle_arrays(
        ["they sent 11,000 troops to the border", "they sent 12,000 troops to the border"]
    )
    assert 0 < minhash.overlap(first, second) < len(first)


def test_a_batch_gives_each_text_what_it_gets_alone(monkeypatch):
    texts = [WIRE, "", "too short", UNICODE, OTHER, light_edit(WIRE), WIRE]
    alone = [minhash.shingle_arrays([text])[0] for text in texts]
    together = minhash.shingle_arrays(texts)
    # Groups of a few hundred characters: texts longer than a group are hashed on their own.
    monkeypatch.setattr(minhash, "_GROUP_CHARS", 300)
    in_small_groups = minhash.shingle_arrays(texts)
    for expected, first, second in zip(alone, together, in_small_groups, strict=True):
        assert np.array_equal(expected, first)
        assert np.array_equal(expected, second)
    assert np.array_equal(together[0], together[-1])


def test_no_shingle_spans_two_texts():
    one, two = minhash.shingle_arrays(["alpha beta gamma", "delta epsilon zeta"])
    assert len(one) == len(two) == 0


def test_signatures_of_a_batch_equal_signatures_one_at_a_time():
    arrays = minhash.shingle_arrays([WIRE, "", truncated(WIRE), OTHER])
    batch = minhash.signatures(arrays)
    for array, row in zip(arrays, batch, strict=True):
        assert np.array_equal(minhash.signature(array), row)
        assert np.array_equal(minhash.signature(set(array.tolist())), row)
    assert (batch[1] == minhash.EMPTY).all()
    assert batch.dtype == np.uint32 and batch.shape == (4, minhash.NUM_PERM)


def test_shingles_and_band_keys_are_the_same_in_another_process():
    """Stored fingerprints are compared across worker processes: nothing may depend on the hash seed."""
    script = (
        "from dedup import minhash; from tests.dedup.texts import WIRE; "
        "print(minhash.band_keys(minhash.signature(minhash.shingle_arrays([WIRE])[0])))"
    )
    here = minhash.band_keys(minhash.signature(minhash.shingle_arrays([WIRE])[0]))
    for seed in ("1", "2"):
        output = subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        assert output.stdout.strip() == str(here)


def _random_pair(rng: random.Random, vocabulary: list[str], edits: int) -> tuple[str, str]:
    words = [rng.choice(vocabulary) for _ in range(400)]
    copy = list(words)
    for _ in range(edits):
        copy[rng.randrange(len(copy))] = rng.choice(vocabulary)
    return " ".join(words), " ".join(copy)


def test_signature_agreement_tracks_the_exact_jaccard():
    rng = random.Random(3)
    vocabulary = [f"w{n}" for n in range(3000)]
    errors = []
    for _ in range(200):
        first, second = minhash.shingle_arrays(_random_pair(rng, vocabulary, rng.randint(0, 250)))
        shared = minhash.overlap(first, second)
        jaccard = shared / (len(first) + len(second) - shared)
        signatures = minhash.signatures([first, second])
        errors.append((signatures[0] == signatures[1]).mean() - jaccard)
    # Unbiased, and as spread as 126 independent permutations allow (binomial sd at J=0.5 is 0.045).
    assert abs(np.mean(errors)) < 0.01
    assert np.std(errors) < 0.045


def test_copies_share_a_band_and_unrelated_texts_do_not():
    copies = [WIRE, light_edit(WIRE), with_typos(WIRE), truncated(WIRE), "EXCLUSIVE: " + WIRE]
    keys = minhash.band_keys_of(minhash.signatures(minhash.shingle_arrays([*copies, OTHER])))
    for n in range(1, len(copies)):
        assert (keys[0] == keys[n]).any()
    assert not (keys[0] == keys[-1]).any()


def test_pairs_at_jaccard_one_half_become_candidates_almost_always():
    rng = random.Random(11)
    vocabulary = [f"w{n}" for n in range(5000)]
    found = total = 0
    for _ in range(300):
        first, second = minhash.shingle_arrays(_random_pair(rng, vocabulary, 40))
        shared = minhash.overlap(first, second)
        if 0.45 <= shared / (len(first) + len(second) - shared) <= 0.55:
            total += 1
            keys = minhash.band_keys_of(minhash.signatures([first, second]))
            found += bool((keys[0] == keys[1]).any())
    # 42 bands of 3 rows: probability 0.996 at Jaccard 0.5.
    assert total > 100
    assert found / total > 0.97


def test_the_band_number_is_part_of_the_key():
    signature = np.tile(np.array([7, 8, 9], dtype=np.uint32), minhash.BANDS)
    keys = minhash.band_keys(signature)
    assert len(set(keys)) == minhash.BANDS
    assert all(-(2**63) <= key < 2**63 for key in keys)
