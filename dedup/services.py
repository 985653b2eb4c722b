"""Find exact and near-duplicate copies of articles and record them as verified relations.

For a chunk of articles: fingerprint them all at once, publish their LSH band keys, look up the articles
sharing a key, verify each candidate on the exact shingle sets, and write an edge only when the texts
really are copies. Every step is idempotent, so a task that runs twice (a redelivered message after a
killed worker) writes nothing new.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from articles.models import Article
from dedup import minhash
from dedup.models import ArticleFingerprint, ArticleRelation, LshBand

# A copy shares at least half of its shingles with the other text overall, or more than half of the
# smaller text is found in the other: a copy cut to half, or heavily edited (new headline, inserted
# paragraph, every twentieth word changed) still is. Different stories sharing a site footer or a long
# quote stay far below: of the 320 English SemEval texts (bench/dedup_quality.py) only a paywall page
# and two reports generated from one template reach it; every other pair stays under 0.26.
NEAR_MIN_JACCARD = 0.5
NEAR_MIN_CONTAINMENT = 0.55
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
    """Fingerprint the articles and write their exact and near-duplicate relations.

    The band keys are committed before the lookup, in a transaction of their own: of two workers linking
    two copies at the same time, the one that commits its keys second is sure to see the other's, so
    no pair is missed. The fingerprint is written last, with the relations: an article with a
    fingerprint of the current version has been fully linked.
    """
    rows = list(
        Article.objects.filter(pk__in=list(article_ids)).order_by("pk").values_list("id", "body", "content_hash")
    )
    if not rows:
        return LinkResult(0, 0, 0)
    ids = [row[0] for row in rows]
    shingles = dict(zip(ids, minhash.shingle_arrays([row[1] for row in rows]), strict=True))
    signatures = minhash.signatures(list(shingles.values()))
    keys = minhash.band_keys_of(signatures)
    banded = [n for n, pk in enumerate(ids) if len(shingles[pk]) >= MIN_SHINGLES]
    keys_by_article = {ids[n]: keys[n] for n in banded}

    with transaction.atomic():
        _store_bands(ids, keys_by_article)
    with transaction.atomic():
        exact_pairs = _exact_pairs(ids, {row[2] for row in rows})
        near = _near_relations(keys_by_article, shingles, exclude=exact_pairs)
        relations = [
            ArticleRelation(a_id=a, b_id=b, kind=ArticleRelation.Kind.EXACT, score=1.0, method="content-hash")
            for a, b in sorted(exact_pairs)
        ] + near
        ArticleRelation.objects.bulk_create(relations, ignore_conflicts=True, batch_size=2000)
        _store_fingerprints(ids, signatures, [len(shingles[pk]) for pk in ids])
    return LinkResult(len(ids), len(exact_pairs), len(near))


def _store_fingerprints(ids: list[int], signatures: np.ndarray, counts: list[int]) -> None:
    if connection.vendor == "postgresql":
        # One statement over arrays instead of a row of parameters per article.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO dedup_articlefingerprint (article_id, signature, shingle_count, version, computed_at)
                SELECT article_id, signature, shingle_count, %s, now()
                FROM unnest(%s::bigint[], %s::bytea[], %s::integer[]) AS f(article_id, signature, shingle_count)
                ON CONFLICT (article_id) DO UPDATE SET signature = excluded.signature,
                    shingle_count = excluded.shingle_count, version = excluded.version,
                    computed_at = excluded.computed_at
                """,
                [minhash.VERSION, ids, [row.tobytes() for row in signatures], counts],
            )
        return
    ArticleFingerprint.objects.bulk_create(
        [
            ArticleFingerprint(article_id=pk, signature=sig.tobytes(), shingle_count=count, version=minhash.VERSION)
            for pk, sig, count in zip(ids, signatures, counts, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["article"],
        update_fields=["signature", "shingle_count", "version", "computed_at"],
    )


# PostgreSQL's binary COPY layout of one (article_id bigint, band smallint, key bigint) row: the field
# count, then each field's length and big-endian value.
_BAND_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("article_length", ">i4"),
        ("article_id", ">i8"),
        ("band_length", ">i4"),
        ("band", ">i2"),
        ("key_length", ">i4"),
        ("key", ">i8"),
    ]
)
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_COPY_TRAILER = b"\xff\xff"


