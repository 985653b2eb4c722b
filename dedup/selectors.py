"""Reads of article relations and stories: an article's copies, the Stories pages, the article list's
relation filters, and counts for the status page."""

import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from articles.models import Article
from dedup import embeddings
from dedup.models import (
    ArticleEmbedding,
    ArticleFingerprint,
    ArticleProfile,
    ArticleRelation,
    Story,
    StoryMembership,
)

# Strongest first, when two articles are related in more than one way.
KIND_ORDER = {"exact": 0, "near": 1, "rewrite": 2, "story": 3}


def article_copies(article: Article) -> list[Article]:
    """Articles related to this one, each with .relation_kind, .relation_score and .is_origin set.

    The origin is the earliest published of the article and its copies (undated ones count as latest).
    """
    relations = ArticleRelation.objects.filter(Q(a=article) | Q(b=article)).values_list("a_id", "b_id", "kind", "score")
    best: dict[int, tuple[str, float]] = {}
    for a, b, kind, score in relations:
        other = b if a == article.pk else a
        if other not in best or KIND_ORDER[kind] < KIND_ORDER[best[other][0]]:
            best[other] = (kind, score)
    if not best:
        return []
    copies = list(Article.objects.filter(pk__in=best).select_related("source").defer("body", "extra"))
    everyone = [article, *copies]
    origin = min(everyone, key=lambda item: (item.published_at is None, item.published_at, item.pk))
    for copy in copies:
        copy.relation_kind, copy.relation_score = best[copy.pk]
        copy.is_origin = copy.pk == origin.pk
    article.is_origin = origin.pk == article.pk
    return sorted(copies, key=lambda item: (KIND_ORDER[item.relation_kind], -item.relation_score, item.pk))


