"""Reads of article relations: the copies of an article, and counts for the status page."""

from django.db.models import Count, Q

from articles.models import Article
from dedup.models import ArticleFingerprint, ArticleRelation

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
        "relations": {kind: by_kind.get(kind, 0) for kind, _ in ArticleRelation.Kind.choices},
    }
