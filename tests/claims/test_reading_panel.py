"""The reading page shows the claims an article's highlights assert, with their verdict badges."""

import pytest
from django.urls import reverse

from claims import services
from tests.factories import AnnotationFactory, ArticleFactory

pytestmark = pytest.mark.django_db

BODY = "Officials said 11,000 troops had gathered near the border.\n\nResidents stayed indoors."


def _highlight(article, text, author):
    start = article.body.index(text)
    return AnnotationFactory(article=article, author=author, start=start, end=start + len(text), quote=text)


def test_the_reading_page_loads_the_claims_panel_for_people_who_may_see_claims(analyst_client):
    article = ArticleFactory(body=BODY)
    content = analyst_client.get(article.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("claims:article_panel", args=[article.pk])}"' in content
    assert "claimLinked from:body" in content


def test_the_panel_lists_each_claim_once_with_its_badge_and_the_highlights_that_assert_it(analyst_client, analyst):
    article = ArticleFactory(body=BODY)
    figure = _highlight(article, "11,000 troops", analyst)
    place = _highlight(article, "near the border", analyst)
    claim = services.claim_create(statement="Troops gathered at the border", created_by=analyst, annotation=figure)
    services.claim_link_annotation(claim=claim, annotation=place, user=analyst, propose=False)

    content = analyst_client.get(reverse("claims:article_panel", args=[article.pk])).content.decode()
    assert content.count("Troops gathered at the border</a>") == 1
    assert 'class="verdict-badge verdict-unreviewed"' in content
    assert f'href="#ann-{figure.pk}"' in content
    assert f'href="#ann-{place.pk}"' in content


def test_deleted_highlights_and_other_articles_do_not_show(analyst_client, analyst):
    article = ArticleFactory(body=BODY)
    other = ArticleFactory(body=BODY)
    services.claim_create(
        statement="Elsewhere", created_by=analyst, annotation=_highlight(other, "11,000 troops", analyst)
    )
    gone = _highlight(article, "11,000 troops", analyst)
    services.claim_create(statement="Deleted one", created_by=analyst, annotation=gone)
    type(gone).objects.filter(pk=gone.pk).update(deleted_at="2026-01-01T00:00:00Z")

    content = analyst_client.get(reverse("claims:article_panel", args=[article.pk])).content.decode()
    assert "Elsewhere" not in content
    assert "Deleted one" not in content
    assert "No highlight here is linked to a claim yet" in content


def test_statements_are_escaped_in_the_panel(analyst_client, analyst):
    article = ArticleFactory(body=BODY)
    services.claim_create(
        statement='<script>alert(1)</script>"><img src=x onerror=alert(2)>',
        created_by=analyst,
        annotation=_highlight(article, "11,000 troops", analyst),
    )
    content = analyst_client.get(reverse("claims:article_panel", args=[article.pk])).content.decode()
    assert "<script>alert(1)" not in content
    assert "<img src=x" not in content


def test_people_without_a_role_cannot_read_the_panel(client, outsider):
    article = ArticleFactory(body=BODY)
    client.force_login(outsider)
    assert client.get(reverse("claims:article_panel", args=[article.pk])).status_code == 403


def test_an_open_highlight_loads_its_claims_control(analyst_client, analyst):
    article = ArticleFactory(body=BODY)
    figure = _highlight(article, "11,000 troops", analyst)
    content = analyst_client.get(article.get_absolute_url(), {"annotation": figure.pk}).content.decode()
    edit = analyst_client.get(reverse("annotations:edit", args=[figure.pk]), headers={"HX-Request": "true"})
    assert reverse("claims:annotation_claims", args=[figure.pk]) in content + edit.content.decode()
