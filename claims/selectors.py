"""Reads of claims: the review queue, the claim card, highlights' claims, notifications and the audit log."""

from __future__ import annotations

import datetime
import re
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from annotations.models import Annotation
from claims.models import (
    Claim,
    ClaimAnnotation,
    ClaimOutlet,
    Comment,
    Event,
    Evidence,
    ExtractedValue,
    Notification,
    Suggestion,
    Verdict,
)
from dedup import selectors as dedup_selectors

SENTENCE_END = re.compile('(?<=[.!?\u2026])["\u201d\u2019)\\]]*\\s+|\n+')


def review_queue(
    *,
    statuses: list[str] | None = None,
    tag_id: int | None = None,
    source_id: int | None = None,
    story_id: int | None = None,
    assignee=None,
    unassigned: bool = False,
) -> QuerySet[Claim]:
    """Claims waiting for an editor: most widely carried first, then oldest.

    `story_id` keeps the claims asserted by a live highlight in one of the story's articles.
    """
    claims = Claim.objects.select_related("assignee").only(
        "statement", "status", "auto_disputed", "article_count", "outlet_count", "created_at", "assignee__username"
    )
    chosen = [s for s in (statuses or []) if s in Claim.NEEDS_REVIEW] or list(Claim.NEEDS_REVIEW)
    # Always within the needs-review statuses, so that the partial index serves every filter combination.
    claims = claims.filter(status__in=[str(s) for s in Claim.NEEDS_REVIEW])
    if set(chosen) != set(Claim.NEEDS_REVIEW):
        claims = claims.filter(status__in=chosen)
    if tag_id:
        tagged = Annotation.tags.through.objects.filter(tag_id=tag_id).values("annotation_id")
        claims = claims.filter(pk__in=ClaimAnnotation.objects.filter(annotation_id__in=tagged).values("claim_id"))
    if source_id:
        claims = claims.filter(pk__in=ClaimOutlet.objects.filter(source_id=source_id).values("claim_id"))
    if story_id:
        article_ids = dedup_selectors.story_article_ids(story_id=story_id)
        in_story = ClaimAnnotation.objects.filter(
            annotation__article_id__in=article_ids,
            annotation__deleted_at__isnull=True,
        )
        claims = claims.filter(pk__in=in_story.values("claim_id"))
    if unassigned:
        claims = claims.filter(assignee__isnull=True)
    elif assignee is not None:
        claims = claims.filter(assignee=assignee)
    return claims.order_by("-article_count", "-outlet_count", "created_at", "id")


def claim_list(*, query: str = "", status: str = "") -> QuerySet[Claim]:
    claims = Claim.objects.select_related("assignee").order_by("-created_at", "-id")
    if status:
        claims = claims.filter(status=status)
    if query:
        claims = claim_search_filter(claims, query)
    return claims


def claim_search_filter(claims: QuerySet[Claim], query: str) -> QuerySet[Claim]:
    query = query.strip()[:200]
    if not query:
        return claims
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("statement", config="english")
        search = SearchQuery(query, search_type="websearch", config="english")
        return claims.annotate(rank=SearchRank(vector, search)).filter(rank__gt=0).order_by("-rank", "-id")
    condition = Q()
    for word in query.split()[:10]:
        condition &= Q(statement__icontains=word)
    return claims.filter(condition)


def claim_suggestions_for(*, annotation: Annotation, limit: int = 8) -> list[Claim]:
    """Claims this highlight may belong to: those already on this article or its copies, then similar text."""
    from claims.services import article_copies

    article_ids = [annotation.article_id, *(copy.pk for copy in article_copies(annotation.article))]
    nearby = list(
        Claim.objects.filter(links__annotation__article_id__in=article_ids)
        .exclude(links__annotation=annotation)
        .distinct()
        .order_by("-article_count", "-id")[:limit]
    )
    words = " OR ".join(re.findall(r"\w{4,}", annotation.quote)[:12])
    similar = []
    if words and len(nearby) < limit:
        similar = list(
            claim_search_filter(Claim.objects.exclude(links__annotation=annotation), words).exclude(
                pk__in=[c.pk for c in nearby]
            )[: limit - len(nearby)]
        )
    return nearby + similar


