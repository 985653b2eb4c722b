"""Generated news-like articles with planted exact and near copies, for the duplicate-detection benchmarks.

Texts are sentences of words drawn from a made-up vocabulary of 20,000 words with Zipf frequencies, so
common words ("the" of the vocabulary) repeat across unrelated articles as in real news. A share of the
articles are copies of an earlier one: exact (another outlet carries the same text) or near (one of six
kinds of edit that the near tier is meant to find). `load` stores them with COPY; `check` compares the
relations written with the planted copies.
"""

import random
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from articles import text
from articles.models import Source
from dedup import minhash
from dedup.models import ArticleRelation

OUTLETS = ["Harbour Gazette", "Northern Wire", "Evening Ledger", "Capital Times", "Valley Courier", "Coastal Post"]
BOILERPLATE = (
    "Sign up for our morning newsletter and get the day's top stories in your inbox. "
    "Follow us on social media for live updates. All rights reserved."
)
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ai", "ou")]


def _vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))))
    return sorted(words, key=lambda word: (len(word), word))


@dataclass
class Corpus:
    titles: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    outlets: list[int] = field(default_factory=list)
    # Index of the article each one was copied from (itself for an original): the copy "family".
    family: list[int] = field(default_factory=list)
    planted: dict[tuple[int, int], str] = field(default_factory=dict)
    edits: dict[str, int] = field(default_factory=dict)


class Writer:
    """Sentences of Zipf-distributed words, numbers and dates, in paragraphs."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)
        self.vocabulary = _vocabulary(self.rng)
        weights = 1.0 / np.arange(1, len(self.vocabulary) + 1) ** 1.07
        self.cdf = np.cumsum(weights / weights.sum())

    def words(self, count: int) -> list[str]:
        picks = np.searchsorted(self.cdf, self.np_rng.random(count)).tolist()
        return [self.vocabulary[min(n, len(self.vocabulary) - 1)] for n in picks]

    def sentence(self) -> str:
        words = self.words(self.rng.randint(10, 24))
        if self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), f"{self.rng.randint(2, 95_000):,}")
        sentence = " ".join(words)
        return sentence[0].upper() + sentence[1:] + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def article(self, words: int = 600) -> str:
        paragraphs, count = [], 0
        while count < words:
            paragraphs.append(self.paragraph())
            count += paragraphs[-1].count(" ") + 1
        return "\n\n".join(paragraphs)


def _light_edit(writer: Writer, body: str) -> str:
    words = body.split(" ")
    for _ in range(writer.rng.randint(3, 12)):
        words[writer.rng.randrange(len(words))] = writer.words(1)[0]
    return " ".join(words)


def _typos(writer: Writer, body: str) -> str:
    rng = writer.rng
    words = body.split(" ")
    for n in rng.sample(range(len(words)), k=max(1, len(words) // 30)):
        word = words[n]
        if len(word) > 3:
            at = rng.randrange(1, len(word) - 1)
            words[n] = word[:at] + rng.choice("rnlcoe1") + word[at + 1 :]
    return " ".join(words)


EDITS = {
    "light-edit": _light_edit,
    "boilerplate": lambda writer, body: body + "\n\n" + BOILERPLATE,
    "new-lead": lambda writer, body: writer.paragraph() + "\n\n" + body.split("\n\n", 1)[-1],
    "truncated": lambda writer, body: "\n\n".join(body.split("\n\n")[: max(1, (body.count("\n\n") + 1) // 2)]),
    "inserted-paragraph": lambda writer, body: body.replace("\n\n", "\n\n" + writer.paragraph() + "\n\n", 1),
    "typos": _typos,
}


def generate(n: int, *, copies: float = 0.1, exact: float = 0.02, seed: int = 1) -> Corpus:
    """n articles: `exact` of them exact copies, `copies` near copies of one of the last 2,000 originals."""
    writer = Writer(seed)
    corpus = Corpus(edits=dict.fromkeys(["exact", *EDITS], 0))
    originals: list[int] = []
    for number in range(n):
        roll = writer.rng.random()
        if originals and roll < exact + copies:
            origin = writer.rng.choice(originals[-2000:])
            kind = "exact" if roll < exact else writer.rng.choice(list(EDITS))
            body = corpus.bodies[origin] if kind == "exact" else EDITS[kind](writer, corpus.bodies[origin])
            corpus.family.append(origin)
            corpus.planted[(origin, number)] = "exact" if kind == "exact" else "near"
            corpus.edits[kind] += 1
        else:
            body = writer.article(writer.rng.randint(450, 750))
            corpus.family.append(number)
            originals.append(number)
        corpus.bodies.append(text.normalise_text(body))
        corpus.titles.append(writer.sentence()[:120])
        corpus.outlets.append(writer.rng.randrange(len(OUTLETS)))
    return corpus


def empty_tables() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE dedup_articlerelation, dedup_lshband, dedup_articlefingerprint, articles_article CASCADE"
        )


def load(corpus: Corpus) -> list[int]:
    """Store the corpus as articles with COPY (no signals, nothing queued); return their ids in order."""
    sources = [Source.objects.get_or_create(name=name)[0].pk for name in OUTLETS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM articles_article")
        first = cursor.fetchone()[0] + 1
        ids = list(range(first, first + len(corpus.bodies)))
        columns = "id, source_id, title, body, url, external_id, author, language, word_count, content_hash, extra"
        with cursor.copy(f"COPY articles_article ({columns}, created_at) FROM STDIN") as copy:
            for pk, title, body, outlet in zip(ids, corpus.titles, corpus.bodies, corpus.outlets, strict=True):
                row = (pk, sources[outlet], title, body, "", f"bench-{pk}", "", "en")
                copy.write_row((*row, text.word_count(body), text.content_hash(body), "{}", "2026-11-30T00:00:00Z"))
        cursor.execute("SELECT setval(pg_get_serial_sequence('articles_article', 'id'), %s)", [ids[-1]])
    return ids


def check(corpus: Corpus, ids: list[int]) -> dict:
    """Planted copies found and missed, and edges between articles that are not copies of one another."""
    index = {pk: n for n, pk in enumerate(ids)}
    found = {
        (index[a], index[b]): kind
        for a, b, kind in ArticleRelation.objects.filter(kind__in=["exact", "near"]).values_list("a_id", "b_id", "kind")
    }
    result = {"planted exact": 0, "planted near": 0, "missed": 0, "wrong kind": 0, "other edges": 0, "unrelated": 0}
    missed = []
    for pair, kind in corpus.planted.items():
        result[f"planted {kind}"] += 1
        if pair not in found:
            result["missed"] += 1
            missed.append(pair)
        elif found[pair] != kind:
            result["wrong kind"] += 1
    for a, b in found.keys() - corpus.planted.keys():
        # Two copies of one original are copies of each other too; anything else is a false edge.
        result["other edges" if corpus.family[a] == corpus.family[b] else "unrelated"] += 1
    # A missed copy should be one whose signatures share no band: LSH lets a few pairs under Jaccard
    # 0.5 through (a copy cut to under half its length). A missed pair that shares a band is a fault.
    for a, b in missed:
        shingles = minhash.shingle_arrays([corpus.bodies[a], corpus.bodies[b]])
        keys = minhash.band_keys_of(minhash.signatures(shingles))
        shared = minhash.overlap(*shingles)
        jaccard = shared / (len(shingles[0]) + len(shingles[1]) - shared)
        result.setdefault("missed Jaccard", []).append(round(jaccard, 2))
        if (keys[0] == keys[1]).any():
            result["missed with a shared band"] = result.get("missed with a shared band", 0) + 1
    return result
