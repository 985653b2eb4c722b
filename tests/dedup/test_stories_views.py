"""The Stories pages: who may open them, what a story shows, the empty state, and a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from dedup import selectors
from dedup.models import StoryMembership
from tests.factories import ArticleFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db

HTMX_STORIES = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "story-results"}


def when(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 7, day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def canal_story():
    """The wire's origin, an exact copy, a near copy, a rewrite and a report of the same event, in four outlets."""
    wire = ArticleFactory(
        title="Canal to cap barge traffic", source=SourceFactory(name="Meridian Wire"), published_at=when(20, 6)
    )
    exact = ArticleFactory(
        title="Canal to cap barge traffic", source=SourceFactory(name="Harbour Courier"), published_at=when(20, 8)
    )
    near = ArticleFactory(
        title="Drought forces canal limits", source=SourceFactory(name="Valley Ledger"), published_at=when(21)
    )
    rewrite = ArticleFactory(
        title="Barges face queues as canal dries", source=SourceFactory(name="River Times"), published_at=when(22)
    )
    report = ArticleFactory(
        title="Shippers count the cost of the drought", source=SourceFactory(name="River Times"), published_at=when(23)
    )
    return StoryFactory(
        canonical=wire,
        title="Canal caps barge traffic in drought",
        members=[(exact, "exact", 1.0), (near, "near", 0.87), (rewrite, "rewrite", 0.74), (report, "story", 0.61)],
    )


def small_story(n: int):
    origin = ArticleFactory(title=f"Origin {n}", source=SourceFactory(name=f"Wire {n}"), published_at=when(1 + n % 20))
    copy = ArticleFactory(title=f"Copy {n}", source=SourceFactory(name=f"Paper {n}"), published_at=when(2 + n % 20))
    return StoryFactory(canonical=origin, title=f"Story {n}", members=[(copy, "near", 0.9)])


# --- permissions --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["analyst", "editor", "admin_user"])
def test_every_role_that_sees_relations_opens_the_stories(client, request, who, canal_story):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("dedup:stories")).status_code == 200
    assert client.get(reverse("dedup:story", args=[canal_story.pk])).status_code == 200


