"""Claims for other tools: schema.org ClaimReview JSON-LD and a JSONL export with highlights and verdicts."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from claims.models import Claim, ClaimAnnotation, Evidence, Verdict

# Verdicts a reader can rely on; "reopened" means the question is open again, so nothing is published.
PUBLISHED_STATUSES = ("supported", "disputed", "false", "misleading", "unverifiable")
# schema.org Rating on a 1..5 scale; -1 where no rating applies (Google's convention for ClaimReview).
RATING_VALUES = {"false": 1, "misleading": 2, "disputed": 3, "supported": 5, "unverifiable": -1}


def _absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path


def _article_url(base_url: str, article) -> str:
    return article.url or _absolute(base_url, reverse("articles:detail", args=[article.pk]))


def published_claims() -> QuerySet[Claim]:
    """Claims whose current verdict is published, with everything ClaimReview needs prefetched."""
    return (
        Claim.objects.filter(status__in=PUBLISHED_STATUSES, verdicts__is_current=True)
        .prefetch_related(
            Prefetch(
                "verdicts",
                queryset=Verdict.objects.filter(is_current=True).select_related("reviewer"),
                to_attr="current_verdicts",
            ),
            Prefetch(
                "links",
                queryset=ClaimAnnotation.objects.filter(annotation__deleted_at__isnull=True)
                .select_related("annotation__article__source")
                .defer("annotation__article__body", "annotation__article__extra"),
            ),
        )
        .order_by("id")
        .distinct()
    )


def claim_review(*, claim: Claim, verdict: Verdict, links: list[ClaimAnnotation], base_url: str) -> dict:
    """One ClaimReview (https://schema.org/ClaimReview) for a claim's current verdict."""
    articles = []
    for link in links:
        article = link.annotation.article
        if all(a.pk != article.pk for a in articles):
            articles.append(article)
    dated = [a for a in articles if a.published_at]
    first = min(dated, key=lambda a: a.published_at) if dated else (articles[0] if articles else None)

    def creative_work(article) -> dict:
        work = {"@type": "CreativeWork", "url": _article_url(base_url, article), "headline": article.title}
        if article.published_at:
            work["datePublished"] = article.published_at.isoformat()
        work["publisher"] = {"@type": "Organization", "name": article.source.name}
        return work

    item = {"@type": "Claim", "text": claim.statement, "appearance": [creative_work(a) for a in articles]}
    if first is not None:
        item["firstAppearance"] = creative_work(first)
        if first.published_at:
            item["datePublished"] = first.published_at.isoformat()
    reviewer = verdict.reviewer
    page = _absolute(base_url, reverse("claims:detail", args=[claim.pk]))
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": page,
        "claimReviewed": claim.statement,
        "datePublished": verdict.created_at.date().isoformat(),
        "author": {"@type": "Person", "name": reviewer.get_full_name() or reviewer.get_username()},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING_VALUES.get(verdict.status, -1),
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": verdict.get_status_display(),
            "ratingExplanation": verdict.rationale,
        },
        "itemReviewed": item,
    }


def claim_review_for(*, claim: Claim, base_url: str) -> dict | None:
    """The ClaimReview of one claim, or None while it has no published verdict."""
    verdict = Verdict.objects.filter(claim=claim, is_current=True).select_related("reviewer").first()
    if verdict is None or verdict.status not in PUBLISHED_STATUSES:
        return None
    links = list(
        ClaimAnnotation.objects.filter(claim=claim, annotation__deleted_at__isnull=True)
        .select_related("annotation__article__source")
        .defer("annotation__article__body", "annotation__article__extra")
    )
    return claim_review(claim=claim, verdict=verdict, links=links, base_url=base_url)


def claim_reviews(*, base_url: str, chunk_size: int = 500) -> Iterator[dict]:
    for claim in published_claims().iterator(chunk_size=chunk_size):
        verdict = claim.current_verdicts[0]
        yield claim_review(claim=claim, verdict=verdict, links=list(claim.links.all()), base_url=base_url)


def claim_reviews_feed(*, base_url: str) -> dict:
    return {
        "@context": "https://schema.org",
        "@graph": [{k: v for k, v in r.items() if k != "@context"} for r in claim_reviews(base_url=base_url)],
    }


def _finite(number: float) -> float | None:
    return number if math.isfinite(number) else None


def claims_jsonl(*, base_url: str, chunk_size: int = 500) -> Iterator[str]:
    """One JSON line per claim: statement, status, highlights with their values, and every verdict."""
    claims = Claim.objects.order_by("id").prefetch_related(
        Prefetch(
            "links",
            queryset=ClaimAnnotation.objects.select_related("annotation__article__source", "linked_by")
            .defer("annotation__article__body", "annotation__article__extra")
            .prefetch_related("values"),
        ),
        Prefetch(
            "verdicts",
            queryset=Verdict.objects.select_related("reviewer").prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.select_related("article").defer("article__body"))
            ),
        ),
    )
    for claim in claims.iterator(chunk_size=chunk_size):
        record = {
            "id": claim.pk,
            "url": _absolute(base_url, reverse("claims:detail", args=[claim.pk])),
            "statement": claim.statement,
            "status": claim.status,
            "auto_disputed": claim.auto_disputed,
            "created_at": claim.created_at.isoformat(),
            "highlights": [
                {
                    "annotation": link.annotation_id,
                    "article": link.annotation.article_id,
                    "article_url": _article_url(base_url, link.annotation.article),
                    "outlet": link.annotation.article.source.name,
                    "published_at": link.annotation.article.published_at.isoformat()
                    if link.annotation.article.published_at
                    else None,
                    "quote": link.annotation.quote,
                    "start": link.annotation.start,
                    "end": link.annotation.end,
                    "deleted": link.annotation.deleted_at is not None,
                    "linked_by": link.linked_by.get_username(),
                    "values": [
                        {
                            "kind": value.kind,
                            "low": _finite(value.low),
                            "high": _finite(value.high),
                            "unit": value.unit,
                            "raw": value.raw,
                            "display": value.display,
                        }
                        for value in link.values.all()
                    ],
                }
                for link in claim.links.all()
            ],
            "verdicts": [
                {
                    "status": verdict.status,
                    "rationale": verdict.rationale,
                    "reviewer": verdict.reviewer.get_username(),
                    "created_at": verdict.created_at.isoformat(),
                    "current": verdict.is_current,
                    "evidence": [
                        {"url": e.url, "article": e.article_id, "note": e.note} for e in verdict.evidence.all()
                    ],
                }
                for verdict in claim.verdicts.all()
            ],
        }
        yield json.dumps(record, ensure_ascii=False) + "\n"
