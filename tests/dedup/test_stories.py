"""Stories: related articles grouped around their earliest one, without chaining unrelated articles."""

import datetime

import pytest

from dedup import relate, services, stories
from dedup.models import Story, StoryMembership
from tests.dedup.texts import BACKGROUND, OTHER, REWRITE, SAME_EVENT, WIRE
from tests.factories import ArticleFactory, ArticleRelationFactory, SourceFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _members(story):
    return set(story.memberships.values_list("article_id", flat=True))


def _story_of(article):
    return StoryMembership.objects.get(article=article).story


def test_related_articles_form_one_story_around_the_earliest():
    later = ArticleFactory(title="Second take")
    first = ArticleFactory(title="First report", published_at=later.published_at - DAY)
    ArticleRelationFactory(a=first, b=later, kind="story", score=0.6)
    assert stories.assign(article_ids=[later.pk, first.pk]) == 2
    story = Story.objects.get()
    assert story.canonical_id == first.pk
    assert story.title == "First report"
    assert story.article_count == 2
    assert story.outlet_count == 2
    assert (story.first_published_at, story.last_published_at) == (first.published_at, later.published_at)


def test_a_chain_of_single_links_does_not_merge_unrelated_articles():
    """A-B and B-C are related, A and C are not: C must not be pulled into A's story through B."""
    a, b, c = ArticleFactory(), ArticleFactory(), ArticleFactory()
    ArticleRelationFactory(a=a, b=b, kind="story", score=0.6)
    ArticleRelationFactory(a=b, b=c, kind="story", score=0.6)
    stories.assign(article_ids=[a.pk, b.pk, c.pk])
    assert _members(_story_of(a)) == {a.pk, b.pk}
    assert not StoryMembership.objects.filter(article=c).exists()


def test_an_article_related_to_most_members_joins_even_without_the_canonical():
    a, b, c, d = ArticleFactory(), ArticleFactory(), ArticleFactory(), ArticleFactory()
    for one, other in [(a, b), (a, c), (b, d), (c, d)]:
        ArticleRelationFactory(a=one, b=other, kind="story", score=0.6)
    stories.assign(article_ids=[a.pk, b.pk, c.pk])
    assert _members(_story_of(a)) == {a.pk, b.pk, c.pk}
    stories.assign(article_ids=[d.pk])
    assert _story_of(d) == _story_of(a)


def test_a_copy_of_any_member_joins_that_members_story():
    a, b, copy = ArticleFactory(), ArticleFactory(), ArticleFactory()
    ArticleRelationFactory(a=a, b=b, kind="story", score=0.6)
    stories.assign(article_ids=[a.pk, b.pk])
    ArticleRelationFactory(a=b, b=copy, kind="near", score=0.9)
    stories.assign(article_ids=[copy.pk])
    membership = StoryMembership.objects.get(article=copy)
    assert membership.story == _story_of(a)
    assert (membership.kind, membership.score) == ("near", 0.9)


def test_an_earlier_article_joining_becomes_the_canonical():
    a, b = ArticleFactory(title="Day two"), ArticleFactory(title="Day two, later")
    ArticleRelationFactory(a=a, b=b, kind="story", score=0.6)
    stories.assign(article_ids=[a.pk, b.pk])
    earlier = ArticleFactory(title="Day one", published_at=a.published_at - DAY)
    ArticleRelationFactory(a=earlier, b=a, kind="rewrite", score=0.8)
    stories.assign(article_ids=[earlier.pk])
    story = _story_of(a)
    assert (story.canonical_id, story.title, story.article_count) == (earlier.pk, "Day one", 3)


def test_placing_twice_moves_and_adds_nothing():
    a, b = ArticleFactory(), ArticleFactory()
    ArticleRelationFactory(a=a, b=b, kind="story", score=0.6)
    stories.assign(article_ids=[a.pk, b.pk])
    before = list(StoryMembership.objects.values_list("article_id", "story_id", "kind"))
    assert stories.assign(article_ids=[a.pk, b.pk]) == 0
    assert list(StoryMembership.objects.values_list("article_id", "story_id", "kind")) == before
    assert Story.objects.count() == 1


def test_articles_without_relations_are_in_no_story():
    lone = ArticleFactory()
    assert stories.assign(article_ids=[lone.pk]) == 0
    assert not Story.objects.exists()


def test_detection_groups_a_wire_story_its_rewrite_and_a_report_on_the_same_event():
    outlet = SourceFactory(name="Harbour Courier")
    background = [ArticleFactory(title=text.split(".")[0], body=text) for text in [OTHER, *BACKGROUND]]
    relate.articles_relate(article_ids=[article.pk for article in background])
    wire = ArticleFactory(title="Quillon Canal to cap barge traffic", body=WIRE, source=outlet)
    rewrite = ArticleFactory(title="Drought forces canal to ration barge crossings", body=REWRITE)
    farmers = ArticleFactory(title="Farmers fear for harvest as canal rations water", body=SAME_EVENT)
    ids = [wire.pk, rewrite.pk, farmers.pk]
    services.articles_link(article_ids=ids)
    relate.articles_relate(article_ids=ids)
    story = _story_of(wire)
    assert _members(story) == set(ids)
    assert story.canonical_id == wire.pk
    assert Story.objects.count() == 1


def test_a_growing_story_counts_each_new_outlet_once_and_widens_its_dates():
    outlet = SourceFactory(name="Harbour Courier")
    a = ArticleFactory(source=outlet)
    b = ArticleFactory()
    ArticleRelationFactory(a=a, b=b, kind="story", score=0.6)
    stories.assign(article_ids=[a.pk, b.pk])
    same_outlet = ArticleFactory(source=outlet, published_at=b.published_at + DAY)
    ArticleRelationFactory(a=a, b=same_outlet, kind="story", score=0.7)
    stories.assign(article_ids=[same_outlet.pk])
    story = _story_of(a)
    assert (story.article_count, story.outlet_count) == (3, 2)
    assert story.last_published_at == same_outlet.published_at
    assert story.first_published_at == a.published_at
    stories.refresh(story.pk)
    story.refresh_from_db()
    assert (story.article_count, story.outlet_count) == (3, 2)
