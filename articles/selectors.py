"""Reads of articles and outlets."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from annotations.selectors import with_highlight_count
from articles.models import Article, Source
from dedup import selectors as dedup_selectors


def article_list(
    *,
    query: str = "",
    source: Source | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    relation: str = "",
    hide_duplicates: bool = False,
) -> QuerySet[Article]:
    """Articles for the list page, newest first (or by relevance when searching).

    `relation` keeps articles with copies, rewrites, a story or no relation at all (see
    dedup.selectors.RELATION_FILTERS); `hide_duplicates` shows each group of exact and near copies once, as
    its earliest article, with the number of copies it stands for in .hidden_copies.
    """
    articles = Article.objects.select_related("source").defer("body", "extra")
    if source is not None:
        articles = articles.filter(source=source)
    if date_from is not None:
        articles = articles.filter(published_at__gte=_start_of_day(date_from))
    if date_to is not None:
        articles = articles.filter(published_at__lt=_start_of_day(date_to + datetime.timedelta(days=1)))
    if relation:
        articles = dedup_selectors.articles_with_relation(articles, relation)
    if hide_duplicates:
        articles = dedup_selectors.articles_collapse_copies(articles)
    if query:
        articles = articles.search(query)
    return with_highlight_count(articles)


def article_get(*, pk: int) -> Article:
    return Article.objects.select_related("source").get(pk=pk)


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
