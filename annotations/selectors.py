"""Reads of highlights and tags: the reading page, "my work", exports and the article list count."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from annotations import highlights, services
from annotations.models import Annotation, Tag
from articles.models import Article


def tag_list(*, include_retired: bool = True) -> list[Tag]:
    tags = Tag.objects.all()
    if not include_retired:
        tags = tags.filter(is_active=True)
    return list(tags)


def annotation_get(*, pk: int) -> Annotation:
    """A live annotation with its article, tags and author; raises Annotation.DoesNotExist."""
    return (
        Annotation.objects.select_related("article", "author", "updated_by")
        .defer("article__extra")
        .prefetch_related("tags")
        .get(pk=pk)
    )


def _with_tags(annotations: QuerySet[Annotation]) -> QuerySet[Annotation]:
    return annotations.prefetch_related("tags")


def annotation_list_for_article(
    *, article: Article, tag_id: int | None = None, author_id: int | None = None
) -> list[Annotation]:
    """Live highlights of one article in reading order, with tags and author, in two queries."""
    annotations = Annotation.objects.alive().filter(article=article).select_related("author")
    if tag_id is not None:
        annotations = annotations.filter(tags__id=tag_id)
    if author_id is not None:
        annotations = annotations.filter(author_id=author_id)
    return list(_with_tags(annotations.order_by("start", "-end", "id")).defer("prefix", "suffix"))


def reading_context(*, article: Article, user, params) -> dict:
    """Everything the reading page needs for highlights: the marked-up body, the list, the tags and filters."""
    tag_id = _int_or_none(params.get("tag"))
    author_id = _int_or_none(params.get("author"))
    annotations = annotation_list_for_article(article=article, tag_id=tag_id, author_id=author_id)
    tags = tag_list()
    authors = {}
    for annotation in annotations:
        authors.setdefault(annotation.author_id, annotation.author)
    if author_id is not None and author_id not in authors:
        user_model = get_user_model()
        chosen = user_model.objects.filter(pk=author_id).only("username").first()
        if chosen is not None:
            authors[chosen.pk] = chosen
    for annotation in annotations:
        annotation.editable = services.can_change(user, annotation)
    return {
        "article": article,
        "annotations": annotations,
        "article_body_html": highlights.render_body(article.body, annotations),
        "toolbar_tags": [tag for tag in tags if tag.is_active],
        "filter_tags": tags,
        "filter_authors": sorted(authors.values(), key=lambda u: u.get_username().lower()),
        "filter_tag_id": tag_id,
        "filter_author_id": author_id,
        "filtering": tag_id is not None or author_id is not None,
        "can_annotate": services.can_create(user),
        "tag_css_version": services.tag_css_version(),
    }


def my_work_list(*, user) -> QuerySet[Annotation]:
    """The user's own live highlights, newest first."""
    return _with_tags(
        Annotation.objects.alive()
        .filter(author=user)
        .select_related("article__source")
        .defer("article__body", "article__extra")
        .order_by("-created_at", "-id")
    )


def annotation_export_list(
    *, article_id: int | None = None, tag_name: str = "", author_username: str = ""
) -> QuerySet[Annotation]:
    """Live highlights for an export, filtered by article, tag name and author, in a stable order."""
    annotations = (
        Annotation.objects.alive()
        .select_related("article", "author")
        .defer("article__body", "article__extra")
        .prefetch_related("tags")
    )
    if article_id is not None:
        annotations = annotations.filter(article_id=article_id)
    if tag_name:
        annotations = annotations.filter(tags__name__iexact=tag_name)
    if author_username:
        annotations = annotations.filter(author__username=author_username)
    return annotations.order_by("article_id", "start", "-end", "id")


def with_highlight_count(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Annotate each article with its number of live highlights, in the same query."""
    counts = (
        Annotation.objects.alive()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return articles.annotate(highlight_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)))


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
