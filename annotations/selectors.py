"""Reads of highlights and tags: the reading page, "my work", exports and the article list count."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

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


@dataclass
class Highlight:
    """One live highlight as the reading page shows it: plain values, no model instances to build."""

    pk: int
    start: int
    end: int
    quote: str
    note: str
    author_id: int
    author_name: str
    tags: list[Tag] = field(default_factory=list)
    edit_url: str = ""

    @property
    def short_quote(self) -> str:
        return _shorten(self.quote, 140)

    @property
    def short_note(self) -> str:
        return _shorten(self.note, 280)


@dataclass(frozen=True)
class Person:
    pk: int
    username: str


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def annotation_list_for_article(
    *, article: Article, tags_by_id: dict[int, Tag], tag_id: int | None = None, author_id: int | None = None
) -> list[Highlight]:
    """Live highlights of one article in reading order, with tag ids and author name, in one query.

    The reading page shows hundreds of these, so rows are read as values (tag ids aggregated into an
    array on PostgreSQL) and joined to the tag list the page has already loaded.
    """
    rows = Annotation.objects.alive().filter(article=article)
    through = Annotation.tags.through
    if tag_id is not None:
        rows = rows.filter(pk__in=through.objects.filter(tag_id=tag_id).values("annotation_id"))
    if author_id is not None:
        rows = rows.filter(author_id=author_id)
    fields = ["pk", "start", "end", "quote", "note", "author_id", "author__username"]
    aggregate = connection.vendor == "postgresql"
    if aggregate:
        rows = rows.annotate(tag_ids=ArrayAgg("tags__id", filter=Q(tags__isnull=False), default=Value([])))
        fields.append("tag_ids")
    rows = list(rows.order_by("start", "-end", "id").values(*fields))
    if not aggregate:
        tag_ids: dict[int, list[int]] = {}
        links = through.objects.filter(annotation_id__in=[row["pk"] for row in rows]).values_list(
            "annotation_id", "tag_id"
        )
        for annotation_pk, linked_tag in links:
            tag_ids.setdefault(annotation_pk, []).append(linked_tag)
        for row in rows:
            row["tag_ids"] = tag_ids.get(row["pk"], [])
    edit_url = reverse("annotations:edit", args=[0]).replace("/0/", "/{}/")
    highlights_ = []
    for row in rows:
        tags = sorted((tags_by_id[pk] for pk in row["tag_ids"] if pk in tags_by_id), key=lambda t: (t.position, t.name))
        highlights_.append(
            Highlight(
                pk=row["pk"],
                start=row["start"],
                end=row["end"],
                quote=row["quote"],
                note=row["note"],
                author_id=row["author_id"],
                author_name=row["author__username"],
                tags=tags,
                edit_url=edit_url.format(row["pk"]),
            )
        )
    return highlights_


READING_CACHE_SECONDS = 60 * 60


def reading_context(*, article: Article, user, params, fresh: bool = False) -> dict:
    """Everything the reading page needs for highlights: the marked-up body, the list, the tags and filters.

    The marked-up body and the rendered list are the same for every reader, so they are cached per
    article, filter and version; any change to the article's highlights or to the tags makes a new
    version. `fresh` also returns the highlights themselves, for a write that needs them.
    """
    tag_id = _int_or_none(params.get("tag"))
    author_id = _int_or_none(params.get("author"))
    tags = tag_list()
    tags_by_id = {tag.pk: tag for tag in tags}
    css_version = services.tag_css_version()
    key = ":".join(
        str(part)
        for part in (
            "annotations:reading",
            article.pk,
            int(article.created_at.timestamp() * 1_000_000),
            services.article_highlights_version(article.pk),
            css_version,
            tag_id,
            author_id,
        )
    )
    cached = None if fresh else cache.get(key)
    annotations = None
    if cached is None:
        annotations = annotation_list_for_article(
            article=article, tags_by_id=tags_by_id, tag_id=tag_id, author_id=author_id
        )
        authors = {}
        for annotation in annotations:
            authors.setdefault(annotation.author_id, (annotation.author_id, annotation.author_name))
        listed = annotations

        def list_html() -> str:
            return render_to_string("annotations/reading.html#highlight-list-items", {"annotations": listed})

        cached = {
            "body": str(highlights.render_body(article.body, annotations)),
            # A write's answer usually sends only the new entry, so it renders the whole list only if asked.
            "list": list_html if fresh else list_html(),
            "count": len(annotations),
            "authors": sorted(authors.values(), key=lambda person: person[1].lower()),
        }
        if not fresh:
            cache.set(key, cached, READING_CACHE_SECONDS)
    # Either the cached output of the autoescaping template, or a callable the template calls when it is used.
    highlight_list = cached["list"] if callable(cached["list"]) else mark_safe(cached["list"])  # noqa: S308
    authors = {pk: Person(pk, username) for pk, username in cached["authors"]}
    if author_id is not None and author_id not in authors:
        chosen = get_user_model().objects.filter(pk=author_id).values_list("pk", "username").first()
        if chosen is not None:
            authors[chosen[0]] = Person(*chosen)
    export = {"article": article.pk}
    if tag_id in tags_by_id:
        export["tag"] = tags_by_id[tag_id].name
    if author_id in authors:
        export["author"] = authors[author_id].username
    return {
        "article": article,
        "annotations": annotations,
        "highlight_count": cached["count"],
        "article_body_html": mark_safe(cached["body"]),  # noqa: S308 - built by highlights.render_body, all text escaped
        "highlight_list_html": highlight_list,
        "toolbar_tags": [tag for tag in tags if tag.is_active],
        "filter_tags": tags,
        "filter_authors": sorted(authors.values(), key=lambda person: person.username.lower()),
        "filter_tag_id": tag_id,
        "filter_author_id": author_id,
        "filtering": tag_id is not None or author_id is not None,
        "export_query": urlencode(export),
        "can_annotate": services.can_create(user),
        "tag_css_version": css_version,
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