def detection_status() -> dict:
    """How far background detection has got, for the admins' status page."""
    by_kind = dict(ArticleRelation.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return {
        "articles": Article.objects.count(),
        "fingerprinted": ArticleFingerprint.objects.count(),
        "profiled": ArticleProfile.objects.count(),
        "embedded": ArticleEmbedding.objects.count(),
        "embeddings_installed": embeddings.installed(),
        "stories": Story.objects.count(),
        "relations": {kind: by_kind.get(kind, 0) for kind, _ in ArticleRelation.Kind.choices},
        "queued": queued_tasks(),
    }


def queued_tasks() -> dict[str, int] | None:
    """Messages waiting in each detection queue, or None when tasks run in-process or the broker is
    not Redis (whose queues are plain lists) or cannot be reached."""
    from config.celery import app

    if app.conf.task_always_eager or not app.conf.broker_url.startswith("redis"):
        return None
    try:
        with app.connection_for_read() as connection:
            client = connection.default_channel.client
            return {queue: client.llen(queue) for queue in ("default", "semantic")}
    except Exception:  # the page must still answer when the broker is down
        return None


# --- stories ------------------------------------------------------------------------------------------------

COPY_KINDS = (ArticleRelation.Kind.EXACT, ArticleRelation.Kind.NEAR)
# Undated articles sort after every dated one when deciding which copy came first.
UNDATED = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
# The article-list relation filter: its values and what each one keeps.
RELATION_FILTERS = (
    ("copies", "Has copies"),
    ("rewrites", "Has rewrites"),
    ("story", "In a story"),
    ("none", "No relations"),
)


def story_list() -> QuerySet[Story]:
    """Stories for the Stories page: largest first, then the most recently published, on the size-recency index."""
    return (
        Story.objects.select_related("canonical__source")
        .defer("canonical__body", "canonical__extra")
        .order_by("-article_count", "-last_published_at", "-pk")
    )


def stories_describe(stories: list[Story]) -> None:
    """Set .outlet_names and .kinds (kind, label, count) on a page of stories, in two queries whatever its size.

    The canonical article is the origin, so it is left out of the breakdown of how members joined.
    """
    ids = [story.pk for story in stories]
    outlets: dict[int, list[str]] = {}
    for story_id, name in (
        StoryMembership.objects.filter(story_id__in=ids)
        .values_list("story_id", "article__source__name")
        .distinct()
        .order_by("story_id", "article__source__name")
    ):
        outlets.setdefault(story_id, []).append(name)
    kinds: dict[int, dict[str, int]] = {}
    for story_id, kind, count in (
        StoryMembership.objects.filter(story_id__in=ids)
        .exclude(article_id=F("story__canonical_id"))
        .values_list("story_id", "kind")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        kinds.setdefault(story_id, {})[kind] = count
    for story in stories:
        names = outlets.get(story.pk, [])
        if story.canonical is not None and story.canonical.source.name not in names:
            names = sorted([*names, story.canonical.source.name])
        story.outlet_names = names
        story.kinds = _kind_breakdown(kinds.get(story.pk, {}))


def story_get(*, pk: int) -> Story:
    return Story.objects.select_related("canonical__source").defer("canonical__body", "canonical__extra").get(pk=pk)


def story_article_ids(*, story_id: int) -> list[int]:
    """The ids of a story's articles, its members and its canonical, in one indexed query.

    Read as a list rather than used as a subquery: an OR across the membership join would make
    PostgreSQL scan every article.
    """
    members = StoryMembership.objects.filter(story_id=story_id).values_list("article_id", flat=True)
    canonical = Story.objects.filter(pk=story_id, canonical__isnull=False).values_list("canonical_id", flat=True)
    return sorted(set(members.union(canonical)))


def story_members(story: Story) -> QuerySet[Article]:
    """A story's articles, the origin first and then by publication date, with .membership_kind,
    .membership_score and .is_origin set by the query."""
    return (
        Article.objects.filter(pk__in=story_article_ids(story_id=story.pk))
        .select_related("source")
        .defer("body", "extra")
        .annotate(
            membership_kind=F("story_membership__kind"),
            membership_score=F("story_membership__score"),
            is_origin=Case(When(pk=story.canonical_id, then=Value(True)), default=Value(False)),
        )
        .order_by("-is_origin", F("published_at").asc(nulls_last=True), "pk")
    )


def story_summary(story: Story) -> dict:
    """What the story page shows above its members: outlets with their article counts, and how members joined."""
    members = StoryMembership.objects.filter(story=story)
    outlets = list(
        members.values_list("article__source__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "article__source__name")
        .values_list("article__source__name", "count")
    )
    if story.canonical is not None and story.canonical.source.name not in {name for name, _ in outlets}:
        outlets.append((story.canonical.source.name, 1))
    kinds = dict(
        members.exclude(article_id=story.canonical_id)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return {"outlets": outlets, "kinds": _kind_breakdown(kinds)}


def article_story(article: Article) -> Story | None:
    """The story an article belongs to, as a member or else as its canonical article."""
    membership = StoryMembership.objects.select_related("story").filter(article=article).first()
    if membership is not None:
        return membership.story
    return Story.objects.filter(canonical=article).order_by("pk").first()


def story_choices(*, selected_id: int | None = None, limit: int = 50) -> list[Story]:
    """Stories to offer in a filter: the largest and most recent, plus the one already chosen."""
    stories = list(
        Story.objects.only("title", "article_count").order_by("-article_count", "-last_published_at", "-pk")[:limit]
    )
    if selected_id and all(story.pk != selected_id for story in stories):
        stories += list(Story.objects.only("title", "article_count").filter(pk=selected_id))
    return stories


# How the breakdown of a story's members names each kind: singular, plural.
KIND_COUNT_LABELS = {
    "exact": ("exact copy", "exact copies"),
    "near": ("near copy", "near copies"),
    "rewrite": ("rewrite", "rewrites"),
    "story": ("same story", "same story"),
}


def _kind_breakdown(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    """(kind, label, count) for each kind present, strongest first."""
    return [(kind, KIND_COUNT_LABELS[kind][counts[kind] != 1], counts[kind]) for kind in KIND_ORDER if counts.get(kind)]


# --- the article list: collapsing copies, filtering by relation ----------------------------------------------


def _order_key(field: str):
    return Coalesce(field, Value(UNDATED))


def articles_collapse_copies(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Keep only the earliest article of each group of exact and near copies, with .hidden_copies counted.

    An article is left out when it is an exact or near copy of an earlier one (undated ones count as the
    latest, ties go to the lower id). Both are correlated subqueries on the relation indexes, so the page
    costs the same whatever the size of the table.
    """
    mine = _order_key(OuterRef("published_at"))
    # Relations are stored with a.id < b.id: the other article is b when this one is a, and a otherwise.
    as_a = ArticleRelation.objects.filter(a=OuterRef("pk"), kind__in=COPY_KINDS).annotate(
        other=_order_key("b__published_at")
    )
    as_b = ArticleRelation.objects.filter(b=OuterRef("pk"), kind__in=COPY_KINDS).annotate(
        other=_order_key("a__published_at")
    )
    later_as_a = as_a.filter(other__gte=mine).order_by().values("a").annotate(n=Count("b", distinct=True)).values("n")
    later_as_b = as_b.filter(other__gt=mine).order_by().values("b").annotate(n=Count("a", distinct=True)).values("n")
    return (
        articles.exclude(Exists(as_a.filter(other__lt=mine)))
        .exclude(Exists(as_b.filter(other__lte=mine)))
        .annotate(
            hidden_copies=Coalesce(Subquery(later_as_a, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(later_as_b, output_field=IntegerField()), Value(0))
        )
    )


def articles_with_relation(articles: QuerySet[Article], relation: str) -> QuerySet[Article]:
    """Filter articles by how they are related to others: one of RELATION_FILTERS' values."""
    if relation == "copies":
        return articles.filter(_has_edge(COPY_KINDS))
    if relation == "rewrites":
        return articles.filter(_has_edge((ArticleRelation.Kind.REWRITE,)))
    if relation == "story":
        return articles.filter(
            Exists(StoryMembership.objects.filter(article=OuterRef("pk")))
            | Exists(Story.objects.filter(canonical=OuterRef("pk")))
        )
    if relation == "none":
        return articles.exclude(Exists(ArticleRelation.objects.filter(a=OuterRef("pk")))).exclude(
            Exists(ArticleRelation.objects.filter(b=OuterRef("pk")))
        )
    raise ValueError(f"Unknown relation filter {relation!r}; expected one of {[v for v, _ in RELATION_FILTERS]}.")


def _has_edge(kinds) -> Q:
    return Exists(ArticleRelation.objects.filter(a=OuterRef("pk"), kind__in=kinds)) | Exists(
        ArticleRelation.objects.filter(b=OuterRef("pk"), kind__in=kinds)
    )
