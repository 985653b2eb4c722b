"""The outlet recount task, run eagerly (as in the demo) and by a real worker over Redis."""

import pytest

from articles import tasks
from articles.models import Source
from articles.signals import articles_added
from tests.factories import ArticleFactory, SourceFactory


@pytest.mark.django_db
def test_recount_stores_the_number_of_articles():
    source = SourceFactory()
    ArticleFactory.create_batch(3, source=source)
    Source.objects.filter(pk=source.pk).update(article_count=0)
    assert tasks.source_recount.delay(source.pk).get() == 3
    source.refresh_from_db()
    assert source.article_count == 3
    assert source.counted_at is not None


@pytest.mark.django_db
def test_recount_is_idempotent_and_ignores_missing_outlets():
    source = SourceFactory()
    ArticleFactory(source=source)
    tasks.source_recount.delay(source.pk)
    tasks.source_recount.delay(source.pk)
    source.refresh_from_db()
    assert source.article_count == 1
    assert tasks.source_recount.delay(987654).get() is None


@pytest.mark.django_db(transaction=True)
def test_a_saved_article_queues_a_recount_after_commit():
    source = SourceFactory()
    ArticleFactory(source=source)
    source.refresh_from_db()
    assert source.article_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_bulk_add_signal_recounts_the_outlets_involved():
    source = SourceFactory()
    articles = ArticleFactory.create_batch(2, source=source)
    Source.objects.filter(pk=source.pk).update(article_count=0)
    articles_added.send(sender=None, article_ids=[a.pk for a in articles])
    source.refresh_from_db()
    assert source.article_count == 2


@pytest.mark.worker
def test_a_real_worker_runs_the_recount_from_redis(celery_worker_process):
    from tests.conftest import wait_for

    source = SourceFactory()
    ArticleFactory.create_batch(2, source=source)
    Source.objects.filter(pk=source.pk).update(article_count=0)
    result = tasks.source_recount.delay(source.pk)
    assert result.id
    wait_for(lambda: Source.objects.get(pk=source.pk).article_count == 2)
    assert "source_recount" in celery_worker_process.output()