# --- the claim card -----------------------------------------------------------------------------------------


def surrounding_sentence(text: str, start: int, end: int, limit: int = 400) -> tuple[str, str, str]:
    """The sentence around a span, split into before / quote / after so the page can mark the quote."""
    sentence_start = 0
    for match in SENTENCE_END.finditer(text, 0, start):
        sentence_start = match.end()
    following = SENTENCE_END.search(text, end)
    sentence_end = following.start() + 1 if following else len(text)
    sentence_end = max(sentence_end, end)
    before = text[max(sentence_start, start - limit) : start]
    after = text[end : min(sentence_end, end + limit)]
    return before, text[start:end], after


@dataclass
class Carrier:
    """An outlet carrying a value: how many of its articles, and the earliest of them."""

    outlet: str
    first_published: datetime.datetime | None
    url: str
    articles: int = 1


@dataclass
class DistinctValue:
    display: str
    kind: str
    unit: str
    low: float
    high: float
    raws: list[str] = field(default_factory=list)
    carriers: list[Carrier] = field(default_factory=list)


def claim_get(*, pk: int) -> Claim:
    return Claim.objects.select_related("assignee", "created_by").get(pk=pk)


@dataclass
class Highlight:
    """One highlight of a claim as the claim page shows it: plain values, no model instances."""

    pk: int
    annotation_id: int
    article_id: int
    title: str
    outlet: str
    published_at: datetime.datetime | None
    sentence: tuple[str, str, str]
    linked_by: str
    article_url: str
    unlink_url: str
    values: list = field(default_factory=list)

    @property
    def published_iso(self) -> str:
        return self.published_at.isoformat() if self.published_at else ""

    @property
    def published_label(self) -> str:
        return f"{self.published_at:%d %b %Y}".lstrip("0") if self.published_at else ""


@dataclass
class StoredValue:
    kind: str
    low: float
    high: float
    unit: str
    raw: str
    display: str


def claim_links(*, claim: Claim) -> list[Highlight]:
    """Every live highlight of a claim with its article, outlet and values, in two queries.

    Rows rather than model instances: building 1,500 instances for a claim carried by 200 articles
    costs more than the queries themselves.
    """
    rows = (
        ClaimAnnotation.objects.filter(claim=claim, annotation__deleted_at__isnull=True)
        .order_by("annotation__article__published_at", "id")
        .values_list(
            "pk",
            "annotation_id",
            "annotation__start",
            "annotation__end",
            "annotation__article_id",
            "annotation__article__title",
            "annotation__article__body",
            "annotation__article__published_at",
            "annotation__article__source__name",
            "linked_by__username",
        )
    )
    # "#ann-<id>" is the id the reading page gives each highlight in its list.
    article_url = reverse("articles:detail", args=[0]).replace("/0/", "/{}/")
    unlink_url = reverse("claims:link_delete", args=[0]).replace("/0/", "/{}/")
    highlights = [
        Highlight(
            pk=pk,
            annotation_id=annotation_id,
            article_id=article_id,
            title=title,
            outlet=outlet,
            published_at=published_at,
            sentence=surrounding_sentence(body, start, end),
            linked_by=linked_by,
            article_url=article_url.format(article_id) + f"#ann-{annotation_id}",
            unlink_url=unlink_url.format(pk),
        )
        for pk, annotation_id, start, end, article_id, title, body, published_at, outlet, linked_by in rows
    ]
    by_pk = {highlight.pk: highlight for highlight in highlights}
    for link_id, *value in (
        ExtractedValue.objects.filter(link__claim=claim)
        .order_by("link_id", "id")
        .values_list("link_id", "kind", "low", "high", "unit", "raw", "display")
    ):
        if link_id in by_pk:
            by_pk[link_id].values.append(StoredValue(*value))
    return highlights


