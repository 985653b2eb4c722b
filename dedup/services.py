"""Find exact and near-duplicate copies of articles and record them as verified relations.

For each article: fingerprint it, store its LSH band keys, look up articles sharing a key, verify each
candidate on the exact shingle sets, and write an edge only when the texts really are copies. Every
step is idempotent, so a task that runs twice (a redelivered message after a killed worker) writes
nothing new.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from articles.models import Article
from dedup import minhash
from dedup.models import ArticleFingerprint, ArticleRelation, LshBand

# A copy shares at least half of its shingles with the other text overall, or is (nearly) contained in it.
NEAR_MIN_JACCARD = 0.5
NEAR_MIN_CONTAINMENT = 0.8
# Texts shorter than this many shingles (about 30 words) never get a near-duplicate edge: too little to tell.
MIN_SHINGLES = 25


@dataclass(frozen=True)
class LinkResult:
    fingerprinted: int
    exact: int
    near: int


def _pair(one: int, other: int) -> tuple[int, int]:
    return (one, other) if one < other else (other, one)


def articles_link(*, article_ids: Iterable[int]) -> LinkResult:
    """Fingerprint the articles and write their exact and near-duplicate relations."""
    articles = list(Article.objects.filter(pk__in=list(article_ids)).only("id", "body", "content_hash"))
    if not articles:
        return LinkResult(0, 0, 0)
    shingle_sets = {article.pk: minhash.shingles(article.body) for article in articles}

    fingerprints = []
    keys_by_article: dict[int, list[int]] = {}
    for article in articles:
        signature = minhash.signature(shingle_sets[article.pk])
        fingerprints.append(
            ArticleFingerprint(
                article_id=article.pk,
                signature=signature.tobytes(),
                shingle_count=len(shingle_sets[article.pk]),
                version=minhash.VERSION,
            )
        )
        if len(shingle_sets[article.pk]) >= MIN_SHINGLES:
            keys = minhash.band_keys(signature)
            keys_by_article[article.pk] = keys

    with transaction.atomic():
        ArticleFingerprint.objects.bulk_create(
            fingerprints,
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["signature", "shingle_count", "version", "computed_at"],
        )
        _store_bands([article.pk for article in articles], keys_by_article)
        exact_pairs = _exact_pairs(articles)
        near = _near_relations(keys_by_article, shingle_sets, exclude=exact_pairs)
        relations = [
            ArticleRelation(a_id=a, b_id=b, kind=ArticleRelation.Kind.EXACT, score=1.0, method="content-hash")
            for a, b in sorted(exact_pairs)
        ] + near
        ArticleRelation.objects.bulk_create(relations, ignore_conflicts=True, batch_size=2000)
    return LinkResult(len(articles), len(exact_pairs), len(near))


def _store_bands(article_ids: list[int], keys_by_article: dict[int, list[int]]) -> None:
    """Replace the articles' band keys: same rows every run, so a redelivered task changes nothing."""
    LshBand.objects.filter(article_id__in=article_ids).delete()
    if connection.vendor == "postgresql":
        # COPY is several times faster than INSERT for the ~40 rows each article adds.
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY dedup_lshband (article_id, band, key) FROM STDIN") as copy,
        ):
            for article_id, keys in keys_by_article.items():
                for band, key in enumerate(keys):
                    copy.write_row((article_id, band, key))
        return
    LshBand.objects.bulk_create(
        [LshBand(article_id=a, band=n, key=key) for a, keys in keys_by_article.items() for n, key in enumerate(keys)],
        batch_size=5000,
    )


def _band_holders(keys: list[int]) -> list[tuple[int, int]]:
    """(article id, key) for every stored band with one of these keys."""
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of IN placeholders.
        with connection.cursor() as cursor:
            cursor.execute("SELECT article_id, key FROM dedup_lshband WHERE key = ANY(%s::bigint[])", [keys])
            return cursor.fetchall()
    found = []
    for start in range(0, len(keys), 500):
        found += LshBand.objects.filter(key__in=keys[start : start + 500]).values_list("article_id", "key")
    return found


def _exact_pairs(articles: list[Article]) -> set[tuple[int, int]]:
    ids = {article.pk for article in articles}
    same_text: dict[str, list[int]] = {}
    for row in Article.objects.filter(content_hash__in={a.content_hash for a in articles}).values_list(
        "id", "content_hash"
    ):
        same_text.setdefault(row[1], []).append(row[0])
    pairs = set()
    for group in same_text.values():
        for one in group:
            if one not in ids:
                continue
            pairs.update(_pair(one, other) for other in group if other != one)
    return pairs


def _near_relations(
    keys_by_article: dict[int, list[int]], shingle_sets: dict[int, set[int]], exclude: set[tuple[int, int]]
) -> list[ArticleRelation]:
    all_keys = {key for keys in keys_by_article.values() for key in keys}
    if not all_keys:
        return []
    holders: dict[int, set[int]] = {}
    for article_id, key in _band_holders(list(all_keys)):
        holders.setdefault(key, set()).add(article_id)
    candidates: set[tuple[int, int]] = set()
    for article_id, keys in keys_by_article.items():
        for key in keys:
            candidates.update(_pair(article_id, other) for other in holders.get(key, ()) if other != article_id)
    candidates -= exclude
    if not candidates:
        return []
    missing = {i for pair in candidates for i in pair} - shingle_sets.keys()
    for other in Article.objects.filter(pk__in=missing).only("id", "body"):
        shingle_sets[other.pk] = minhash.shingles(other.body)
    relations = []
    for a, b in sorted(candidates):
        first, second = shingle_sets.get(a, set()), shingle_sets.get(b, set())
        if min(len(first), len(second)) < MIN_SHINGLES:
            continue
        jaccard = minhash.jaccard(first, second)
        contained = minhash.containment(first, second)
        if jaccard >= NEAR_MIN_JACCARD or contained >= NEAR_MIN_CONTAINMENT:
            relations.append(
                ArticleRelation(
                    a_id=a,
                    b_id=b,
                    kind=ArticleRelation.Kind.NEAR,
                    score=round(max(jaccard, contained), 4),
                    method=f"minhash-lsh-v{minhash.VERSION}",
                    details={
                        "jaccard": round(jaccard, 4),
                        "containment": round(contained, 4),
                        "shingles": [len(first), len(second)],
                    },
                )
            )
    return relations


def signature_of(fingerprint: ArticleFingerprint) -> np.ndarray:
    return np.frombuffer(bytes(fingerprint.signature), dtype=np.uint32)
