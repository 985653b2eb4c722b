"""An analyst highlights, tags, edits and deletes passages in a real browser, across every kind of script."""

import pytest
from playwright.sync_api import expect

from annotations import services
from annotations.models import Annotation, Tag
from tests.e2e.conftest import sign_in
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARAGRAPHS = [
    "Crowds 👨‍👩‍👧‍👦 cheered as 🇺🇦 and 🇫🇷 flags rose; Zoë's café Sx\u0323\u0301q stayed open.",
    "Arabic: قال المتحدث إن 11 ألف شخص نزحوا. Hebrew: הדובר אמר שאלפים פונו.",
    "中文：一万一千名居民被疏散。Engineers will inspect the spillway in July.",
]

# Selects from `start` in paragraph `p1` to the end of `end` in paragraph `p2`, shifted by whole UTF-16
# units (to land inside a surrogate pair or a grapheme), then lets the page see a mouseup.
SELECT_JS = """([p1, start, startShift, p2, end, endShift]) => {
  const ps = document.querySelectorAll('#article-body > p');
  function locate(p, unit) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    let seen = 0, node;
    while ((node = walker.nextNode())) {
      if (unit <= seen + node.data.length) return [node, unit - seen];
      seen += node.data.length;
    }
    throw new Error('offset out of paragraph');
  }
  const a = ps[p1].textContent.indexOf(start) + startShift;
  const b = ps[p2].textContent.indexOf(end) + end.length + endShift;
  if (ps[p1].textContent.indexOf(start) < 0 || ps[p2].textContent.indexOf(end) < 0) throw new Error('not found');
  const range = document.createRange();
  range.setStart(...locate(ps[p1], a));
  range.setEnd(...locate(ps[p2], b));
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  document.getElementById('article-body').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
}"""


@pytest.fixture
def tags(db):
    # Transactional tests flush the data migration's tags, so the ones used here are made again.
    made = {}
    for position, (name, colour, hotkey) in enumerate(
        [("Claim", "#f5c542", "1"), ("Number/Statistic", "#5fb3f9", "2"), ("Quote", "#b99cf0", "3")]
    ):
        made[name], _ = Tag.objects.get_or_create(
            name=name, defaults={"colour": colour, "hotkey": hotkey, "position": position}
        )
    return made


@pytest.fixture
def article(db):
    return ArticleFactory(title="Crowds and flags", body="\n\n".join(PARAGRAPHS), language="")


def _select(page, p1, start, p2=None, end=None, start_shift=0, end_shift=0):
    page.evaluate(SELECT_JS, [p1, start, start_shift, p1 if p2 is None else p2, end or start, end_shift])
    page.locator("#annotator-toolbar").wait_for(state="visible")


def _wait_for_count(page, count):
    expect(page.locator("#highlight-count")).to_have_text(str(count))


def _marked_text(page, annotation_id):
    return page.evaluate(
        "(id) => Array.from(document.querySelectorAll(`#article-body mark[data-ann~='${id}']`))"
        ".map((m) => m.textContent).join('')",
        annotation_id,
    )


def test_a_mouse_selection_tagged_by_click_is_highlighted_at_once(page, analyst, tags, article, output_dir):
    sign_in(page, analyst.username)
    page.goto(article.get_absolute_url())
    box = page.evaluate(
        """() => {
          const p = document.querySelectorAll('#article-body > p')[2];
          const text = p.firstChild;
          const at = text.data.indexOf('Engineers');
          const range = document.createRange();
          range.setStart(text, at); range.setEnd(text, at + 1);
          const first = range.getBoundingClientRect();
          const stop = at + 'Engineers will inspect'.length;
          range.setStart(text, stop - 1);
          range.setEnd(text, stop);
          const last = range.getBoundingClientRect();
          const y1 = first.top + first.height / 2, y2 = last.top + last.height / 2;
          return {x1: first.left + 1, y1, x2: last.right - 1, y2};
        }"""
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=8)
    page.mouse.up()
    page.locator("#annotator-toolbar").wait_for(state="visible")
    page.screenshot(path=output_dir / "toolbar.png")
    page.locator("#annotator-toolbar").get_by_role("button", name="Quote").click()
    _wait_for_count(page, 1)
    annotation = Annotation.objects.get()
    assert annotation.quote == "Engineers will inspect"
    assert list(annotation.tags.values_list("name", flat=True)) == ["Quote"]
    assert _marked_text(page, annotation.pk) == "Engineers will inspect"
    assert page.locator("#annotation-editor").is_visible()
    page.screenshot(path=output_dir / "created.png", full_page=True)
    assert page.js_errors == []


