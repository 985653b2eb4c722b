"""Search on stored vectors: single saves are indexed at once, bulk imports by the deferred task."""

import pytest
from django.core.management import call_command
from django.db import connection

from articles import tasks
from articles.models import Article, ArticleSearch
from articles.signals import articles_added
from tests.factories import ArticleFactory, SourceFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="vectors are stored on PostgreSQL only")


def bulk_articles(n: int, word: str) -> list[Article]:
    source = SourceFactory()
    articles = [
        Article(
            source=source,
            title=f"Bulletin {i}",
            body=f"The {word} committee met on day {i}.",
            content_hash=f"{word}-{i}",
            word_count=7,
        )
        for i in range(n)
    ]
    return Article.objects.bulk_create(articles)


@postgres_only
@pytest.mark.django_db
def test_a_factory_created_article_is_found_at_once():
    article = ArticleFactory(title="Turbine contract awarded")
    assert ArticleSearch.objects.filter(article=article, vector__isnull=False).exists()
    assert list(Article.objects.search("turbine contracts")) == [article]
    assert list(Article.objects.search("turbine -contract")) == []


@postgres_only
@pytest.mark.django_db
def test_bulk_inserted_articles_are_found_after_the_index_task_runs(django_capture_on_commit_callbacks):
    articles = bulk_articles(3, "zeppelin")
    assert Article.objects.search("zeppelin").count() == 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        articles_added.send(sender=None, article_ids=[a.pk for a in articles])
    assert callbacks
    assert set(Article.objects.search("zeppelin")) == set(articles)


@postgres_only
@pytest.mark.django_db
def test_the_index_task_is_idempotent_and_ignores_missing_ids():
    articles = bulk_articles(2, "quarry")
    ids = [a.pk for a in articles]
    assert tasks.articles_index_search.delay([*ids, 987654]).get() == 2
    assert tasks.articles_index_search.delay(ids).get() == 2
    assert ArticleSearch.objects.filter(article_id__in=ids).count() == 2
    assert Article.objects.search("quarry").count() == 2


@postgres_only
@pytest.mark.django_db
def test_search_ranks_title_and_body_matches_by_relevance():
    ArticleFactory(title="Harbour news", body="Nothing about ferries here at all.")
    best = ArticleFactory(title="Ferry strike", body="The ferry crews strike over ferry schedules.")
    assert Article.objects.search("ferry").first() == best


@postgres_only
@pytest.mark.django_db
def test_index_command_fills_missing_vectors_and_rebuilds_all():
    articles = bulk_articles(3, "glacier")
    indexed = ArticleFactory()
    call_command("index_articles", "--missing", "--chunk-size", "2")
    assert set(ArticleSearch.objects.values_list("article_id", flat=True)) == {a.pk for a in articles} | {indexed.pk}
    assert Article.objects.search("glacier").count() == 3
    call_command("index_articles", "--all")
    assert ArticleSearch.objects.count() == 4
    assert Article.objects.search("glacier").count() == 3


@pytest.mark.django_db
def test_an_empty_query_returns_every_article_on_any_database():
    ArticleFactory.create_batch(2)
    assert Article.objects.search("   ").count() == 2


@pytest.mark.django_db
def test_the_substring_fallback_matches_every_word(settings, monkeypatch):
    match = ArticleFactory(title="Orchard frost", body="Apple growers count losses.")
    ArticleFactory(title="Orchard sale", body="Pears sold.")
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert list(Article.objects.search("orchard apple")) == [match]
