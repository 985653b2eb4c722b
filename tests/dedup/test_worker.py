"""Duplicate detection through a real Celery worker on Redis, including a worker killed mid-batch."""

import pytest

from dedup.models import ArticleFingerprint, ArticleProfile, ArticleRelation
from dedup.tasks import articles_link
from tests.conftest import WorkerProcess, _test_database_url, wait_for
from tests.dedup.texts import OTHER, WIRE, light_edit, truncated, with_typos
from tests.factories import ArticleFactory

pytestmark = pytest.mark.worker


def _succeeded(worker, task: str) -> int:
    return sum(1 for line in worker.output().splitlines() if f"{task}[" in line and "succeeded" in line)


def test_saved_articles_are_linked_by_a_real_worker(celery_worker_process):
    original = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body=light_edit(WIRE))
    ArticleFactory(body=OTHER)
    wait_for(lambda: ArticleRelation.objects.filter(kind="near").exists())
    relation = ArticleRelation.objects.get()
    assert {relation.a_id, relation.b_id} == {original.pk, copy.pk}
    assert "dedup.tasks.articles_link" in celery_worker_process.output()


def test_a_killed_worker_loses_and_doubles_nothing(celery_worker_process):
    articles = [ArticleFactory(body=text) for text in (WIRE, light_edit(WIRE), truncated(WIRE), with_typos(WIRE))]
    ids = [a.pk for a in articles]
    wait_for(lambda: ArticleFingerprint.objects.count() == 4)
    # The rewrite and story tier runs after the copies are found; let it finish too.
    wait_for(lambda: ArticleProfile.objects.count() == 4)
    wait_for(lambda: _succeeded(celery_worker_process, "articles_relate") == 4)
    before = sorted(ArticleRelation.objects.values_list("a_id", "b_id", "kind"))
    assert len(before) >= 3
    # Kill the worker while a batch is queued, then let a new worker take the redelivered work.
    articles_link.delay(ids)
    celery_worker_process.kill()
    replacement = WorkerProcess(_test_database_url()).start()
    try:
        articles_link.delay(ids)
        wait_for(lambda: "succeeded" in replacement.output())
    finally:
        replacement.stop()
    assert sorted(ArticleRelation.objects.values_list("a_id", "b_id", "kind")) == before


def test_rewrites_and_stories_are_found_on_the_semantic_queue(celery_worker_process):
    from dedup.models import ArticleProfile, StoryMembership
    from tests.dedup.texts import BACKGROUND, REWRITE, SAME_EVENT

    for text in BACKGROUND:
        ArticleFactory(title=text.split(".")[0], body=text)
    wire = ArticleFactory(title="Quillon Canal to cap barge traffic as drought drains reservoirs", body=WIRE)
    rewrite = ArticleFactory(title="Drought forces canal to ration barge crossings", body=REWRITE)
    farmers = ArticleFactory(title="Farmers fear for harvest as canal rations water", body=SAME_EVENT)
    wait_for(lambda: StoryMembership.objects.filter(article=farmers).exists(), timeout=60)
    assert ArticleProfile.objects.count() == len(BACKGROUND) + 3
    story = StoryMembership.objects.get(article=wire).story
    assert set(story.memberships.values_list("article_id", flat=True)) == {wire.pk, rewrite.pk, farmers.pk}
    assert story.canonical_id == wire.pk
    assert "dedup.tasks.articles_relate" in celery_worker_process.output()