def test_unicode_selections_snap_to_whole_characters_and_survive_a_reload(page, analyst, tags, article, output_dir):
    sign_in(page, analyst.username)
    page.goto(article.get_absolute_url())
    cases = [
        # (p1, start text, start shift, p2, end text, end shift, expected quote)
        (0, "👨", 2, 0, "👦", -1, "👨‍👩‍👧‍👦"),  # starts after the first emoji of a ZWJ family, ends mid-pair
        (0, "🇺🇦", 2, 0, "🇫🇷", -2, "🇺🇦 and 🇫🇷"),  # between two regional indicators of each flag
        (0, "x\u0323", 1, 0, "q", 0, "x\u0323\u0301q"),  # inside a combining sequence
        (1, "قال", 0, 1, "المتحدث", 0, "قال المتحدث"),
        (1, "הדובר", 0, 1, "אמר", 0, "הדובר אמר"),
        (2, "一万", 0, 2, "居民", 0, "一万一千名居民"),
        (1, "Hebrew", 0, 2, "中文", 0, "Hebrew: הדובר אמר שאלפים פונו.\n\n中文"),  # across two paragraphs
        (1, "Arabic", 0, 1, "إن", 0, "Arabic: قال المتحدث إن"),  # across an existing highlight
    ]
    for number, (p1, start, start_shift, p2, end, end_shift, expected) in enumerate(cases, start=1):
        _select(page, p1, start, p2, end, start_shift, end_shift)
        page.keyboard.press("1")
        _wait_for_count(page, number)
        annotation = Annotation.objects.order_by("-id").first()
        assert annotation.quote == expected, (number, annotation.quote)
        assert article.body[annotation.start : annotation.end] == expected
    page.screenshot(path=output_dir / "unicode-before-reload.png", full_page=True)
    page.reload()
    for annotation in Annotation.objects.all():
        assert _marked_text(page, annotation.pk) == annotation.quote.replace("\n\n", "")
    assert Annotation.objects.filter(tags__name="Claim").count() == len(cases)
    page.screenshot(path=output_dir / "unicode-after-reload.png", full_page=True)
    assert page.js_errors == []


def test_edit_the_note_delete_and_undo(page, analyst, tags, article, output_dir):
    sign_in(page, analyst.username)
    page.goto(article.get_absolute_url())
    _select(page, 2, "spillway")
    page.keyboard.press("2")
    _wait_for_count(page, 1)
    annotation = Annotation.objects.get()
    page.locator("#annotation-editor textarea[name=note]").fill(
        'Check the date <script>alert(1)</script> "><img onerror>'
    )
    page.locator("#annotation-editor").get_by_role("button", name="Save").click()
    page.wait_for_selector("#annotation-editor-message:has-text('Saved.')")
    annotation.refresh_from_db()
    assert annotation.note.startswith("Check the date <script>")
    assert "<script>alert(1)</script>" in page.locator(".highlight-note").first.inner_text()
    page.screenshot(path=output_dir / "edited.png", full_page=True)

    page.locator("#annotation-editor").get_by_role("button", name="Delete").click()
    _wait_for_count(page, 0)
    assert page.locator("#article-body mark").count() == 0
    page.screenshot(path=output_dir / "deleted-toast.png")
    page.locator("#annotation-toast").get_by_role("button", name="Undo").click()
    _wait_for_count(page, 1)
    assert _marked_text(page, annotation.pk) == "spillway"
    annotation.refresh_from_db()
    assert annotation.deleted_at is None
    assert page.js_errors == []


