"""Editors manage tags in the browser; analysts find their work and the counts in the article list."""

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Tag
from tests.e2e.conftest import sign_in
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_creates_recolours_reorders_and_retires_a_tag(page, editor, output_dir):
    Tag.objects.get_or_create(name="Claim", defaults={"colour": "#f5c542", "hotkey": "1", "position": 0})
    sign_in(page, editor.username)
    page.get_by_role("link", name="Tags").click()
    page.wait_for_url("**/annotations/tags/")
    page.get_by_label("Name", exact=True).last.fill("Casualty figure")
    page.locator("#new-tag-colour").fill("#cc3344")
    page.locator("#new-tag-hotkey").select_option("8")
    page.get_by_role("button", name="Add tag").click()
    row = page.locator("tr", has=page.locator("input[value='Casualty figure']"))
    expect(row).to_have_count(1)
    tag = Tag.objects.get(name="Casualty figure")
    chip_colour = "(pk) => getComputedStyle(document.querySelector('.tag-chip.tag-chip-' + pk)).borderTopColor"
    page.wait_for_function(f"(pk) => ({chip_colour})(pk) === 'rgb(204, 51, 68)'", arg=tag.pk)

    row.locator("input[type=color]").fill("#2266aa")
    row.get_by_role("button", name="Save").click()
    page.wait_for_function(f"(pk) => ({chip_colour})(pk) === 'rgb(34, 102, 170)'", arg=tag.pk)
    row_index = "(pk) => Array.from(document.querySelectorAll('tbody tr')).findIndex((r) => r.id === 'tag-' + pk)"
    before = page.evaluate(row_index, tag.pk)
    page.get_by_role("button", name="Move Casualty figure up").click()
    page.wait_for_function(f"([pk, before]) => ({row_index})(pk) === before - 1", arg=[tag.pk, before])
    page.locator(f"#tag-{tag.pk}").get_by_role("button", name="Retire").click()
    expect(page.locator(f"#tag-{tag.pk}")).to_have_class("is-retired")
    page.get_by_label("Name", exact=True).last.fill("Second eight")
    page.locator("#new-tag-hotkey").select_option("1")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_text("Hotkey 1 is already used by another active tag.")).to_be_visible()
    page.screenshot(path=output_dir / "tags.png", full_page=True)
    tag.refresh_from_db()
    assert (tag.colour, tag.is_active) == ("#2266aa", False)
    assert list(Tag.objects.values_list("pk", flat=True)).index(tag.pk) == before - 1
    # The refused duplicate hotkey is the one failed request, logged by the browser as a 422.
    assert [error for error in page.js_errors if "422" not in error] == []


def test_my_work_and_the_article_list_show_an_analysts_highlights(page, analyst, output_dir):
    claim, _ = Tag.objects.get_or_create(name="Claim", defaults={"colour": "#f5c542", "hotkey": "1"})
    article = ArticleFactory(title="Dam holds as river peaks")
    ArticleFactory(title="Council meets")
    first = services.annotation_create(
        article=article,
        start=4,
        end=19,
        quote=article.body[4:19],
        tags=[claim],
        note="Which authority?",
        author=analyst,
    )
    sign_in(page, analyst.username)
    row = page.locator("tr", has=page.get_by_role("link", name="Dam holds as river peaks"))
    expect(row.locator("td.num").last).to_have_text("1")
    page.screenshot(path=output_dir / "list.png", full_page=True)
    page.get_by_role("link", name="My work").click()
    page.wait_for_url("**/annotations/mine/")
    expect(page.get_by_text("Which authority?")).to_be_visible()
    page.screenshot(path=output_dir / "my-work.png", full_page=True)
    page.locator(".my-work-quote").click()
    page.wait_for_url(lambda url: url.endswith(f"/articles/{article.pk}/#ann-{first.pk}"))
    expect(page.locator(f"#ann-{first.pk}")).to_have_class("highlight-item is-active")
    expect(page.locator("#annotation-editor textarea[name=note]")).to_have_value("Which authority?")
    assert page.js_errors == []
