"""Articles whose highlights disagree (11,000 vs 12,000), for the claims tests."""

import datetime

import pytest

from tests.factories import AnnotationFactory, ArticleFactory, SourceFactory


def highlight(article, phrase: str, author, occurrence: int = 0):
    """An annotation over the `occurrence`-th appearance of `phrase` in the article's body."""
    start = -1
    for _ in range(occurrence + 1):
        start = article.body.index(phrase, start + 1)
    return AnnotationFactory(article=article, author=author, start=start, end=start + len(phrase), quote=phrase)


@pytest.fixture
def troop_articles(db):
    """Two outlets: one says 11,000 troops, the other 12,000."""
    first = ArticleFactory(
        source=SourceFactory(name="Harbour Herald"),
        title="Troops massed at the border",
        body="Officials said on Tuesday that 11,000 troops had gathered near the border.\n\nTalks continue.",
        published_at=datetime.datetime(2026, 3, 10, 8, tzinfo=datetime.UTC),
    )
    second = ArticleFactory(
        source=SourceFactory(name="River Times"),
        title="Border build-up grows",
        body="According to a ministry source, 12,000 troops had gathered near the border.\n\nMore follow.",
        published_at=datetime.datetime(2026, 3, 11, 9, tzinfo=datetime.UTC),
    )
    return first, second


@pytest.fixture
def troop_highlights(troop_articles, analyst):
    first, second = troop_articles
    return (
        highlight(first, "11,000 troops had gathered near the border", analyst),
        highlight(second, "12,000 troops had gathered near the border", analyst),
    )
