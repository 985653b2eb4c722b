"""The five seed articles about one event are distinct texts: no exact or near-duplicate edge among them."""

from pathlib import Path

import pytest

from dedup import services
from dedup.models import ArticleFingerprint, ArticleRelation
from tests.factories import ArticleFactory

SEEDS = Path("/work/shared/seeds")

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SEEDS.is_dir(), reason="seed articles are not available here"),
]


def test_the_seed_articles_have_no_exact_or_near_edges_between_them():
    articles = [ArticleFactory(body=path.read_text(encoding="utf-8")) for path in sorted(SEEDS.glob("*.txt"))]
    assert len(articles) == 5
    services.articles_link(article_ids=[article.pk for article in articles])
    ids = [article.pk for article in articles]
    assert ArticleFingerprint.objects.filter(article_id__in=ids).count() == 5
    assert not ArticleRelation.objects.filter(a_id__in=ids, b_id__in=ids, kind__in=["exact", "near"]).exists()