def _store_bands(article_ids: list[int], keys_by_article: dict[int, np.ndarray]) -> None:
    """Replace the articles' band keys: same rows every run, so a redelivered task changes nothing."""
    LshBand.objects.filter(article_id__in=article_ids).delete()
    if not keys_by_article:
        return
    if connection.vendor == "postgresql":
        # Binary COPY of rows laid out by numpy: no per-row Python, no text parsing in PostgreSQL.
        owners = np.fromiter(keys_by_article, dtype=np.int64, count=len(keys_by_article))
        rows = np.empty(len(owners) * minhash.BANDS, dtype=_BAND_ROW)
        rows["fields"], rows["article_length"], rows["band_length"], rows["key_length"] = 3, 8, 2, 8
        rows["article_id"] = np.repeat(owners, minhash.BANDS)
        rows["band"] = np.tile(np.arange(minhash.BANDS, dtype=np.int16), len(owners))
        rows["key"] = np.concatenate(list(keys_by_article.values()))
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY dedup_lshband (article_id, band, key) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.write(_COPY_HEADER + rows.tobytes() + _COPY_TRAILER)
        return
    LshBand.objects.bulk_create(
        [
            LshBand(article_id=a, band=n, key=key)
            for a, keys in keys_by_article.items()
            for n, key in enumerate(keys.tolist())
        ],
        batch_size=5000,
    )


def _candidate_pairs(keys_by_article: dict[int, np.ndarray]) -> set[tuple[int, int]]:
    """Pairs of a chunk article and another article (in the chunk or stored before) sharing a band key.

    Called after the chunk's own keys are stored, inside a transaction.
    """
    if connection.vendor == "postgresql":
        # The chunk's keys are read back from the table, so only its ids travel; the LATERAL ... OFFSET 0
        # keeps the plan an index probe per key, which the planner would otherwise swap for a hash join
        # over the whole table. Compiling the plan (JIT) costs more than running it.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(
                """
                SELECT DISTINCT mine.article_id, other.article_id
                FROM dedup_lshband AS mine
                CROSS JOIN LATERAL (SELECT article_id FROM dedup_lshband WHERE key = mine.key OFFSET 0) AS other
                WHERE mine.article_id = ANY(%s::bigint[]) AND other.article_id <> mine.article_id
                """,
                [list(keys_by_article)],
            )
            return {_pair(one, other) for one, other in cursor.fetchall()}
    owners = np.repeat(np.fromiter(keys_by_article, dtype=np.int64), minhash.BANDS).tolist()
    keys = np.concatenate(list(keys_by_article.values())).tolist()
    holders: dict[int, set[int]] = {}
    for start in range(0, len(keys), 500):
        for article_id, key in LshBand.objects.filter(key__in=keys[start : start + 500]).values_list(
            "article_id", "key"
        ):
            holders.setdefault(key, set()).add(article_id)
    return {
        _pair(one, other)
        for one, key in zip(owners, keys, strict=True)
        for other in holders.get(key, ())
        if other != one
    }


def _exact_pairs(ids: list[int], hashes: set[str]) -> set[tuple[int, int]]:
    chunk = set(ids)
    same_text: dict[str, list[int]] = {}
    for pk, digest in Article.objects.filter(content_hash__in=hashes).values_list("id", "content_hash"):
        same_text.setdefault(digest, []).append(pk)
    pairs = set()
    for group in same_text.values():
        for one in group:
            if one in chunk:
                pairs.update(_pair(one, other) for other in group if other != one)
    return pairs


def _near_relations(
    keys_by_article: dict[int, np.ndarray], shingles: dict[int, np.ndarray], exclude: set[tuple[int, int]]
) -> list[ArticleRelation]:
    if not keys_by_article:
        return []
    candidates = _candidate_pairs(keys_by_article) - exclude
    if not candidates:
        return []
    missing = sorted({i for pair in candidates for i in pair} - shingles.keys())
    if missing:
        others = list(Article.objects.filter(pk__in=missing).values_list("id", "body"))
        shingles.update(
            zip([pk for pk, _ in others], minhash.shingle_arrays([body for _, body in others]), strict=True)
        )
    empty = np.empty(0, dtype=np.uint32)
    relations = []
    for a, b in sorted(candidates):
        first, second = shingles.get(a, empty), shingles.get(b, empty)
        smaller = min(len(first), len(second))
        if smaller < MIN_SHINGLES:
            continue
        shared = minhash.overlap(first, second)
        jaccard = shared / (len(first) + len(second) - shared)
        contained = shared / smaller
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
