"""A person signs in, searches the list, and opens an article, in a real browser."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_search_and_open_an_article(page, analyst, output_dir):
    ArticleFactory(
        title="Spillway inspection brought forward",
        source=SourceFactory(name="Valley Ledger"),
        author="Zoë Laurent",
        body="Engineers will inspect the spillway in July.\n\n“We acted early,” said Mara Quell 👩‍🔬.",
        published_at=datetime.datetime(2026, 3, 14, 8, tzinfo=datetime.UTC),
    )
    for n in range(30):
        ArticleFactory(title=f"Council budget item {n}", body="The council discussed the budget.")

    sign_in(page, analyst.username)
    assert page.get_by_role("heading", name="Articles").is_visible()
    assert "31 articles" in page.locator(".result-count").inner_text()

    page.get_by_label("Search").fill("spillway")
    expect(page.locator(".result-count")).to_contain_text("1 article,")
    page.wait_for_url("**/?q=spillway*")  # the search is kept in the address bar
    page.screenshot(path=output_dir / "search.png", full_page=True)

    page.get_by_role("link", name="Spillway inspection brought forward").click()
    page.wait_for_url("**/articles/*/")
    assert page.get_by_role("heading", name="Spillway inspection brought forward").is_visible()
    body = page.locator("#article-body p")
    assert body.count() == 2
    assert "Mara Quell 👩‍🔬" in body.nth(1).inner_text()
    assert page.get_by_text("Zoë Laurent").is_visible()
    page.screenshot(path=output_dir / "article.png", full_page=True)
    assert page.js_errors == []


def test_paging_swaps_only_the_list(page, analyst, settings):
    settings.ARTICLES_PER_PAGE = 5
    for n in range(12):
        ArticleFactory(title=f"Item {n:02d}", published_at=datetime.datetime(2026, 1, 1 + n, tzinfo=datetime.UTC))
    sign_in(page, analyst.username)
    page.evaluate("window.marker = 'kept'")
    page.get_by_role("link", name="Next →").click()
    expect(page.locator(".pager")).to_contain_text("Page 2 of 3")
    assert page.evaluate("window.marker") == "kept"  # no full page load
    assert page.locator("td.title").first.inner_text() == "Item 06"
    assert page.js_errors == []