def claim_distinct_values(*, links: list[Highlight]) -> list[DistinctValue]:
    """Each different value stated for the claim, with the outlets that carry it."""
    distinct: OrderedDict[tuple, DistinctValue] = OrderedDict()
    seen: dict[tuple, set[int]] = {}
    for link in links:  # ordered by publication, so an outlet's first carrier is its earliest article
        for value in link.values:
            key = (value.kind if value.kind != "range" else "number", value.unit, value.low, value.high)
            entry = distinct.get(key)
            if entry is None:
                entry = distinct[key] = DistinctValue(value.display, value.kind, value.unit, value.low, value.high)
                seen[key] = set()
            if value.raw not in entry.raws and len(entry.raws) < 5:
                entry.raws.append(value.raw)
            if link.article_id in seen[key]:
                continue
            seen[key].add(link.article_id)
            carrier = next((c for c in entry.carriers if c.outlet == link.outlet), None)
            if carrier is None:
                entry.carriers.append(Carrier(link.outlet, link.published_at, link.article_url))
            else:
                carrier.articles += 1
    return sorted(distinct.values(), key=lambda v: (v.kind, v.unit, v.low, v.high))


def claim_conflicting_values(*, distinct: list[DistinctValue]) -> bool:
    from claims import values

    as_values = [values.Value(v.kind, v.low, v.high, v.unit) for v in distinct]
    return any(a.comparable(b) and not a.overlaps(b) for i, a in enumerate(as_values) for b in as_values[i + 1 :])


def claim_origin(*, links: list[Highlight]) -> Highlight | None:
    """The highlight in the earliest article carrying the claim (its first appearance as far as we know)."""
    dated = [link for link in links if link.published_at]
    if dated:
        return min(dated, key=lambda link: link.published_at)
    return links[0] if links else None


def claim_verdicts(*, claim: Claim) -> list[Verdict]:
    return list(
        Verdict.objects.filter(claim=claim)
        .select_related("reviewer")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("article")))
    )


def claim_comments(*, claim: Claim) -> list[Comment]:
    return list(Comment.objects.filter(claim=claim).select_related("author"))


def claim_events(*, claim: Claim, limit: int = 50) -> list[Event]:
    return list(Event.objects.filter(claim=claim).select_related("actor")[:limit])


def claim_suggestions(*, claim: Claim) -> list[Suggestion]:
    return list(
        Suggestion.objects.filter(claim=claim, state__in=[Suggestion.State.PROPOSED, Suggestion.State.ORPHANED])
        .select_related("article__source")
        .defer("article__body", "article__extra")
    )


# --- for the reading page -----------------------------------------------------------------------------------


def claims_for_annotations(annotation_ids) -> dict[int, list[dict]]:
    """{annotation id: [{id, statement, status, status_label, url}, ...]} in one query, for verdict badges."""
    result: dict[int, list[dict]] = {}
    ids = [int(i) for i in annotation_ids]
    if not ids:
        return result
    links = (
        ClaimAnnotation.objects.filter(annotation_id__in=ids)
        .select_related("claim")
        .only("annotation_id", "claim__statement", "claim__status")
        .order_by("annotation_id", "claim_id")
    )
    for link in links:
        claim = link.claim
        result.setdefault(link.annotation_id, []).append(
            {
                "id": claim.pk,
                "statement": claim.statement,
                "status": claim.status,
                "status_label": claim.get_status_display(),
                "url": reverse("claims:detail", args=[claim.pk]),
            }
        )
    return result


# --- notifications and audit --------------------------------------------------------------------------------


def notification_unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).select_related("actor", "claim", "comment")


def event_list(
    *,
    actor_id: int | None = None,
    verb: str = "",
    claim_id: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Event]:
    events = Event.objects.select_related("actor")
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if verb:
        events = events.filter(verb=verb)
    if claim_id:
        events = events.filter(claim_id=claim_id)
    if date_from:
        events = events.filter(created_at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    return events


def event_verbs() -> list[str]:
    return sorted(Event.objects.values_list("verb", flat=True).distinct())


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
