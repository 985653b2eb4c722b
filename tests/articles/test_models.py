import pytest
from django.db import IntegrityError, transaction

from articles import services
from tests.factories import ArticleFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_saving_an_article_normalises_text_and_derives_hash_and_word_count():
    article = ArticleFactory(title="  Dam\nholds ", body="One  two\r\n\r\n\r\nthree\x00")
    assert article.title == "Dam holds"
    assert article.body == "One two\n\nthree"
    assert article.word_count == 3
    assert len(article.content_hash) == 64


def test_url_is_unique_when_present():
    ArticleFactory(url="https://a.example/1")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(url="https://a.example/1")


def test_many_articles_may_have_no_url():
    ArticleFactory(url="")
    ArticleFactory(url="")


def test_external_id_is_unique_per_source_only():
    first = SourceFactory(name="Alpha")
    second = SourceFactory(name="Beta")
    ArticleFactory(source=first, external_id="42")
    ArticleFactory(source=second, external_id="42")
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleFactory(source=first, external_id="42")


def test_the_database_refuses_an_empty_body():
    article = ArticleFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(article).objects.filter(pk=article.pk).update(body="")


def test_article_create_refuses_a_body_that_is_empty_after_normalisation():
    with pytest.raises(ValueError, match="empty"):
        services.article_create(source=SourceFactory(), title="Nothing", body=" \x00\r\n ")


def test_exact_copies_share_a_content_hash():
    one = ArticleFactory(body="The same  wire copy.\n\nTwo paragraphs.")
    two = ArticleFactory(body="The same wire copy.\n\nTwo  paragraphs.")
    assert one.content_hash == two.content_hash
