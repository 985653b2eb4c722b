"""Find rewrites and same-story articles among those that appeared within a time window.

For each article: store its term profile (counting its terms once into the corpus's document
frequencies), index its most distinctive terms, look up articles of the window that share several of
them, score each candidate (dedup.semantic) and write a `rewrite` or `story` edge when it is similar
enough. Pairs that are already exact or near copies are left to those stronger edges. Then the articles
are placed in stories (dedup.stories).

Idempotent: a profile is counted into the document frequencies only when it is first stored, key
terms are replaced with the same rows, and edges are unique per pair and kind.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q

from articles.models import Article
from dedup import embeddings, semantic, stories
from dedup.models import ArticleEmbedding, ArticleKeyTerm, ArticleProfile, ArticleRelation, TermStat

# Scores on the scale of semantic.similarity; chosen on rated news pairs (bench/dedup_quality.py).
STORY_MIN_SCORE = 0.5
REWRITE_MIN_SCORE = 0.7
# Candidates must share at least this many key terms, and at most this many are scored per article.
MIN_SHARED_TERMS = 3
MAX_CANDIDATES = 40
# Texts with fewer distinct content words than this (a two-line brief) are never candidates: too little
# to tell one story from another, as the near tier's shingle floor says for copies.
MIN_TERMS = 20
POSTINGS_PER_TERM = 300


@dataclass(frozen=True)
class RelateResult:
    profiled: int
    embedded: int
    rewrite: int
    story: int
    placed: int


def window() -> timedelta:
    return timedelta(days=getattr(settings, "DEDUP_STORY_WINDOW_DAYS", 4))


def _pair(one: int, other: int) -> tuple[int, int]:
    return (one, other) if one < other else (other, one)


def articles_relate(*, article_ids: Iterable[int]) -> RelateResult:
    articles = list(
        Article.objects.filter(pk__in=list(article_ids)).only("id", "title", "body", "published_at", "created_at")
    )
    if not articles:
        return RelateResult(0, 0, 0, 0, 0)
    embedded = embeddings.embed_articles(articles)
    profiles = {article.pk: semantic.Profile.of(article.title, article.body) for article in articles}
    appeared = {article.pk: article.published_at or article.created_at for article in articles}

    # Three short transactions rather than one long one, so that concurrent workers hold the shared
    # term counts, and the story lock, only briefly. The key terms are committed before the lookup:
    # of two workers handling two related articles at once, the second to commit is sure to see the
    # first's. Each step is idempotent on its own, so a task killed between them is redone safely.
    with transaction.atomic():
        new_ids = _store_profiles(profiles, appeared)
        _count_terms([profiles[pk] for pk in new_ids])
        idf = _idf(term for profile in profiles.values() for term in profile.body)
        keys = {
            pk: semantic.key_terms(profile, idf) if len(profile.body) >= MIN_TERMS else []
            for pk, profile in profiles.items()
        }
        _store_key_terms(keys, appeared)
    with transaction.atomic():
        candidates = {pk: _candidates(pk, keys[pk], appeared[pk]) for pk in profiles}
        written = _write(_score(articles, profiles, candidates))
    with transaction.atomic():
        placed = stories.assign(article_ids=[article.pk for article in articles])
    kinds = Counter(relation.kind for relation in written)
    return RelateResult(len(new_ids), embedded, kinds["rewrite"], kinds["story"], placed)


def _store_profiles(profiles: dict[int, semantic.Profile], appeared: dict) -> list[int]:
    """Insert profiles that are not stored yet (or are of an older version); return their ids."""
    current = set(
        ArticleProfile.objects.filter(article_id__in=profiles, version=semantic.VERSION).values_list(
            "article_id", flat=True
        )
    )
    fresh = [pk for pk in profiles if pk not in current]
    if fresh:
        stale = set(ArticleProfile.objects.filter(article_id__in=fresh).values_list("article_id", flat=True))
        ArticleProfile.objects.bulk_create(
            [
                ArticleProfile(
                    article_id=pk, data=profiles[pk].to_bytes(), version=semantic.VERSION, appeared_at=appeared[pk]
                )
                for pk in fresh
            ],
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=["data", "version", "appeared_at", "computed_at"],
        )
        # A re-profiled article was counted once already.
        fresh = [pk for pk in fresh if pk not in stale]
    return fresh


def _count_terms(new_profiles: list[semantic.Profile]) -> None:
    """Add the new articles' terms to the document frequencies, in term order so that concurrent
    workers lock rows in the same order and never deadlock."""
    if not new_profiles:
        return
    df: Counter = Counter()
    for profile in new_profiles:
        df.update(profile.body.keys())
    df[TermStat.DOCUMENTS] = len(new_profiles)
    rows = sorted(df.items())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO dedup_termstat (term, df) SELECT t, n FROM unnest(%s::int[], %s::int[]) AS u(t, n) "
                "ORDER BY t ON CONFLICT (term) DO UPDATE SET df = dedup_termstat.df + EXCLUDED.df",
                [[term for term, _ in rows], [n for _, n in rows]],
            )
        else:
            cursor.executemany(
                "INSERT INTO dedup_termstat (term, df) VALUES (%s, %s) "
                "ON CONFLICT (term) DO UPDATE SET df = dedup_termstat.df + excluded.df",
                rows,
            )


def _idf(terms: Iterable[int]) -> semantic.Idf:
    wanted = sorted(set(terms) | {TermStat.DOCUMENTS})
    df = {}
    for start in range(0, len(wanted), 5000):
        df.update(TermStat.objects.filter(term__in=wanted[start : start + 5000]).values_list("term", "df"))
    return semantic.Idf(df, df.pop(TermStat.DOCUMENTS, 0))


def _store_key_terms(keys: dict[int, list[int]], appeared: dict) -> None:
    ArticleKeyTerm.objects.filter(article_id__in=keys).delete()
    ArticleKeyTerm.objects.bulk_create(
        [
            ArticleKeyTerm(article_id=pk, term=term, appeared_at=appeared[pk])
            for pk, terms in keys.items()
            for term in terms
        ],
        batch_size=5000,
    )


def _candidates(article_id: int, terms: list[int], when) -> set[int]:
    """Articles of the time window sharing at least MIN_SHARED_TERMS of the key terms, most first.

    Each term contributes at most POSTINGS_PER_TERM articles of the window, the closest in time on
    either side (two bounded scans of the (term, appeared_at) index). A term that hundreds of articles
    share that week (a weather bulletin's words, a ticker's template) says nothing about which of them
    tell one story, and reading all of its postings for every article would make the lookup grow with
    the square of such articles.
    """
    if not terms:
        return set()
    span = window()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT k.article_id FROM unnest(%(terms)s::int[]) AS t(term)
                CROSS JOIN LATERAL (
                    (SELECT article_id FROM dedup_articlekeyterm
                     WHERE term = t.term AND appeared_at BETWEEN %(start)s AND %(when)s
                     ORDER BY appeared_at DESC LIMIT %(half)s)
                    UNION ALL
                    (SELECT article_id FROM dedup_articlekeyterm
                     WHERE term = t.term AND appeared_at > %(when)s AND appeared_at <= %(end)s
                     ORDER BY appeared_at LIMIT %(half)s)
                ) AS k
                WHERE k.article_id <> %(article)s
                GROUP BY k.article_id HAVING count(*) >= %(shared)s
                ORDER BY count(*) DESC, k.article_id LIMIT %(limit)s
                """,
                {
                    "terms": terms,
                    "start": when - span,
                    "when": when,
                    "end": when + span,
                    "half": POSTINGS_PER_TERM // 2,
                    "article": article_id,
                    "shared": MIN_SHARED_TERMS,
                    "limit": MAX_CANDIDATES,
                },
            )
            return {row[0] for row in cursor.fetchall()}
    rows = (
        ArticleKeyTerm.objects.filter(term__in=terms, appeared_at__range=(when - span, when + span))
        .exclude(article_id=article_id)
        .values("article_id")
        .annotate(shared=Count("id"))
        .filter(shared__gte=MIN_SHARED_TERMS)
        .order_by("-shared", "article_id")
        .values_list("article_id", flat=True)[:MAX_CANDIDATES]
    )
    return set(rows)