def test_overlaps_are_each_clickable_and_the_keyboard_moves_between_highlights(
    page, analyst, tags, article, output_dir
):
    sign_in(page, analyst.username)
    page.goto(article.get_absolute_url())
    _select(page, 2, "Engineers", end="spillway")
    page.keyboard.press("1")
    _wait_for_count(page, 1)
    _select(page, 2, "inspect", end="July")
    page.keyboard.press("3")
    _wait_for_count(page, 2)
    outer, crossing = Annotation.objects.order_by("id")
    overlap = page.locator(
        f"#article-body mark[data-ann='{outer.pk} {crossing.pk}'], "
        f"#article-body mark[data-ann='{crossing.pk} {outer.pk}']"
    )
    assert overlap.count() == 1
    assert "hl-d2" in overlap.get_attribute("class")
    page.locator("[data-close-editor]").first.click()
    overlap.click()
    first_id = int(overlap.get_attribute("data-ann").split()[0])
    page.wait_for_selector(f"#annotation-editor form[action$='/{first_id}/edit/']")
    overlap.click()
    second_id = int(overlap.get_attribute("data-ann").split()[1])
    page.wait_for_selector(f"#annotation-editor form[action$='/{second_id}/edit/']")
    page.screenshot(path=output_dir / "overlap.png", full_page=True)

    page.locator("#annotation-editor [data-close-editor]").click()
    assert page.locator(".highlight-item.is-active").count() == 0
    page.keyboard.press("j")
    page.wait_for_selector(f"#ann-{outer.pk}.is-active")
    page.keyboard.press("j")
    page.wait_for_selector(f"#ann-{crossing.pk}.is-active")
    page.keyboard.press("k")
    page.wait_for_selector(f"#ann-{outer.pk}.is-active")

    page.locator(f"#ann-{crossing.pk}").hover()
    assert page.locator(f"#article-body mark.is-hovered[data-ann~='{crossing.pk}']").count() >= 1

    _select(page, 0, "Crowds")
    page.keyboard.press("Escape")
    page.locator("#annotator-toolbar").wait_for(state="hidden")
    page.keyboard.press("?")
    assert page.locator("#annotator-help").is_visible()
    page.screenshot(path=output_dir / "shortcuts.png")
    page.keyboard.press("Escape")
    assert Annotation.objects.count() == 2
    assert page.js_errors == []


def test_a_filter_by_tag_hides_other_marks(page, analyst, tags, article):
    sign_in(page, analyst.username)
    page.goto(article.get_absolute_url())
    _select(page, 2, "Engineers")
    page.keyboard.press("1")
    _wait_for_count(page, 1)
    _select(page, 2, "July")
    page.keyboard.press("2")
    _wait_for_count(page, 2)
    page.locator("#filter-tag").select_option(label="Number/Statistic")
    _wait_for_count(page, 1)
    assert page.locator("#article-body mark").all_inner_texts() == ["July"]
    assert page.js_errors == []


def test_a_stale_save_shows_who_changed_the_highlight(page, analyst, editor, tags, article, output_dir):
    sign_in(page, analyst.username)
    page.goto(article.get_absolute_url())
    _select(page, 2, "July")
    page.keyboard.press("1")
    _wait_for_count(page, 1)
    annotation = Annotation.objects.get()
    # An editor saves a change while the analyst's form is still open on the old version.
    services.annotation_update(annotation=annotation, expected_version=1, tags=[], note="Editor's note", user=editor)
    page.locator("#annotation-editor textarea[name=note]").fill("Analyst's note")
    page.locator("#annotation-editor").get_by_role("button", name="Save").click()
    expect(page.locator("#annotation-editor-message")).to_contain_text("changed by ed since you opened it")
    expect(page.locator("#annotation-editor textarea[name=note]")).to_have_value("Editor's note")
    expect(page.locator(f"#ann-{annotation.pk}")).to_have_class("highlight-item is-active")
    page.screenshot(path=output_dir / "conflict.png", full_page=True)
    annotation.refresh_from_db()
    assert annotation.note == "Editor's note"
    assert [error for error in page.js_errors if "409" not in error] == []
