"""Rewrites and same-story articles: found through what the texts talk about, not shared wording."""

from collections import Counter

import pytest

from dedup import minhash, relate, semantic, services
from dedup.models import ArticleKeyTerm, ArticleProfile, ArticleRelation, TermStat
from tests.dedup.texts import BACKGROUND, OTHER, REWRITE, SAME_EVENT, WIRE
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _relation(one, other):
    a, b = sorted([one.pk, other.pk])
    return ArticleRelation.objects.filter(a_id=a, b_id=b).first()


@pytest.fixture
def background():
    return [ArticleFactory(title=text.split(".")[0], body=text) for text in [OTHER, *BACKGROUND]]


def _detect(*articles):
    ids = [article.pk for article in articles]
    services.articles_link(article_ids=ids)
    return relate.articles_relate(article_ids=ids)


def test_profile_round_trips_through_storage():
    profile = semantic.Profile.of("Canal rationing", WIRE)
    assert semantic.Profile.from_bytes(profile.to_bytes()) == profile
    assert semantic.Profile.from_bytes(semantic.Profile().to_bytes()) == semantic.Profile()


def test_terms_drop_stopwords_and_fold_inflections():
    assert semantic.terms("The troops were deployed; troop deployments continue.") == [
        "troop",
        "deploy",
        "troop",
        "deployment",
        "continue",
    ]


def test_a_sentence_by_sentence_rewrite_is_a_rewrite_though_it_shares_few_shingles(background):
    wire = ArticleFactory(title="Quillon Canal to cap barge traffic as drought drains reservoirs", body=WIRE)
    rewrite = ArticleFactory(title="Drought forces canal to ration barge crossings", body=REWRITE)
    assert minhash.jaccard(minhash.shingles(WIRE), minhash.shingles(REWRITE)) < 0.1
    _detect(*background, wire, rewrite)
    relation = _relation(wire, rewrite)
    assert relation.kind == "rewrite", (relation.score, relation.details)
    assert relation.score >= relate.REWRITE_MIN_SCORE
    assert relation.details["sentence_coverage"] >= semantic.REWRITE_MIN_COVERAGE
    assert relation.method == f"terms-v{semantic.VERSION}"


def test_another_article_on_the_same_event_is_the_same_story_not_a_rewrite(background):
    wire = ArticleFactory(title="Quillon Canal to cap barge traffic as drought drains reservoirs", body=WIRE)
    farmers = ArticleFactory(title="Farmers fear for harvest as canal rations water", body=SAME_EVENT)
    _detect(*background, wire, farmers)
    relation = _relation(wire, farmers)
    assert relation.kind == "story"
    assert relation.score >= relate.STORY_MIN_SCORE
    assert set(relation.details) >= {"terms", "lead"}


def test_unrelated_stories_get_no_semantic_edge(background):
    wire = ArticleFactory(title="Quillon Canal to cap barge traffic as drought drains reservoirs", body=WIRE)
    _detect(*background, wire)
    assert not ArticleRelation.objects.exists()


def test_articles_outside_the_time_window_are_not_candidates(background, settings):
    settings.DEDUP_STORY_WINDOW_DAYS = 2
    wire = ArticleFactory(title="Quillon Canal to cap barge traffic", body=WIRE)
    later = ArticleFactory(
        title="Drought forces canal to ration barge crossings",
        body=REWRITE,
        published_at=wire.published_at + relate.window() * 3,
    )
    _detect(*background, wire, later)
    assert _relation(wire, later) is None


def test_exact_and_near_copies_keep_their_stronger_edge_only(background):
    wire = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body=WIRE + "\n\nSubscribe for more canal news.")
    _detect(*background, wire, copy)
    assert list(ArticleRelation.objects.values_list("kind", flat=True)) == ["near"]


def test_each_article_counts_once_in_the_document_frequencies_however_often_it_runs(background):
    wire = ArticleFactory(body=WIRE)
    _detect(*background, wire)
    before = dict(TermStat.objects.values_list("term", "df"))
    keys_before = ArticleKeyTerm.objects.count()
    relations_before = ArticleRelation.objects.count()
    result = relate.articles_relate(article_ids=[a.pk for a in [*background, wire]])
    assert result.profiled == 0
    assert dict(TermStat.objects.values_list("term", "df")) == before
    assert before[TermStat.DOCUMENTS] == len(background) + 1
    assert ArticleKeyTerm.objects.count() == keys_before
    assert ArticleRelation.objects.count() == relations_before


def test_document_frequencies_match_the_profiles(background):
    _detect(*background)
    expected = Counter()
    for data in ArticleProfile.objects.values_list("data", flat=True):
        expected.update(semantic.Profile.from_bytes(bytes(data)).body.keys())
    stored = dict(TermStat.objects.exclude(term=TermStat.DOCUMENTS).values_list("term", "df"))
    assert stored == dict(expected)


def test_briefs_too_short_to_tell_get_no_semantic_edge(background):
    briefs = [
        ArticleFactory(
            title=f"Canal update {n}", body=f"Update {n}. The canal authority said 30 barges a day may pass."
        )
        for n in range(3)
    ]
    _detect(*background, *briefs)
    assert not ArticleRelation.objects.exists()
    assert not ArticleKeyTerm.objects.filter(article__in=briefs).exists()


def test_an_empty_or_hostile_text_is_profiled_without_error():
    blank = ArticleFactory(title="", body="1 2 3 ... !!!")
    hostile = ArticleFactory(title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)> \u0000 \ud7ff")
    result = relate.articles_relate(article_ids=[blank.pk, hostile.pk])
    assert result.profiled == 2
    assert not ArticleRelation.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_relating_a_story_and_its_rewrite_at_the_same_time_find_the_pair(monkeypatch):
    """Each commits its key terms before looking up candidates, so the later lookup sees the other's."""
    import threading

    import factory
    from django.db import connection
    from django.db.models.signals import post_save

    with factory.django.mute_signals(post_save):
        background = [ArticleFactory(title=text.split(".")[0], body=text) for text in [OTHER, *BACKGROUND]]
        relate.articles_relate(article_ids=[a.pk for a in background])
        wire = ArticleFactory(title="Quillon Canal to cap barge traffic as drought drains reservoirs", body=WIRE)
        rewrite = ArticleFactory(title="Drought forces canal to ration barge crossings", body=REWRITE)
    both_stored = threading.Barrier(2, timeout=20)
    look_up = relate._candidates

    def look_up_when_both_have_stored(*args):
        both_stored.wait()
        return look_up(*args)

    monkeypatch.setattr(relate, "_candidates", look_up_when_both_have_stored)
    errors = []

    def run(article_id):
        try:
            relate.articles_relate(article_ids=[article_id])
        except Exception as error:  # reported below
            errors.append(error)
            both_stored.abort()
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(pk,)) for pk in (wire.pk, rewrite.pk)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors
    assert _relation(wire, rewrite).kind == "rewrite"
    assert ArticleRelation.objects.filter(kind="rewrite").count() == 1
    from dedup.models import StoryMembership

    assert StoryMembership.objects.get(article=wire).story_id == StoryMembership.objects.get(article=rewrite).story_id


def test_the_embedding_model_can_be_switched_off_and_is_then_never_loaded(settings, background):
    from dedup import embeddings

    settings.DEDUP_EMBEDDINGS = "off"
    assert not embeddings.installed()
    assert not embeddings.enabled()
    assert embeddings.embed_articles(background) == 0