def _score(
    articles: list[Article], profiles: dict[int, semantic.Profile], candidates: dict[int, set[int]]
) -> list[ArticleRelation]:
    pairs = {_pair(pk, other) for pk, others in candidates.items() for other in others}
    if not pairs:
        return []
    copies = set(
        ArticleRelation.objects.filter(
            Q(a_id__in=profiles) | Q(b_id__in=profiles),
            kind__in=[ArticleRelation.Kind.EXACT, ArticleRelation.Kind.NEAR],
        ).values_list("a_id", "b_id")
    )
    pairs -= copies
    everyone = {pk for pair in pairs for pk in pair}
    missing = everyone - profiles.keys()
    for pk, data in ArticleProfile.objects.filter(article_id__in=missing).values_list("article_id", "data"):
        profiles[pk] = semantic.Profile.from_bytes(bytes(data))
    vectors = {
        pk: np.frombuffer(bytes(vector), dtype=np.float32)
        for pk, vector in ArticleEmbedding.objects.filter(article_id__in=everyone).values_list("article_id", "vector")
    }
    idf = _idf(term for pk in everyone if pk in profiles for term in profiles[pk].body)
    weighted = {pk: semantic.Weighted.of(profiles[pk], idf) for pk in everyone if pk in profiles}
    scored = []
    for a, b in sorted(pairs):
        if a not in weighted or b not in weighted:
            continue
        embedding = float(vectors[a] @ vectors[b]) if a in vectors and b in vectors else None
        found = semantic.similarity_of(weighted[a], weighted[b], embedding)
        if found.score >= STORY_MIN_SCORE:
            scored.append((a, b, found, embedding))
    # Rewrite candidates need both texts: fetch the ones not in this chunk in one query.
    bodies = {article.pk: article.body for article in articles}
    wanted = {pk for a, b, found, _ in scored if found.score >= REWRITE_MIN_SCORE for pk in (a, b)} - bodies.keys()
    if wanted:
        bodies.update(Article.objects.filter(pk__in=wanted).values_list("id", "body"))
    relations = []
    for a, b, found, embedding in scored:
        kind, details = ArticleRelation.Kind.STORY, found.as_details()
        if found.score >= REWRITE_MIN_SCORE:
            coverage = semantic.sentence_coverage(bodies[a], bodies[b], idf)
            details["sentence_coverage"] = round(coverage, 4)
            if coverage >= semantic.REWRITE_MIN_COVERAGE:
                kind = ArticleRelation.Kind.REWRITE
        method = f"terms-v{semantic.VERSION}" + ("+embedding" if embedding is not None else "")
        relations.append(ArticleRelation(a_id=a, b_id=b, kind=kind, score=found.score, method=method, details=details))
    return relations


def _write(relations: list[ArticleRelation]) -> list[ArticleRelation]:
    """Write new edges; a pair re-scored into the other semantic kind keeps only the new one."""
    if not relations:
        return []
    semantic_kinds = [ArticleRelation.Kind.REWRITE, ArticleRelation.Kind.STORY]
    existing = {
        (a, b): kind
        for a, b, kind in ArticleRelation.objects.filter(
            a_id__in={r.a_id for r in relations}, b_id__in={r.b_id for r in relations}, kind__in=semantic_kinds
        ).values_list("a_id", "b_id", "kind")
    }
    fresh = [r for r in relations if existing.get((r.a_id, r.b_id)) != r.kind]
    changed = [r for r in fresh if (r.a_id, r.b_id) in existing]
    for relation in changed:
        ArticleRelation.objects.filter(a_id=relation.a_id, b_id=relation.b_id, kind__in=semantic_kinds).delete()
    ArticleRelation.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=2000)
    return fresh
