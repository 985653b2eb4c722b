"""Exact and near-duplicate detection on written texts: copies are found, different stories are not."""

import threading

import factory
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import F
from django.db.models.signals import post_save

from dedup import minhash, services
from dedup.models import ArticleFingerprint, ArticleRelation, LshBand
from tests.dedup.texts import FOOTER, OTHER, WIRE, heavy_edit, light_edit, truncated, with_typos
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _relation(one, other):
    a, b = sorted([one.pk, other.pk])
    return ArticleRelation.objects.filter(a_id=a, b_id=b).first()


def test_the_same_text_in_two_outlets_is_an_exact_copy():
    original = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body=WIRE.replace("\n\n", "\n\n  "), title="Another headline")
    services.articles_link(article_ids=[original.pk, copy.pk])
    relation = _relation(original, copy)
    assert relation.kind == "exact"
    assert relation.score == 1.0


@pytest.mark.parametrize(
    "edit",
    [light_edit, truncated, with_typos, lambda text: "EXCLUSIVE: " + text, heavy_edit],
    ids=["light-edit-with-boilerplate", "truncated-to-half", "ocr-typos", "added-prefix", "heavy-edit"],
)
def test_edited_copies_are_near_duplicates(edit):
    original = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body=edit(WIRE))
    services.articles_link(article_ids=[original.pk])
    services.articles_link(article_ids=[copy.pk])
    relation = _relation(original, copy)
    assert relation is not None and relation.kind == "near"
    assert relation.details["jaccard"] <= 1.0
    assert relation.details["containment"] >= 0.5


def test_a_truncated_copy_is_found_by_containment():
    original = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body=truncated(WIRE))
    services.articles_link(article_ids=[original.pk, copy.pk])
    relation = _relation(original, copy)
    assert relation.details["jaccard"] < 0.6
    assert relation.details["containment"] > 0.95


def test_different_stories_sharing_only_a_footer_are_not_related():
    one = ArticleFactory(body=WIRE + "\n\n" + FOOTER)
    two = ArticleFactory(body=OTHER + "\n\n" + FOOTER)
    services.articles_link(article_ids=[one.pk, two.pk])
    assert not ArticleRelation.objects.exists()


def test_very_short_texts_never_get_a_near_edge():
    one = ArticleFactory(body="Canal traffic limited to 30 crossings a day from Monday.")
    two = ArticleFactory(body="Canal traffic limited to 30 crossings a day from Tuesday.")
    services.articles_link(article_ids=[one.pk, two.pk])
    assert not ArticleRelation.objects.filter(kind="near").exists()
    assert not LshBand.objects.exists()


def test_running_detection_twice_writes_nothing_new():
    articles = [ArticleFactory(body=WIRE), ArticleFactory(body=light_edit(WIRE)), ArticleFactory(body=WIRE)]
    ids = [a.pk for a in articles]
    services.articles_link(article_ids=ids)
    before = (ArticleRelation.objects.count(), LshBand.objects.count(), ArticleFingerprint.objects.count())
    services.articles_link(article_ids=ids)
    after = (ArticleRelation.objects.count(), LshBand.objects.count(), ArticleFingerprint.objects.count())
    assert before == after == (3, 3 * minhash.BANDS, 3)


def test_new_articles_are_linked_by_the_task_the_save_queues(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        original = ArticleFactory(body=WIRE)
    with django_capture_on_commit_callbacks(execute=True):
        copy = ArticleFactory(body=light_edit(WIRE))
    assert _relation(original, copy).kind == "near"


def test_the_bulk_signal_queues_detection_for_imported_articles(django_capture_on_commit_callbacks):
    from articles.signals import articles_added

    original = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body=with_typos(WIRE))
    with django_capture_on_commit_callbacks(execute=True):
        articles_added.send(sender=None, article_ids=[original.pk, copy.pk], batch_id=None)
    assert _relation(original, copy).kind == "near"


def test_minhash_estimates_track_the_exact_jaccard():
    first = minhash.shingles(WIRE)
    second = minhash.shingles(truncated(WIRE))
    estimate = (minhash.signature(first) == minhash.signature(second)).mean()
    assert abs(estimate - minhash.jaccard(first, second)) < 0.15


def test_the_command_finds_duplicates_for_all_articles_and_is_idempotent(capsys):
    ArticleFactory(body=WIRE)
    ArticleFactory(body=light_edit(WIRE))
    ArticleFactory(body=OTHER)
    ArticleRelation.objects.all().delete()
    call_command("find_duplicates", "--all")
    call_command("find_duplicates", "--all")
    assert "fingerprinted 3, exact pairs 0, near pairs 1" in capsys.readouterr().out
    assert ArticleRelation.objects.count() == 1


def test_the_command_recomputes_fingerprints_and_band_keys_of_an_older_version():
    original = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body=light_edit(WIRE))
    services.articles_link(article_ids=[original.pk, copy.pk])
    current = sorted(LshBand.objects.values_list("article_id", "band", "key"))
    # As a database written by an older version would hold them: other keys, no relations yet.
    ArticleFingerprint.objects.update(version=minhash.VERSION - 1)
    LshBand.objects.update(key=F("key") + 1)
    ArticleRelation.objects.all().delete()
    call_command("find_duplicates", "--all")
    assert set(ArticleFingerprint.objects.values_list("version", flat=True)) == {minhash.VERSION}
    assert sorted(LshBand.objects.values_list("article_id", "band", "key")) == current
    assert _relation(original, copy).kind == "near"


@pytest.mark.django_db(transaction=True)
def test_two_workers_linking_two_copies_at_the_same_time_find_the_pair(monkeypatch):
    """Each commits its band keys before looking up, so the later lookup always sees the other's keys."""
    with factory.django.mute_signals(post_save):
        original = ArticleFactory(body=WIRE)
        copy = ArticleFactory(body=with_typos(WIRE))
    both_stored = threading.Barrier(2, timeout=20)
    look_up = services._candidate_pairs

    def look_up_when_both_have_stored(keys_by_article):
        both_stored.wait()
        return look_up(keys_by_article)

    monkeypatch.setattr(services, "_candidate_pairs", look_up_when_both_have_stored)
    errors = []

    def link(article_id):
        try:
            services.articles_link(article_ids=[article_id])
        except Exception as error:  # reported by the test below
            errors.append(error)
            both_stored.abort()
        finally:
            connection.close()

    workers = [threading.Thread(target=link, args=(pk,)) for pk in (original.pk, copy.pk)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors
    relation = _relation(original, copy)
    assert relation is not None and relation.kind == "near"
    assert ArticleRelation.objects.count() == 1
