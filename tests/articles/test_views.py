import datetime

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("articles:list")


def _titles(response) -> list[str]:
    return [article.title for article in response.context["page"].object_list]


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_a_role_gets_a_clear_message_not_a_crash(client, outsider):
    client.force_login(outsider)
    response = client.get(LIST_URL)
    assert response.status_code == 403
    assert b"has no role yet" in response.content


@pytest.mark.parametrize("fixture", ["analyst_client", "editor_client", "admin_client_role"])
def test_every_role_can_browse_articles(request, fixture):
    client = request.getfixturevalue(fixture)
    ArticleFactory(title="River peaks at dawn")
    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert b"River peaks at dawn" in response.content


def test_the_list_shows_title_outlet_date_and_word_count(analyst_client):
    ArticleFactory(
        title="Dam holds",
        source=SourceFactory(name="Valley Ledger"),
        body="one two three four",
        published_at=datetime.datetime(2026, 3, 14, 8, tzinfo=datetime.UTC),
    )
    content = analyst_client.get(LIST_URL).content.decode()
    assert "Dam holds" in content
    assert "Valley Ledger" in content
    assert "14 Mar 2026" in content
    assert '<td class="num">4</td>' in content


def test_full_text_search_finds_words_in_the_body_and_ranks_title_matches(analyst_client):
    ArticleFactory(title="Budget vote delayed", body="The council postponed the budget vote.")
    ArticleFactory(title="Flood warning", body="Residents near the spillway were evacuated overnight.")
    response = analyst_client.get(LIST_URL, {"q": "evacuate"})
    assert _titles(response) == ["Flood warning"]


def test_search_understands_quoted_phrases_and_exclusions(analyst_client):
    ArticleFactory(title="One", body="The harbour authority met on Tuesday.")
    ArticleFactory(title="Two", body="The authority of the harbour met.")
    assert _titles(analyst_client.get(LIST_URL, {"q": '"harbour authority"'})) == ["One"]
    assert _titles(analyst_client.get(LIST_URL, {"q": "harbour -tuesday"})) == ["Two"]


def test_filter_by_outlet_and_dates(analyst_client):
    ledger = SourceFactory(name="Valley Ledger")
    ArticleFactory(title="March ledger", source=ledger, published_at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC))
    ArticleFactory(title="May ledger", source=ledger, published_at=datetime.datetime(2026, 5, 2, tzinfo=datetime.UTC))
    ArticleFactory(title="May other", published_at=datetime.datetime(2026, 5, 3, tzinfo=datetime.UTC))
    response = analyst_client.get(LIST_URL, {"source": ledger.slug, "date_from": "2026-04-01", "date_to": "2026-05-02"})
    assert _titles(response) == ["May ledger"]


def test_bad_filter_values_show_an_error_instead_of_failing(analyst_client):
    ArticleFactory(title="Still listed")
    response = analyst_client.get(
        LIST_URL, {"date_from": "not-a-date", "source": "no-such-outlet", "page": "x", "q": "a" * 500}
    )
    assert response.status_code == 200
    assert b"Enter a valid date" in response.content
    assert "Still listed" in _titles(response)


def test_a_start_date_after_the_end_date_is_explained(analyst_client):
    response = analyst_client.get(LIST_URL, {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert b"start date is after the end date" in response.content


def test_pages_through_results_newest_first(analyst_client, settings):
    settings.ARTICLES_PER_PAGE = 2
    for day in range(1, 6):
        ArticleFactory(title=f"Day {day}", published_at=datetime.datetime(2026, 3, day, tzinfo=datetime.UTC))
    assert _titles(analyst_client.get(LIST_URL)) == ["Day 5", "Day 4"]
    assert _titles(analyst_client.get(LIST_URL, {"page": 3})) == ["Day 1"]
    assert _titles(analyst_client.get(LIST_URL, {"page": 99})) == ["Day 1"]


def test_an_htmx_request_for_the_results_gets_only_the_fragment(analyst_client):
    ArticleFactory(title="Fragment only")
    response = analyst_client.get(
        LIST_URL, {"q": "fragment"}, headers={"HX-Request": "true", "HX-Target": "article-results"}
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="article-results"')
    assert "Fragment only" in content
    assert "<html" not in content


def test_a_plain_request_gets_the_whole_page(analyst_client):
    content = analyst_client.get(LIST_URL).content.decode()
    assert "<html" in content
    assert 'id="article-results"' in content


def test_the_list_page_runs_a_fixed_number_of_queries(analyst_client, django_assert_max_num_queries):
    for _ in range(30):
        ArticleFactory()
    analyst_client.get(LIST_URL)  # warm the session
    with django_assert_max_num_queries(8):
        response = analyst_client.get(LIST_URL)
    assert len(response.context["page"].object_list) == 25


def test_titles_from_imports_are_escaped(analyst_client):
    ArticleFactory(title='<script>alert(1)</script><img src=x onerror="alert(2)">')
    content = analyst_client.get(LIST_URL).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<img src=x" not in content


def test_the_reading_view_shows_the_text_with_its_paragraphs(analyst_client):
    article = ArticleFactory(
        title="Dam holds",
        author="Zoë Laurent",
        body="First paragraph.\n\nSecond <b>paragraph</b>.",
        url="https://l.example/1",
    )
    content = analyst_client.get(article.get_absolute_url()).content.decode()
    assert '<p data-start="0">First paragraph.</p>' in content
    assert '<p data-start="18">Second &lt;b&gt;paragraph&lt;/b&gt;.</p>' in content
    assert "Zoë Laurent" in content
    assert 'href="https://l.example/1"' in content


def test_a_missing_article_is_a_404(analyst_client):
    assert analyst_client.get(reverse("articles:detail", args=[999999])).status_code == 404


def test_pages_carry_a_content_security_policy_without_inline_script(analyst_client):
    article = ArticleFactory()
    response = analyst_client.get(article.get_absolute_url())
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
