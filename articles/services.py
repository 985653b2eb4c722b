"""Writes to outlets and articles."""

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from articles.models import Article, Source


def source_get_or_create(*, name: str) -> Source:
    name = " ".join(name.split())[:200] or "Unknown outlet"
    source, _ = Source.objects.get_or_create(name=name)
    return source


def source_recount(*, source_id: int) -> Source | None:
    """Store how many articles an outlet has. Idempotent; a missing outlet is not an error."""
    with transaction.atomic():
        source = Source.objects.select_for_update().filter(pk=source_id).first()
        if source is None:
            return None
        source.article_count = source.articles.count()
        source.counted_at = timezone.now()
        source.save(update_fields=["article_count", "counted_at"])
    return source


def sources_recount_all() -> int:
    """Recount every outlet in one query; returns how many outlets were updated."""
    now = timezone.now()
    counts = Source.objects.annotate(n=Count("articles"))
    updated = [Source(pk=s.pk, article_count=s.n, counted_at=now) for s in counts]
    Source.objects.bulk_update(updated, ["article_count", "counted_at"], batch_size=500)
    return len(updated)


def article_create(
    *,
    source: Source,
    title: str,
    body: str,
    url: str = "",
    external_id: str = "",
    author: str = "",
    published_at=None,
    language: str = "",
    extra: dict | None = None,
    created_by=None,
) -> Article:
    """Store one article; the text is normalised on the way in and never changed afterwards."""
    article = Article(
        source=source,
        title=title,
        body=body,
        url=url.strip(),
        external_id=external_id.strip(),
        author=author,
        published_at=published_at,
        language=language.strip().lower()[:16],
        extra=extra or {},
        created_by=created_by,
    )
    article.prepare_text()
    if not article.body:
        raise ValueError("The article body is empty after normalisation.")
    article.full_clean(exclude=["source", "created_by"])
    article.save()
    return article


# Must match articles.search: the stored vector is what queries match and rank on.
_INDEX_SQL = (
    "INSERT INTO articles_articlesearch (article_id, vector, indexed_at) "
    "SELECT a.id, {vector}, now() FROM articles_article a WHERE {where} "
    "ON CONFLICT (article_id) DO UPDATE SET vector = EXCLUDED.vector, indexed_at = EXCLUDED.indexed_at"
)
SEARCH_VECTOR_SQL = "to_tsvector('english'::regconfig, coalesce(a.title, '') || ' ' || coalesce(a.body, ''))"


def articles_index_search(*, article_ids: list[int]) -> int:
    """Store search vectors for these articles; idempotent. Returns rows written (0 off PostgreSQL)."""
    from django.db import connection

    ids = sorted({int(i) for i in article_ids})
    if not ids or connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_INDEX_SQL.format(vector=SEARCH_VECTOR_SQL, where="a.id = ANY(%s)"), [ids])
        return cursor.rowcount


def articles_index_search_all(*, missing_only: bool = False, chunk_size: int = 5000) -> int:
    """(Re)build search vectors for every article, or only those without one, in id-ordered chunks."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0
    queryset = Article.objects.order_by("pk")
    if missing_only:
        queryset = queryset.filter(search__isnull=True)
    total = 0
    last_id = 0
    while True:
        ids = list(queryset.filter(pk__gt=last_id).values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return total
        with transaction.atomic():
            total += articles_index_search(article_ids=ids)
        last_id = ids[-1]
