"""Article search: PostgreSQL full-text search on stored vectors (GIN-indexed), a substring fallback on SQLite.

Vectors live in articles_articlesearch (ArticleSearch), written by articles.services.articles_index_search:
at once for articles saved one by one, by a background task after bulk imports.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q

SEARCH_CONFIG = "english"


def search_articles(queryset, query: str):
    query = query.strip()
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        return (
            queryset.filter(search__vector=tsquery)
            .annotate(rank=SearchRank(F("search__vector"), tsquery))
            .order_by("-rank", "-published_at", "-id")
        )
    condition = Q()
    for word in query.split()[:10]:
        condition &= Q(title__icontains=word) | Q(body__icontains=word)
    return queryset.filter(condition)
