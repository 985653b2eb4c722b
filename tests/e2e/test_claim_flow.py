"""The whole review flow in a browser: two analysts' highlights disagree, an editor decides, badges follow."""

import datetime

import pytest
from playwright.sync_api import expect

from annotations.models import Annotation, Tag
from claims.models import Claim
from tests.e2e.conftest import sign_in
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True)

SELECT_TEXT_JS = """(text) => {
  const body = document.getElementById('article-body');
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(text);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      body.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
      return;
    }
  }
  throw new Error('text not found: ' + text);
}"""


@pytest.fixture
def articles(db):
    Tag.objects.get_or_create(name="Number/Statistic", defaults={"colour": "#5fb3f9", "hotkey": "2"})
    first = ArticleFactory(
        title="Troops massed at the border",
        source=SourceFactory(name="Harbour Herald"),
        body="Officials said on Tuesday that 11,000 troops had gathered near the border.\n\nTalks continue.",
        published_at=datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC),
    )
    second = ArticleFactory(
        title="Border build-up grows",
        source=SourceFactory(name="River Times"),
        body="According to a ministry source, 12,000 troops had gathered near the border.\n\nMarkets fell.",
        published_at=datetime.datetime(2026, 3, 11, 9, tzinfo=datetime.UTC),
    )
    return first, second


def _highlight_and_open(page, article, text):
    page.goto(article.get_absolute_url())
    page.evaluate(SELECT_TEXT_JS, text)
    expect(page.locator("#annotator-toolbar")).to_be_visible()
    page.keyboard.press("2")
    expect(page.locator("#highlight-list")).to_contain_text(text)
    page.locator("#highlight-list .highlight-open").first.click()
    expect(page.locator(".claim-link-control summary")).to_be_visible()
    page.locator(".claim-link-control summary").click()


def test_disagreeing_highlights_become_a_disputed_claim_that_an_editor_resolves(
    browser, live_server, articles, analyst, editor, output_dir
):
    first, second = articles
    analyst_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = analyst_context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page, analyst.username)

    # The analyst highlights the figure in the first article and makes it a new claim.
    _highlight_and_open(page, first, "11,000 troops")
    page.locator("textarea[name=statement]").fill("Troops gathered at the border")
    page.locator(".claim-link-control button[type=submit]").click()
    expect(page.locator("#article-claims")).to_contain_text("Troops gathered at the border")

    # In the second article the same fact is linked to that existing claim, found by search.
    _highlight_and_open(page, second, "12,000 troops")
    page.locator("input[type=search][name=q]").last.fill("troops border")
    page.locator(".claim-option input[type=radio]").first.check()
    page.locator(".claim-link-control button[type=submit]").click()
    expect(page.locator("#article-claims")).to_contain_text("Disputed")
    page.screenshot(path=output_dir / "analyst-second-article.png", full_page=True)
    analyst_context.close()

    claim = Claim.objects.get()
    assert claim.status == "disputed"
    assert Annotation.objects.filter(claim_links__claim=claim).count() == 2

    # The editor finds it in the queue, reads the card and records a verdict with evidence.
    editor_context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = editor_context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page, editor.username)
    page.goto("/claims/queue/")
    page.get_by_role("link", name="Troops gathered at the border").click()
    expect(page.locator("body")).to_contain_text("11,000")
    expect(page.locator("body")).to_contain_text("12,000")
    page.locator("select[name=status]").select_option("false")
    page.locator("textarea[name=rationale]").fill("The ministry's published count is 9,000.")
    page.locator("input[name=evidence_url]").fill("https://ministry.example/count")
    page.get_by_role("button", name="Record verdict").click()
    expect(page.locator(".verdict-badge, .status-badge").first).to_contain_text("False")

    # The verdict badge shows on both articles' reading pages.
    for article in (first, second):
        page.goto(article.get_absolute_url())
        expect(page.locator("#article-claims .verdict-badge")).to_contain_text("False")
    page.screenshot(path=output_dir / "editor-badge.png", full_page=True)
    editor_context.close()
    assert errors == []
