"""Group related articles into stories without chaining unrelated ones together.

Single links are not enough: A about an event, B about it and its aftermath, C about the aftermath
only would chain A to C. So an article joins a story only when it is a copy (exact or near) of one
of its members, is related to the story's canonical article, or is related to a majority of its
members (for a story of more than MAJORITY_CAP articles, to MAJORITY_CAP // 2 + 1 of them). An
article related to articles of no story founds one with those of them that have none. The canonical
article is the earliest published member.

Membership is sticky: an article placed in a story stays there, so re-running detection never moves
articles around. Placement is serialised by a transaction-level advisory lock on PostgreSQL, so two
workers never found two stories for the same articles.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import Coalesce

from articles.models import Article
from dedup.models import ArticleRelation, Story, StoryMembership
from dedup.selectors import KIND_ORDER

MAJORITY_CAP = 10
_LOCK_KEY = 0x5_7041  # any constant shared by all workers
_COPIES = {ArticleRelation.Kind.EXACT, ArticleRelation.Kind.NEAR}


def assign(*, article_ids: Iterable[int]) -> int:
    """Place each of the articles in a story where it belongs; return how many were placed."""
    ids = list(article_ids)
    if not ids:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    order = (
        Article.objects.filter(pk__in=ids, story_membership__isnull=True)
        .annotate(appeared=Coalesce("published_at", "created_at"))
        .order_by("appeared", "pk")
        .values_list("pk", flat=True)
    )
    before = StoryMembership.objects.filter(article_id__in=ids).count()
    for pk in order:
        found = _place(pk)
        if found is None:
            continue
        story, founded = found
        # A new story has a few members: count them. A story that grows by one is updated by one, so
        # that placing articles in a story of thousands does not re-read all of them each time.
        if founded:
            refresh(story.pk)
        else:
            _grow(story, pk)
    return StoryMembership.objects.filter(article_id__in=ids).count() - before


def _edges(pk: int) -> dict[int, tuple[str, float]]:
    """The article's strongest relation to each related article."""
    best: dict[int, tuple[str, float]] = {}
    for a, b, kind, score in ArticleRelation.objects.filter(Q(a_id=pk) | Q(b_id=pk)).values_list(
        "a_id", "b_id", "kind", "score"
    ):
        other = b if a == pk else a
        if other not in best or KIND_ORDER[kind] < KIND_ORDER[best[other][0]]:
            best[other] = (kind, score)
    return best


def _place(pk: int) -> tuple[Story, bool] | None:
    """The story the article joins (and whether it was founded for it), or None."""
    if StoryMembership.objects.filter(article_id=pk).exists():
        return None  # placed a moment ago, with a story founded by an earlier article of this run
    edges = _edges(pk)
    if not edges:
        return None
    story_of = dict(StoryMembership.objects.filter(article_id__in=edges).values_list("article_id", "story_id"))
    stories = {story.pk: story for story in Story.objects.filter(pk__in=set(story_of.values()))}
    choice, choice_rank = None, None
    for story in stories.values():
        linked = [other for other, story_id in story_of.items() if story_id == story.pk]
        copy_of_member = any(edges[other][0] in _COPIES for other in linked)
        needed = min(story.article_count, MAJORITY_CAP) // 2 + 1
        if not (copy_of_member or story.canonical_id in edges or len(linked) >= needed):
            continue
        rank = (copy_of_member, len(linked) / max(story.article_count, 1), max(edges[o][1] for o in linked))
        if choice_rank is None or rank > choice_rank:
            choice, choice_rank = story, rank
    if choice is not None:
        linked = [other for other, story_id in story_of.items() if story_id == choice.pk]
        _join(choice, pk, min((edges[o] for o in linked), key=lambda edge: (KIND_ORDER[edge[0]], -edge[1])))
        return choice, False
    free = [other for other in edges if other not in story_of]
    if not free:
        return None
    story = Story.objects.create(canonical_id=pk, title="")
    strongest = min(edges.values(), key=lambda edge: (KIND_ORDER[edge[0]], -edge[1]))
    _join(story, pk, strongest)
    for other in free:
        _join(story, other, edges[other])
    return story, True


def _join(story: Story, pk: int, edge: tuple[str, float]) -> None:
    StoryMembership.objects.get_or_create(article_id=pk, defaults={"story": story, "kind": edge[0], "score": edge[1]})


def _grow(story: Story, pk: int) -> None:
    """Update a story's counts, dates and canonical article for one article that joined it."""
    article = (
        Article.objects.annotate(appeared=Coalesce("published_at", "created_at"))
        .values("source_id", "appeared", "title")
        .get(pk=pk)
    )
    new_outlet = (
        not StoryMembership.objects.filter(story_id=story.pk, article__source_id=article["source_id"])
        .exclude(article_id=pk)
        .exists()
    )
    appeared = article["appeared"]
    changes = {"article_count": F("article_count") + 1, "outlet_count": F("outlet_count") + int(new_outlet)}
    if story.first_published_at is None or appeared < story.first_published_at:
        changes["first_published_at"] = appeared
    if story.last_published_at is None or appeared > story.last_published_at:
        changes["last_published_at"] = appeared
    first = story.first_published_at
    if story.canonical_id is None or first is None or (appeared, pk) < (first, story.canonical_id):
        changes.update(canonical_id=pk, title=article["title"][:500])
    Story.objects.filter(pk=story.pk).update(**changes)


def refresh(story_id: int) -> None:
    """Recompute a story's canonical article, title, counts and dates from its members."""
    members = Article.objects.filter(story_membership__story_id=story_id).annotate(
        appeared=Coalesce("published_at", "created_at")
    )
    canonical = members.order_by("appeared", "pk").only("id", "title").first()
    if canonical is None:
        Story.objects.filter(pk=story_id).delete()
        return
    figures = members.aggregate(
        articles=Count("id"), outlets=Count("source", distinct=True), first=Min("appeared"), last=Max("appeared")
    )
    Story.objects.filter(pk=story_id).update(
        canonical_id=canonical.pk,
        title=canonical.title[:500],
        article_count=figures["articles"],
        outlet_count=figures["outlets"],
        first_published_at=figures["first"],
        last_published_at=figures["last"],
    )
