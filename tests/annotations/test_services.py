import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.roles import ANALYST
from annotations import services
from annotations.models import Annotation, Tag
from tests.factories import AnnotationFactory, ArticleFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db

UNICODE_BODY = "\n\n".join(
    [
        "Family 👨‍👩‍👧‍👦 waved 🇺🇦 and 🇫🇷 flags; a café named Sx\u0323\u0301q opened.",
        "Arabic: قال المتحدث إن 11 ألف شخص نزحوا. Hebrew: הדובר אמר שאלפים פונו.",
        "中文：一万一千名居民被疏散。日本語も。👍🏽 end",
    ]
)


def _span(body: str, quote: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = body.index(quote, start + 1)
    return start, start + len(quote)


@pytest.mark.parametrize(
    "quote",
    [
        "👨‍👩‍👧‍👦",
        "🇺🇦 and 🇫🇷",
        "Sx\u0323\u0301q",
        "قال المتحدث",
        "הדובר אמר",
        "一万一千名居民",
        "👍🏽 end",
        "flags; a café",
    ],
)
def test_offsets_are_code_points_for_every_kind_of_text(analyst, quote):
    article = ArticleFactory(body=UNICODE_BODY)
    start, end = _span(article.body, quote)
    annotation = services.annotation_create(article=article, start=start, end=end, quote=quote, author=analyst)
    annotation.refresh_from_db()
    assert article.body[annotation.start : annotation.end] == quote
    assert annotation.end - annotation.start == len(quote)


def test_a_quote_that_does_not_match_the_text_is_a_conflict(analyst):
    article = ArticleFactory(body="Eleven thousand troops crossed.")
    with pytest.raises(services.AnnotationConflict, match="does not match"):
        services.annotation_create(article=article, start=0, end=6, quote="Twelve", author=analyst)
    assert not Annotation.objects.exists()


def test_utf16_offsets_sent_by_mistake_do_not_match(analyst):
    article = ArticleFactory(body="Flag 🇺🇦 then troops crossed the river.")
    utf16_start = len("Flag 🇺🇦 then ".encode("utf-16-le")) // 2
    with pytest.raises(services.AnnotationConflict):
        services.annotation_create(
            article=article, start=utf16_start, end=utf16_start + 6, quote="troops", author=analyst
        )


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (4, 4), (5, 2), (0, 10_000)])
def test_bad_ranges_are_invalid(analyst, start, end):
    article = ArticleFactory(body="Eleven thousand troops crossed.")
    with pytest.raises(ValidationError):
        services.annotation_create(article=article, start=start, end=end, quote="x", author=analyst)


def test_prefix_and_suffix_are_32_characters_of_context(analyst):
    article = ArticleFactory(body="a" * 40 + "TARGET" + "b" * 40)
    annotation = services.annotation_create(article=article, start=40, end=46, quote="TARGET", author=analyst)
    assert annotation.prefix == "a" * 32
    assert annotation.suffix == "b" * 32


def test_a_repeated_request_id_returns_the_same_annotation(analyst):
    article = ArticleFactory(body="Eleven thousand troops crossed.")
    request_id = uuid.uuid4()
    first = services.annotation_create(
        article=article, start=0, end=6, quote="Eleven", author=analyst, request_id=request_id
    )
    second = services.annotation_create(
        article=article, start=0, end=6, quote="Eleven", author=analyst, request_id=request_id
    )
    assert first.pk == second.pk
    assert Annotation.objects.count() == 1


def test_a_double_click_without_request_id_makes_one_annotation(analyst):
    article = ArticleFactory(body="Eleven thousand troops crossed.")
    tag = Tag.objects.get(name="Claim")
    first = services.annotation_create(article=article, start=0, end=6, quote="Eleven", tags=[tag], author=analyst)
    second = services.annotation_create(article=article, start=0, end=6, quote="Eleven", tags=[tag], author=analyst)
    assert first.pk == second.pk


def test_the_same_span_with_other_tags_is_a_second_annotation(analyst):
    article = ArticleFactory(body="Eleven thousand troops crossed.")
    claim, number = Tag.objects.get(name="Claim"), Tag.objects.get(name="Number/Statistic")
    services.annotation_create(article=article, start=0, end=6, quote="Eleven", tags=[claim], author=analyst)
    services.annotation_create(article=article, start=0, end=6, quote="Eleven", tags=[number], author=analyst)
    assert Annotation.objects.count() == 2


