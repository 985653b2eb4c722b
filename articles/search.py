"""Article search: PostgreSQL full-text search with a GIN index, a substring fallback on SQLite.

The tsvector expression here must match the index created in migration 0002 exactly, or
PostgreSQL will not use the index.
"""

from django.db import connection
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL

SEARCH_CONFIG = "english"
VECTOR_SQL = (
    "to_tsvector('english'::regconfig, "
    "coalesce(articles_article.title, '') || ' ' || coalesce(articles_article.body, ''))"
)


def search_articles(queryset, query: str):
    query = query.strip()
    if not query:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = f"websearch_to_tsquery('{SEARCH_CONFIG}'::regconfig, %s)"
        return (
            queryset.alias(matches=RawSQL(f"{VECTOR_SQL} @@ {tsquery}", [query], output_field=BooleanField()))  # noqa: S611 (query is a bound parameter)
            .filter(matches=True)
            .annotate(rank=RawSQL(f"ts_rank({VECTOR_SQL}, {tsquery})", [query], output_field=FloatField()))  # noqa: S611 (query is a bound parameter)
            .order_by("-rank", "-published_at", "-id")
        )
    condition = Q()
    for word in query.split()[:10]:
        condition &= Q(title__icontains=word) | Q(body__icontains=word)
    return queryset.filter(condition)
