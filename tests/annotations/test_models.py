import pytest
from django.db import IntegrityError, transaction

from annotations.models import Annotation, Tag
from tests.factories import AnnotationFactory, ArticleFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_annotation_must_start_before_it_ends():
    article = ArticleFactory(body="Eleven thousand troops.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(article=article, author=UserFactory(), start=5, end=5, quote="")


def test_the_quote_length_must_match_the_span():
    article = ArticleFactory(body="Eleven thousand troops.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(article=article, author=UserFactory(), start=0, end=6, quote="Eleven thousand")


def test_lengths_are_counted_in_code_points_by_the_database():
    article = ArticleFactory(body="Flag 🇫🇷 and 👩‍🔬 scientist")
    start = article.body.index("🇫🇷")
    quote = "🇫🇷 and 👩‍🔬"
    annotation = AnnotationFactory(article=article, start=start, end=start + len(quote), quote=quote)
    annotation.refresh_from_db()
    assert article.body[annotation.start : annotation.end] == quote


def test_overlapping_annotations_are_allowed():
    article = ArticleFactory()
    AnnotationFactory(article=article, start=0, end=10, quote=article.body[0:10])
    AnnotationFactory(article=article, start=4, end=20, quote=article.body[4:20])
    assert article.annotations.count() == 2


def test_soft_deleted_annotations_are_not_alive():
    annotation = AnnotationFactory()
    Annotation.objects.filter(pk=annotation.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert not Annotation.objects.alive().exists()


def test_new_installs_get_the_default_tags_with_hotkeys():
    names = list(Tag.objects.order_by("position").values_list("name", "hotkey"))
    assert names[:3] == [("Claim", "1"), ("Number/Statistic", "2"), ("Quote", "3")]
    assert len(names) == 7


def test_two_active_tags_cannot_share_a_hotkey():
    with pytest.raises(IntegrityError), transaction.atomic():
        TagFactory(name="Another claim", hotkey="1")


def test_a_retired_tag_frees_its_hotkey():
    Tag.objects.filter(hotkey="1").update(is_active=False)
    assert TagFactory(name="New claim", hotkey="1").hotkey == "1"