def test_someone_without_a_role_gets_a_403(client, outsider, canal_story):
    client.force_login(outsider)
    assert client.get(reverse("dedup:stories")).status_code == 403
    assert client.get(reverse("dedup:story", args=[canal_story.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, canal_story):
    response = client.get(reverse("dedup:stories"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_nav_links_the_stories_for_roles_and_not_for_outsiders(client, analyst, outsider):
    client.force_login(analyst)
    assert f'href="{reverse("dedup:stories")}"' in client.get("/").content.decode()
    client.force_login(outsider)
    assert f'href="{reverse("dedup:stories")}"' not in client.get("/").content.decode()


# --- the list -----------------------------------------------------------------------------------------------


def test_the_list_shows_origin_outlets_dates_and_how_members_joined(analyst_client, canal_story):
    page = analyst_client.get(reverse("dedup:stories")).content.decode()
    assert "1 story" in page
    assert f'href="{reverse("dedup:story", args=[canal_story.pk])}"' in page
    assert f'href="{canal_story.canonical.get_absolute_url()}"' in page
    assert "4 outlets" in page
    assert "Harbour Courier, Meridian Wire, River Times, Valley Ledger" in page
    assert "20 Jul 2026" in page and "23 Jul 2026" in page
    for chip in ("1 exact copy", "1 near copy", "1 rewrite", "1 same story"):
        assert chip in page
    assert '<td class="num">5</td>' in page


def test_the_list_is_sorted_by_size_then_recency(analyst_client, canal_story):
    older = small_story(1)
    newer = small_story(2)
    page = analyst_client.get(reverse("dedup:stories")).content.decode()
    assert page.index(canal_story.title) < page.index(newer.title) < page.index(older.title)


def test_the_list_pages_and_swaps_only_its_results_over_htmx(analyst_client, monkeypatch):
    from dedup import views

    monkeypatch.setattr(views, "STORIES_PER_PAGE", 2)
    for n in range(5):
        small_story(n)
    first = analyst_client.get(reverse("dedup:stories")).content.decode()
    assert "Page 1 of 3" in first and 'rel="next"' in first
    partial = analyst_client.get(reverse("dedup:stories"), {"page": 3}, **HTMX_STORIES).content.decode()
    assert partial.lstrip().startswith('<section id="story-results"')
    assert "Page 3 of 3" in partial and "<html" not in partial
    assert analyst_client.get(reverse("dedup:stories"), {"page": "nonsense"}).status_code == 200


def test_an_empty_list_explains_that_stories_come_from_detection(client, analyst, admin_user):
    client.force_login(analyst)
    page = client.get(reverse("dedup:stories")).content.decode()
    results = page.split('id="story-results"')[1]
    assert "No stories yet." in results
    assert "Stories appear after detection runs" in results
    assert reverse("dedup:status") not in results
    client.force_login(admin_user)
    admin_page = client.get(reverse("dedup:stories")).content.decode()
    assert reverse("dedup:status") in admin_page.split('id="story-results"')[1]


def test_titles_and_outlets_are_escaped(analyst_client):
    origin = ArticleFactory(title='<script>alert("t")</script>', source=SourceFactory(name="<b>Bold</b> Wire"))
    StoryFactory(canonical=origin, title="<img src=x onerror=alert(1)>")
    page = analyst_client.get(reverse("dedup:stories")).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Bold</b>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_list_runs_the_same_number_of_queries_for_two_stories_or_twenty(
    analyst_client, django_assert_max_num_queries
):
    for n in range(2):
        small_story(n)
    with django_assert_max_num_queries(20) as few:
        analyst_client.get(reverse("dedup:stories"))
    for n in range(2, 20):
        small_story(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = analyst_client.get(reverse("dedup:stories")).content.decode()
    assert "Story 19" in page


# --- one story ----------------------------------------------------------------------------------------------


def test_a_story_lists_its_members_with_outlet_date_relation_and_score(analyst_client, canal_story):
    page = analyst_client.get(reverse("dedup:story", args=[canal_story.pk])).content.decode()
    assert "Canal caps barge traffic in drought" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 5
    assert 'class="is-origin"' in rows[0] and "Meridian Wire" in rows[0] and 'class="origin-badge">Origin' in rows[0]
    assert "Compare with origin" not in rows[0]
    assert "Harbour Courier" in rows[1] and "Exact copy" in rows[1] and "1.00" in rows[1]
    assert "Valley Ledger" in rows[2] and "Near copy" in rows[2] and "0.87" in rows[2]
    assert "Rewrite" in rows[3] and "0.74" in rows[3] and "22 Jul 2026, 09:00" in rows[3]
    assert "Same story" in rows[4] and "0.61" in rows[4]
    wire = canal_story.canonical
    for member in StoryMembership.objects.filter(story=canal_story).exclude(article=wire):
        assert reverse("dedup:compare", args=[wire.pk, member.article_id]) in page


def test_a_story_sums_up_its_outlets_and_how_members_joined(analyst_client, canal_story):
    page = analyst_client.get(reverse("dedup:story", args=[canal_story.pk])).content.decode()
    assert 'River Times <span class="count">2</span>' in page
    assert "1 exact copy" in page and "1 same story" in page


def test_editors_get_a_link_to_the_claims_in_the_story_and_analysts_do_not(analyst_client, client, editor, canal_story):
    link = f"{reverse('claims:queue')}?story={canal_story.pk}"
    assert link not in analyst_client.get(reverse("dedup:story", args=[canal_story.pk])).content.decode()
    client.force_login(editor)
    assert link in client.get(reverse("dedup:story", args=[canal_story.pk])).content.decode()


def test_a_canonical_that_is_not_a_member_is_still_shown_as_the_origin(analyst_client):
    origin = ArticleFactory(title="The origin text", published_at=when(5))
    story = StoryFactory(
        canonical=origin, title="Story of two", members=[(ArticleFactory(published_at=when(4)), "near", 0.8)]
    )
    StoryMembership.objects.filter(article=origin).delete()
    page = analyst_client.get(reverse("dedup:story", args=[story.pk])).content.decode()
    rows = page.split("<tbody>")[1].split("<tr")[1:]
    assert len(rows) == 2 and "The origin text" in rows[0] and "Origin" in rows[0]


def test_a_story_whose_articles_are_gone_says_so(analyst_client):
    story = StoryFactory(canonical=None, title="Emptied story")
    page = analyst_client.get(reverse("dedup:story", args=[story.pk])).content.decode()
    assert "This story has no articles left" in page


def test_a_missing_story_is_a_404(analyst_client):
    assert analyst_client.get(reverse("dedup:story", args=[999999])).status_code == 404


def test_a_story_pages_its_members(analyst_client, monkeypatch):
    from dedup import views

    monkeypatch.setattr(views, "STORY_MEMBERS_PER_PAGE", 2)
    origin = ArticleFactory(published_at=when(1))
    story = StoryFactory(
        canonical=origin, members=[(ArticleFactory(published_at=when(2 + n)), "near", 0.9) for n in range(3)]
    )
    url = reverse("dedup:story", args=[story.pk])
    assert "Page 1 of 2" in analyst_client.get(url).content.decode()
    partial = analyst_client.get(url, {"page": 2}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="story-members")
    assert partial.content.decode().lstrip().startswith('<section id="story-members"')


def test_a_story_page_runs_the_same_number_of_queries_whatever_its_size(analyst_client, django_assert_max_num_queries):
    small = small_story(1)
    with django_assert_max_num_queries(20) as few:
        analyst_client.get(reverse("dedup:story", args=[small.pk]))
    members = [(ArticleFactory(source=SourceFactory(name=f"Outlet {n}")), "near", 0.8) for n in range(30)]
    big = StoryFactory(canonical=ArticleFactory(published_at=when(1, 1)), members=members)
    with django_assert_max_num_queries(len(few.captured_queries)):
        analyst_client.get(reverse("dedup:story", args=[big.pk]))


# --- the copies panel ---------------------------------------------------------------------------------------


def test_the_copies_panel_links_to_the_articles_story(analyst_client, canal_story):
    member = StoryMembership.objects.filter(story=canal_story, kind="rewrite").get().article
    panel = analyst_client.get(reverse("dedup:copies_panel", args=[member.pk])).content.decode()
    assert f'href="{reverse("dedup:story", args=[canal_story.pk])}"' in panel
    assert "Part of the story" in panel and "5 articles, 4 outlets" in panel


def test_the_copies_panel_of_an_article_in_no_story_has_no_story_link(analyst_client):
    article = ArticleFactory()
    panel = analyst_client.get(reverse("dedup:copies_panel", args=[article.pk])).content.decode()
    assert "Part of the story" not in panel


def test_the_story_of_a_canonical_article_is_found_without_a_membership(canal_story):
    wire = canal_story.canonical
    StoryMembership.objects.filter(article=wire).delete()
    assert selectors.article_story(wire) == canal_story
