"""The review queue filtered by story: claims asserted in any article of the story."""

import pytest
from django.urls import reverse

from annotations.services import annotation_delete
from claims import services
from tests.claims.conftest import highlight
from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("claims:queue")


@pytest.fixture
def troop_story(troop_articles):
    """The two troop articles as one story, the first as its origin."""
    first, second = troop_articles
    return StoryFactory(canonical=first, title="Troops mass at the border", members=[(second, "rewrite", 0.71)])


@pytest.fixture
def claims_in_and_out(troop_story, troop_articles, analyst):
    """One claim asserted in the story's second article, another in an unrelated article."""
    _, second = troop_articles
    inside = services.claim_create(statement="Twelve thousand troops gathered", created_by=analyst)
    services.claim_link_annotation(
        claim=inside, annotation=highlight(second, "12,000 troops had gathered", analyst), user=analyst
    )
    elsewhere = ArticleFactory(title="Harvest festival", body="The festival drew 4,000 visitors.")
    outside = services.claim_create(statement="Four thousand visitors", created_by=analyst)
    services.claim_link_annotation(
        claim=outside, annotation=highlight(elsewhere, "4,000 visitors", analyst), user=analyst
    )
    return inside, outside


def test_the_queue_keeps_only_the_claims_of_the_chosen_story(editor_client, troop_story, claims_in_and_out):
    page = editor_client.get(QUEUE_URL, {"story": troop_story.pk}).content.decode()
    assert "Twelve thousand troops gathered" in page
    assert "Four thousand visitors" not in page
    everything = editor_client.get(QUEUE_URL).content.decode()
    assert "Twelve thousand troops gathered" in everything and "Four thousand visitors" in everything


def test_a_claim_in_the_stories_origin_counts_too(editor_client, troop_story, troop_articles, analyst):
    first, _ = troop_articles
    claim = services.claim_create(statement="Eleven thousand troops", created_by=analyst)
    services.claim_link_annotation(claim=claim, annotation=highlight(first, "11,000 troops", analyst), user=analyst)
    assert "Eleven thousand troops" in editor_client.get(QUEUE_URL, {"story": troop_story.pk}).content.decode()


def test_a_deleted_highlight_no_longer_puts_its_claim_in_the_story(
    editor_client, troop_story, claims_in_and_out, analyst
):
    inside, _ = claims_in_and_out
    annotation_delete(annotation=inside.links.get().annotation, user=analyst)
    page = editor_client.get(QUEUE_URL, {"story": troop_story.pk}).content.decode()
    assert "Twelve thousand troops gathered" not in page
    assert "Nothing to review with these filters." in page


def test_the_story_select_offers_stories_and_keeps_the_chosen_one(editor_client, troop_story, claims_in_and_out):
    page = editor_client.get(QUEUE_URL, {"story": troop_story.pk}).content.decode()
    assert '<select id="queue-story" name="story">' in page
    assert f'<option value="{troop_story.pk}" selected>Troops mass at the border (2)</option>' in page


def test_a_story_outside_the_offered_ones_stays_selected(troop_story):
    from dedup import selectors

    offered = selectors.story_choices(selected_id=troop_story.pk, limit=0)
    assert [story.pk for story in offered] == [troop_story.pk]


def test_the_count_follows_the_story_filter(editor_client, troop_story, claims_in_and_out):
    page = editor_client.get(QUEUE_URL, {"story": troop_story.pk}).content.decode()
    assert f"story={troop_story.pk}&amp;count=1" in page
    count = editor_client.get(QUEUE_URL, {"story": troop_story.pk, "count": "1"}, HTTP_HX_REQUEST="true")
    assert count.content.decode().strip() == '<span id="queue-count">1 claim</span>'


def test_an_unknown_story_matches_nothing_and_a_malformed_one_is_ignored(editor_client, claims_in_and_out):
    unknown = editor_client.get(QUEUE_URL, {"story": 999999})
    assert unknown.status_code == 200 and "Nothing to review with these filters." in unknown.content.decode()
    malformed = editor_client.get(QUEUE_URL, {"story": "troops"})
    assert malformed.status_code == 200 and "Four thousand visitors" in malformed.content.decode()


def test_analysts_cannot_filter_the_queue_by_story(analyst_client, troop_story):
    assert analyst_client.get(QUEUE_URL, {"story": troop_story.pk}).status_code == 403


def test_the_story_filter_runs_the_same_number_of_queries_for_any_number_of_stories(
    editor_client, analyst, troop_story, claims_in_and_out, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as few:
        editor_client.get(QUEUE_URL, {"story": troop_story.pk})
    source = SourceFactory(name="Daily")
    for n in range(30):
        article = ArticleFactory(source=source)
        StoryFactory(canonical=article, title=f"Story {n}")
        claim = services.claim_create(statement=f"Claim {n}", created_by=analyst)
        services.claim_link_annotation(
            claim=claim, annotation=AnnotationFactory(article=article, author=analyst), user=analyst
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = editor_client.get(QUEUE_URL, {"story": troop_story.pk}).content.decode()
    assert "Story 29" in page and "Claim 29" not in page