def test_retired_tags_are_not_given_to_new_highlights(analyst):
    article = ArticleFactory(body="Eleven thousand troops crossed.")
    tag = TagFactory(name="Old", is_active=False)
    with pytest.raises(ValidationError, match="Retired"):
        services.annotation_create(article=article, start=0, end=6, quote="Eleven", tags=[tag], author=analyst)


def test_a_user_without_a_role_cannot_highlight(outsider):
    article = ArticleFactory(body="Eleven thousand troops crossed.")
    with pytest.raises(PermissionDenied):
        services.annotation_create(article=article, start=0, end=6, quote="Eleven", author=outsider)


def test_an_update_with_the_current_version_bumps_it(analyst):
    annotation = AnnotationFactory(author=analyst)
    tag = Tag.objects.get(name="Quote")
    updated = services.annotation_update(
        annotation=annotation, expected_version=1, tags=[tag], note="Check this", user=analyst
    )
    assert updated.version == 2
    assert updated.note == "Check this"
    assert list(updated.tags.all()) == [tag]


def test_a_stale_version_is_a_conflict_naming_who_changed_it(analyst, editor):
    annotation = AnnotationFactory(author=analyst)
    services.annotation_update(annotation=annotation, expected_version=1, tags=[], note="editor's view", user=editor)
    with pytest.raises(services.AnnotationConflict, match="changed by ed since you opened it"):
        services.annotation_update(annotation=annotation, expected_version=1, tags=[], note="mine", user=analyst)
    annotation.refresh_from_db()
    assert annotation.note == "editor's view"


def test_soft_delete_hides_and_restore_brings_back(analyst):
    annotation = AnnotationFactory(author=analyst)
    services.annotation_delete(annotation=annotation, user=analyst)
    assert not Annotation.objects.alive().filter(pk=annotation.pk).exists()
    assert Annotation.objects.filter(pk=annotation.pk).exists()
    services.annotation_restore(annotation=annotation, user=analyst)
    assert Annotation.objects.alive().filter(pk=annotation.pk).exists()


def test_an_update_of_a_deleted_annotation_is_a_conflict(analyst):
    annotation = AnnotationFactory(author=analyst)
    services.annotation_delete(annotation=annotation, user=analyst)
    with pytest.raises(services.AnnotationConflict, match="deleted"):
        services.annotation_update(annotation=annotation, expected_version=2, tags=[], note="x", user=analyst)


def test_an_analyst_cannot_change_or_delete_another_analysts_highlight(analyst):
    other = UserFactory(username="other", role=ANALYST)
    annotation = AnnotationFactory(author=other)
    with pytest.raises(PermissionDenied):
        services.annotation_update(annotation=annotation, expected_version=1, tags=[], note="x", user=analyst)
    with pytest.raises(PermissionDenied):
        services.annotation_delete(annotation=annotation, user=analyst)
    with pytest.raises(PermissionDenied):
        services.annotation_restore(annotation=annotation, user=analyst)


def test_an_editor_can_change_and_delete_anyones_highlight(analyst, editor):
    annotation = AnnotationFactory(author=analyst)
    services.annotation_update(annotation=annotation, expected_version=1, tags=[], note="moderated", user=editor)
    services.annotation_delete(annotation=annotation, user=editor)
    annotation.refresh_from_db()
    assert annotation.is_deleted


def test_editors_create_rename_recolour_reorder_and_retire_tags(editor):
    tag = services.tag_create(name="Casualty figure", colour="#AA0000", hotkey="8", user=editor)
    assert tag.colour == "#aa0000"
    services.tag_update(tag=tag, name="Casualties", colour="#00aa00", hotkey="8", user=editor)
    tag.refresh_from_db()
    assert (tag.name, tag.colour) == ("Casualties", "#00aa00")
    services.tag_reorder(tag_ids=[tag.pk], user=editor)
    assert Tag.objects.first() == tag
    services.tag_retire(tag=tag, user=editor)
    tag.refresh_from_db()
    assert not tag.is_active


def test_a_hotkey_cannot_be_used_by_two_active_tags(editor):
    with pytest.raises(ValidationError, match="Hotkey 1 is already used"):
        services.tag_create(name="Another", colour="#123456", hotkey="1", user=editor)


def test_a_colour_must_be_hex(editor):
    with pytest.raises(ValidationError):
        services.tag_create(name="Bad colour", colour="red", user=editor)


def test_analysts_cannot_manage_tags(analyst):
    with pytest.raises(PermissionDenied):
        services.tag_create(name="Mine", colour="#123456", user=analyst)
