"""The article list's "hide duplicates" toggle and its relation filter."""

import datetime

import pytest
from django.urls import reverse

from dedup import selectors
from tests.factories import ArticleFactory, ArticleRelationFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("articles:list")


def when(day: int) -> datetime.datetime:
    return datetime.datetime(2026, 7, day, 9, tzinfo=datetime.UTC)


def _titles(response) -> list[str]:
    assert response.status_code == 200
    return sorted(article.title for article in response.context["page"].object_list)


@pytest.fixture
def desk():
    """A wire story with an exact and a near copy, a rewrite pair, a story, and an unrelated article.

    The near copy is stored first, so its id is the lowest of its group although it was published last:
    the earliest article is decided by date, never by id.
    """
    near = ArticleFactory(title="Near copy", source=SourceFactory(name="Valley Ledger"), published_at=when(3))
    origin = ArticleFactory(title="Origin", source=SourceFactory(name="Meridian Wire"), published_at=when(1))
    exact = ArticleFactory(title="Exact copy", source=SourceFactory(name="Harbour Courier"), published_at=when(2))
    ArticleRelationFactory(a=origin, b=exact, kind="exact", score=1.0)
    ArticleRelationFactory(a=origin, b=near, kind="near", score=0.82)
    ArticleRelationFactory(a=exact, b=near, kind="near", score=0.82)
    ArticleRelationFactory(a=exact, b=near, kind="exact", score=1.0)  # two kinds of edge count as one copy
    first_rewrite = ArticleFactory(title="First rewrite", published_at=when(4))
    second_rewrite = ArticleFactory(title="Second rewrite", published_at=when(5))
    ArticleRelationFactory(a=first_rewrite, b=second_rewrite, kind="rewrite", score=0.7)
    StoryFactory(canonical=origin, members=[(first_rewrite, "rewrite", 0.7)])
    ArticleFactory(title="Unrelated", published_at=when(6))
    return {"origin": origin, "exact": exact, "near": near}


def test_hiding_duplicates_keeps_the_earliest_of_each_group_with_its_count(analyst_client, desk):
    response = analyst_client.get(LIST_URL, {"hide_duplicates": "on"})
    assert _titles(response) == ["First rewrite", "Origin", "Second rewrite", "Unrelated"]
    page = response.content.decode()
    assert "+2 copies" in page
    assert f'href="{desk["origin"].get_absolute_url()}#copies-slot"' in page
    assert "each group of copies shown once" in page
    assert 'name="hide_duplicates" id="id_hide_duplicates" checked' in page


def test_without_the_toggle_every_copy_is_listed(analyst_client, desk):
    response = analyst_client.get(LIST_URL)
    assert len(_titles(response)) == 6
    assert "copies</a>" not in response.content.decode()


def test_an_undated_copy_counts_as_the_latest(analyst_client):
    undated = ArticleFactory(title="Undated copy", published_at=None)
    dated = ArticleFactory(title="Dated copy", published_at=when(9))
    also_undated = ArticleFactory(title="Another undated copy", published_at=None)
    ArticleRelationFactory(a=undated, b=dated, kind="near")
    ArticleRelationFactory(a=undated, b=also_undated, kind="near")
    assert _titles(analyst_client.get(LIST_URL, {"hide_duplicates": "on"})) == ["Dated copy"]
    lonely = ArticleFactory(title="Undated twin", published_at=None)
    twin = ArticleFactory(title="Undated twin later id", published_at=None)
    ArticleRelationFactory(a=lonely, b=twin, kind="exact")
    assert "Undated twin" in _titles(analyst_client.get(LIST_URL, {"hide_duplicates": "on"}))
    assert "Undated twin later id" not in _titles(analyst_client.get(LIST_URL, {"hide_duplicates": "on"}))


def test_rewrites_and_stories_are_never_collapsed(analyst_client, desk):
    titles = _titles(analyst_client.get(LIST_URL, {"hide_duplicates": "on"}))
    assert {"First rewrite", "Second rewrite"} <= set(titles)


@pytest.mark.parametrize(
    ("relation", "expected"),
    [
        ("copies", ["Exact copy", "Near copy", "Origin"]),
        ("rewrites", ["First rewrite", "Second rewrite"]),
        ("story", ["First rewrite", "Origin"]),
        ("none", ["Unrelated"]),
    ],
)
def test_the_relation_filter(analyst_client, desk, relation, expected):
    assert _titles(analyst_client.get(LIST_URL, {"relation": relation})) == expected


def test_the_relation_filter_and_the_toggle_combine_with_the_other_filters(analyst_client, desk):
    response = analyst_client.get(LIST_URL, {"relation": "copies", "hide_duplicates": "on"})
    assert _titles(response) == ["Origin"]
    outlet = analyst_client.get(LIST_URL, {"relation": "copies", "source": "harbour-courier"})
    assert _titles(outlet) == ["Exact copy"]


def test_an_unknown_relation_is_explained(analyst_client, desk):
    response = analyst_client.get(LIST_URL, {"relation": "cousins"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_selector_refuses_an_unknown_relation():
    from articles.models import Article

    with pytest.raises(ValueError, match="Unknown relation filter 'cousins'"):
        selectors.articles_with_relation(Article.objects.all(), "cousins")


def test_the_toggle_over_htmx_swaps_only_the_results(analyst_client, desk):
    response = analyst_client.get(
        LIST_URL, {"hide_duplicates": "on"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="article-results"
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="article-results"')
    assert "+2 copies" in content and "<html" not in content


def test_the_form_offers_the_toggle_and_the_relations(analyst_client):
    page = analyst_client.get(LIST_URL).content.decode()
    assert 'type="checkbox" name="hide_duplicates"' in page
    for label in ("All articles", "Has copies", "Has rewrites", "In a story", "No relations"):
        assert label in page
    assert "change from:input[type=checkbox]" in page


def test_hiding_duplicates_runs_the_same_number_of_queries_for_any_number_of_groups(
    analyst_client, django_assert_max_num_queries
):
    def group(n: int) -> None:
        origin = ArticleFactory(published_at=when(1 + n % 20))
        for _ in range(2):
            ArticleRelationFactory(a=origin, b=ArticleFactory(published_at=when(2 + n % 20)), kind="near")

    group(0)
    with django_assert_max_num_queries(20) as few:
        analyst_client.get(LIST_URL, {"hide_duplicates": "on", "relation": "copies"})
    for n in range(1, 15):
        group(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = analyst_client.get(LIST_URL, {"hide_duplicates": "on", "relation": "copies"})
    assert len(response.context["page"].object_list) == 15
