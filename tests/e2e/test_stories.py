"""An analyst browses stories and collapses copies on the article list, in a real browser."""

import datetime

import pytest
from playwright.sync_api import expect

from dedup.models import ArticleRelation, Story
from tests.e2e.conftest import sign_in
from tests.factories import ArticleFactory, ArticleRelationFactory, SourceFactory, StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def when(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 7, day, hour, tzinfo=datetime.UTC)


def article(title: str, outlet: str, day: int, hour: int):
    """An article whose short, distinct text gives background detection nothing to link by itself."""
    return ArticleFactory(
        title=title,
        source=SourceFactory(name=outlet),
        published_at=when(day, hour),
        body=f"{title}, as {outlet} reported on {day} July at {hour}:00.",
    )


@pytest.fixture
def stories():
    """A syndicated wire story with copies, rewrites and follow-ups, and a smaller story of two."""
    wire = article("Canal authority caps barge traffic as drought bites", "Meridian Wire", 20, 6)
    exact = article("Canal authority caps barge traffic as drought bites", "Harbour Courier", 20, 8)
    near = article("Drought forces canal to cap barge traffic", "Valley Ledger", 20, 11)
    near_two = article("Barge traffic capped on drought-hit canal", "Coastline Daily", 21, 7)
    rewrite = article("Shippers face queues as the canal runs dry", "River Times", 21, 15)
    follow_up = article("Farmers count the cost of the canal limits", "The Northern Post", 23, 9)
    council = article("Council approves new flood barrier", "Valley Ledger", 24, 10)
    barrier = article("Flood barrier gets the go-ahead", "Harbour Courier", 24, 16)
    for n, outlet in enumerate(("Coastline Daily", "River Times", "The Northern Post")):
        article(f"Library reopens after renovation, part {n + 1}", outlet, 18, 9 + n)
    # The live server runs detection on every saved article; the pages are checked against these fixed
    # relations and stories instead.
    Story.objects.all().delete()
    ArticleRelation.objects.all().delete()
    ArticleRelationFactory(a=wire, b=exact, kind="exact", score=1.0)
    ArticleRelationFactory(a=wire, b=near, kind="near", score=0.86)
    ArticleRelationFactory(a=wire, b=near_two, kind="near", score=0.79)
    ArticleRelationFactory(a=wire, b=rewrite, kind="rewrite", score=0.72)
    canal = StoryFactory(
        canonical=wire,
        title="Canal authority caps barge traffic as drought bites",
        members=[
            (exact, "exact", 1.0),
            (near, "near", 0.86),
            (near_two, "near", 0.79),
            (rewrite, "rewrite", 0.72),
            (follow_up, "story", 0.64),
        ],
    )
    StoryFactory(canonical=council, title="Council approves new flood barrier", members=[(barrier, "rewrite", 0.7)])
    return canal


def test_browse_stories_and_hide_duplicates(page, analyst, stories, output_dir):
    sign_in(page, analyst.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stories").click()
    page.wait_for_url("**/dedup/stories/")
    expect(page.get_by_role("heading", name="Stories")).to_be_visible()
    rows = page.locator("table.stories tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(
        "Canal authority caps barge traffic as drought bites"
    )  # the larger story comes first
    expect(rows.first).to_contain_text("6 outlets")
    expect(rows.first.locator(".kind-chip")).to_have_text(
        ["1 exact copy", "2 near copies", "1 rewrite", "1 same story"]
    )
    page.screenshot(path=output_dir / "stories.png", full_page=True)

    page.get_by_role("link", name="Canal authority caps barge traffic as drought bites", exact=True).click()
    page.wait_for_url(f"**/dedup/stories/{stories.pk}/")
    members = page.locator("table.story-members tbody tr")
    expect(members).to_have_count(6)
    expect(members.first).to_contain_text("Origin")
    expect(members.first).to_contain_text("Meridian Wire")
    expect(members.nth(1)).to_contain_text("Exact copy")
    expect(page.get_by_role("link", name="Compare with origin")).to_have_count(5)
    page.screenshot(path=output_dir / "story.png", full_page=True)

    page.get_by_role("link", name="Compare with origin").first.click()
    page.wait_for_url(f"**/dedup/compare/{stories.canonical_id}/*/")
    page.go_back()
    page.get_by_role("link", name="Shippers face queues as the canal runs dry").click()
    story_link = page.locator("#copies-panel .story-link")
    expect(story_link).to_contain_text("Part of the story Canal authority caps barge traffic")
    expect(story_link).to_contain_text("6 articles, 6 outlets")
    page.screenshot(path=output_dir / "reading-copies-panel.png", full_page=True)
    story_link.get_by_role("link").click()
    page.wait_for_url(f"**/dedup/stories/{stories.pk}/")

    page.goto("/")
    expect(page.locator(".result-count")).to_contain_text("11 articles")
    page.evaluate("window.marker = 'kept'")
    page.get_by_label("Hide duplicates").check()
    expect(page.locator(".result-count")).to_contain_text("8 articles, each group of copies shown once")
    page.wait_for_url("**/?*hide_duplicates=on*")
    assert page.evaluate("window.marker") == "kept"  # only the results were swapped
    wire_row = page.locator("table.articles tbody tr", has_text="Meridian Wire")
    expect(wire_row.locator(".copy-count")).to_have_text("+3 copies")
    expect(page.locator("table.articles tbody tr", has_text="Harbour Courier")).to_have_count(1)  # the barrier rewrite
    page.screenshot(path=output_dir / "articles-hide-duplicates.png", full_page=True)

    page.get_by_label("Relations").select_option("rewrites")
    expect(page.locator(".result-count")).to_contain_text("2 articles")
    assert page.js_errors == []
