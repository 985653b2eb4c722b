"""A highlight linked to a claim is proposed on the copies the duplicate finder found."""

import pytest

from claims import services
from claims.models import Suggestion
from dedup.services import articles_link
from tests.dedup.texts import WIRE, light_edit
from tests.factories import AnnotationFactory, ArticleFactory

pytestmark = pytest.mark.django_db


def test_a_claimed_passage_is_proposed_on_a_near_copy_at_the_same_words(analyst, django_capture_on_commit_callbacks):
    wire = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body="UPDATED: " + light_edit(WIRE))
    articles_link(article_ids=[wire.pk, copy.pk])
    passage = "limit barge traffic to 30 crossings a day"
    start = wire.body.index(passage)
    highlight = AnnotationFactory(article=wire, author=analyst, start=start, end=start + len(passage), quote=passage)

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_create(statement="Canal limited to 30 crossings", created_by=analyst, annotation=highlight)

    suggestion = Suggestion.objects.get(article=copy)
    assert suggestion.state == Suggestion.State.PROPOSED
    assert copy.body[suggestion.start : suggestion.end] == passage
    assert suggestion.start == start + len("UPDATED: ")


def test_a_changed_figure_in_the_copy_is_never_placed_on_the_wrong_words(analyst, django_capture_on_commit_callbacks):
    wire = ArticleFactory(body=WIRE)
    copy = ArticleFactory(body=light_edit(WIRE))
    articles_link(article_ids=[wire.pk, copy.pk])
    passage = "340 barges had booked passages"
    start = wire.body.index(passage)
    highlight = AnnotationFactory(article=wire, author=analyst, start=start, end=start + len(passage), quote=passage)

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_create(statement="340 barges booked", created_by=analyst, annotation=highlight)

    suggestion = Suggestion.objects.get(article=copy)
    if suggestion.state == Suggestion.State.PROPOSED:
        assert copy.body[suggestion.start : suggestion.end] == suggestion.quote
        assert "350 barges" in suggestion.quote
    else:
        assert suggestion.state == Suggestion.State.ORPHANED
