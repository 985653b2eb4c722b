import json
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.roles import ANALYST
from annotations import highlights, services
from annotations.models import Annotation, Tag
from tests.factories import AnnotationFactory, ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "Eleven thousand troops crossed the river.\n\nThe ministry said 12,000 crossed on Tuesday."
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def article():
    return ArticleFactory(body=BODY)


def _create(client, article, quote, *, occurrence_start=None, tags=(), **extra):
    start = article.body.index(quote) if occurrence_start is None else occurrence_start
    data = {"start": start, "end": start + len(quote), "quote": quote, "tags": [t.pk for t in tags], **extra}
    return client.post(reverse("annotations:create", args=[article.pk]), data, **HTMX)


def test_an_analyst_creates_a_highlight_and_gets_the_body_and_panel_back(analyst_client, article):
    claim = Tag.objects.get(name="Claim")
    response = _create(analyst_client, article, "Eleven thousand troops", tags=[claim])
    assert response.status_code == 200
    annotation = Annotation.objects.get()
    html = response.content.decode()
    assert f'<mark class="hl hl-t{claim.pk} hl-first" data-ann="{annotation.pk}">Eleven thousand troops</mark>' in html
    assert 'id="annotation-panel"' in html and 'hx-swap-oob="true"' in html
    assert "annotation:created" in response["HX-Trigger"]


def test_a_mismatched_quote_is_answered_409_with_a_message(analyst_client, article):
    response = analyst_client.post(
        reverse("annotations:create", args=[article.pk]), {"start": 0, "end": 6, "quote": "Twelve"}, **HTMX
    )
    assert response.status_code == 409
    assert b"does not match the article" in response.content
    assert response["HX-Retarget"] == "#annotator-message"
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"start": "x", "end": 6, "quote": "Eleven"},
        {"start": 6, "end": 0, "quote": "Eleven"},
        {"start": -2, "end": 4, "quote": "Eleven"},
        {"start": 0, "end": 99999, "quote": "Eleven"},
        {"start": 0, "end": 6, "quote": "Eleven", "tags": ["999999"]},
        {"start": 0, "end": 6, "quote": "Eleven", "request_id": "not-a-uuid"},
    ],
)
def test_bad_input_is_answered_422_not_500(analyst_client, article, data):
    response = analyst_client.post(reverse("annotations:create", args=[article.pk]), data)
    assert response.status_code == 422
    assert response.content


def test_a_double_submitted_create_makes_one_highlight(analyst_client, article):
    request_id = str(uuid.uuid4())
    _create(analyst_client, article, "Eleven", request_id=request_id)
    _create(analyst_client, article, "Eleven", request_id=request_id)
    assert Annotation.objects.count() == 1


def test_someone_without_a_role_cannot_create(client, outsider, article):
    client.force_login(outsider)
    assert _create(client, article, "Eleven").status_code == 403


def test_creating_on_a_missing_article_is_404(analyst_client):
    response = analyst_client.post(reverse("annotations:create", args=[987654]), {"start": 0, "end": 1, "quote": "E"})
    assert response.status_code == 404


def test_writes_need_the_csrf_token(analyst, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(reverse("annotations:create", args=[article.pk]), {"start": 0, "end": 6, "quote": "Eleven"})
    assert response.status_code == 403
    annotation = AnnotationFactory(article=article, author=analyst)
    assert client.post(reverse("annotations:delete", args=[annotation.pk])).status_code == 403
    annotation.refresh_from_db()
    assert not annotation.is_deleted
    client.get(article.get_absolute_url())
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("annotations:create", args=[article.pk]),
        {"start": 0, "end": 6, "quote": "Eleven", "tags": []},
        HTTP_X_CSRFTOKEN=token,
        **HTMX,
    )
    assert response.status_code == 200


def test_the_editor_form_updates_note_and_tags(analyst_client, analyst, article):
    annotation = AnnotationFactory(article=article, author=analyst)
    quote_tag = Tag.objects.get(name="Quote")
    response = analyst_client.get(reverse("annotations:edit", args=[annotation.pk]), **HTMX)
    assert response.status_code == 200
    assert b'id="annotation-editor"' in response.content
    response = analyst_client.post(
        reverse("annotations:edit", args=[annotation.pk]),
        {"version": 1, "note": "Figure differs from ministry", "tags": [quote_tag.pk]},
        **HTMX,
    )
    assert response.status_code == 200
    annotation.refresh_from_db()
    assert annotation.note == "Figure differs from ministry"
    assert annotation.version == 2
    assert f"hl-t{quote_tag.pk}" in response.content.decode()


def test_a_stale_edit_is_answered_409_and_shows_the_current_version(analyst_client, analyst, editor, article):
    annotation = AnnotationFactory(article=article, author=analyst)
    Annotation.objects.filter(pk=annotation.pk).update(version=2, updated_by=editor, note="editor note")
    response = analyst_client.post(
        reverse("annotations:edit", args=[annotation.pk]), {"version": 1, "note": "mine"}, **HTMX
    )
    assert response.status_code == 409
    assert b"changed by ed since you opened it" in response.content
    assert response["HX-Retarget"] == "#article-body"
    assert b"editor note" in response.content
    annotation.refresh_from_db()
    assert annotation.note == "editor note"


def test_an_analyst_gets_403_for_another_analysts_highlight(analyst_client, article):
    other = UserFactory(username="other", role=ANALYST)
    annotation = AnnotationFactory(article=article, author=other)
    edit = analyst_client.post(reverse("annotations:edit", args=[annotation.pk]), {"version": 1, "note": "x"})
    assert edit.status_code == 403
    assert analyst_client.post(reverse("annotations:delete", args=[annotation.pk])).status_code == 403
    annotation.refresh_from_db()
    assert annotation.note == "" and not annotation.is_deleted


def test_an_editor_may_edit_anyones_highlight(editor_client, analyst, article):
    annotation = AnnotationFactory(article=article, author=analyst)
    response = editor_client.post(
        reverse("annotations:edit", args=[annotation.pk]), {"version": 1, "note": "moderated"}, **HTMX
    )
    assert response.status_code == 200


def test_unknown_or_deleted_ids_are_404(analyst_client, analyst, article):
    assert analyst_client.get(reverse("annotations:edit", args=[424242]), **HTMX).status_code == 404
    annotation = AnnotationFactory(article=article, author=analyst, deleted_at="2026-01-01T00:00:00Z")
    assert analyst_client.get(reverse("annotations:edit", args=[annotation.pk]), **HTMX).status_code == 404
    assert analyst_client.post(reverse("annotations:delete", args=[annotation.pk])).status_code == 404
    assert analyst_client.get(reverse("articles:detail", args=[424242])).status_code == 404


def test_delete_offers_undo_and_undo_restores(analyst_client, analyst, article):
    annotation = AnnotationFactory(article=article, author=analyst)
    response = analyst_client.post(reverse("annotations:delete", args=[annotation.pk]), **HTMX)
    assert response.status_code == 200
    assert b"Highlight deleted." in response.content
    assert reverse("annotations:restore", args=[annotation.pk]).encode() in response.content
    assert b"<mark" not in response.content
    response = analyst_client.post(reverse("annotations:restore", args=[annotation.pk]), **HTMX)
    assert response.status_code == 200
    assert b"<mark" in response.content
    annotation.refresh_from_db()
    assert not annotation.is_deleted


@pytest.mark.parametrize("note", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_notes_and_quotes_are_escaped_everywhere(analyst_client, analyst, note):
    article = ArticleFactory(body=f"Before {note} after.\n\nSecond paragraph.")
    start = article.body.index(note)
    annotation = AnnotationFactory(article=article, author=analyst, start=start, end=start + len(note), note=note)
    pages = [
        analyst_client.get(article.get_absolute_url()),
        analyst_client.get(reverse("annotations:edit", args=[annotation.pk]), **HTMX),
        analyst_client.get(reverse("annotations:my_work")),
    ]
    for response in pages:
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "&lt;" in html


def test_the_reading_page_filters_by_tag_and_author(analyst_client, analyst, editor, article):
    claim = Tag.objects.get(name="Claim")
    mine = AnnotationFactory(article=article, author=analyst, start=0, end=6, quote="Eleven")
    mine.tags.add(claim)
    theirs = AnnotationFactory(article=article, author=editor, start=7, end=15, quote="thousand")
    url = reverse("annotations:article_highlights", args=[article.pk])
    html = analyst_client.get(url, {"tag": claim.pk}, **HTMX).content.decode()
    assert f'data-ann="{mine.pk}"' in html and f'data-ann="{theirs.pk}"' not in html
    html = analyst_client.get(url, {"author": editor.pk}, **HTMX).content.decode()
    assert f'data-ann="{theirs.pk}"' in html and f'data-ann="{mine.pk}"' not in html


def test_the_reading_page_query_count_does_not_grow_with_highlights(
    analyst_client, analyst, django_assert_max_num_queries
):
    words = " ".join(f"word{n}" for n in range(2000))
    article = ArticleFactory(body=words)
    tags = list(Tag.objects.all())
    annotations = []
    position = 0
    for n in range(200):
        start = article.body.index(f"word{n * 10} ", position)
        end = start + len(f"word{n * 10} word{n * 10 + 1}")
        annotations.append(
            Annotation(article=article, author=analyst, start=start, end=end, quote=article.body[start:end])
        )
        position = start
    created = Annotation.objects.bulk_create(annotations)
    for n, annotation in enumerate(created):
        annotation.tags.add(tags[n % len(tags)])
    with django_assert_max_num_queries(10):
        response = analyst_client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count("<mark ") >= 200


def test_overlapping_highlights_become_flat_segments_listing_every_cover():
    class Span:
        def __init__(self, pk, start, end):
            self.pk, self.start, self.end = pk, start, end

    body = "abcdefghij\n\nklmno"
    outer, inner, crossing = Span(1, 0, 8), Span(2, 2, 4), Span(3, 6, 14)
    paragraphs = highlights.segments(body, [outer, inner, crossing])
    first = [(s.text, [a.pk for a in s.annotations]) for s in paragraphs[0]]
    assert first == [("ab", [1]), ("cd", [2, 1]), ("ef", [1]), ("gh", [1, 3]), ("ij", [3])]
    second = [(s.text, [a.pk for a in s.annotations]) for s in paragraphs[1]]
    assert second == [("kl", [3]), ("mno", [])]


def test_overlaps_render_with_the_inner_fill_and_the_outer_underline(analyst_client, analyst, article):
    claim, number = Tag.objects.get(name="Claim"), Tag.objects.get(name="Number/Statistic")
    outer = AnnotationFactory(article=article, author=analyst, start=0, end=22, quote="Eleven thousand troops")
    outer.tags.add(claim)
    inner = AnnotationFactory(article=article, author=analyst, start=0, end=15, quote="Eleven thousand")
    inner.tags.add(number)
    html = analyst_client.get(article.get_absolute_url()).content.decode()
    assert (
        f'<mark class="hl hl-t{number.pk} hl-u{claim.pk} hl-d2 hl-first" data-ann="{inner.pk} {outer.pk}">'
        "Eleven thousand</mark>" in html
    )
    assert f'<mark class="hl hl-t{claim.pk}" data-ann="{outer.pk}"> troops</mark>' in html


def test_the_page_has_no_inline_styles_and_links_the_tag_stylesheet(analyst_client, article):
    html = analyst_client.get(article.get_absolute_url()).content.decode()
    assert "style=" not in html
    assert reverse("annotations:tags_css") in html
    css = analyst_client.get(reverse("annotations:tags_css")).content.decode()
    claim = Tag.objects.get(name="Claim")
    assert f".hl-t{claim.pk} {{ --hl-bg: rgb(245 197 66 / 0.42); }}" in css


def test_the_article_list_shows_live_highlight_counts(analyst_client, analyst, article, django_assert_num_queries):
    AnnotationFactory(article=article, author=analyst)
    AnnotationFactory(article=article, author=analyst, deleted_at="2026-01-01T00:00:00Z")
    ArticleFactory()
    response = analyst_client.get(reverse("articles:list"))
    counts = {a.pk: a.highlight_count for a in response.context["page"].object_list}
    assert counts[article.pk] == 1
    assert sorted(counts.values()) == [0, 1]


def test_my_work_lists_only_my_live_highlights(analyst_client, analyst, editor, article):
    mine = AnnotationFactory(article=article, author=analyst, note="my note")
    AnnotationFactory(article=article, author=editor, note="editor's note")
    response = analyst_client.get(reverse("annotations:my_work"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [mine]
    assert f"{article.get_absolute_url()}#ann-{mine.pk}".encode() in response.content


def test_editors_manage_tags_on_the_tag_page(editor_client):
    response = editor_client.post(
        reverse("annotations:tag_create"),
        {"name": "Casualties", "colour": "#aa0000", "hotkey": "8", "kind": "number", "description": "Deaths"},
        **HTMX,
    )
    assert response.status_code == 200
    tag = Tag.objects.get(name="Casualties")
    assert "tags:changed" in response["HX-Trigger"]
    editor_client.post(
        reverse("annotations:tag_update", args=[tag.pk]),
        {"name": "Casualty count", "colour": "#00aa00", "hotkey": "8", "kind": "number"},
    )
    editor_client.post(reverse("annotations:tag_move", args=[tag.pk]), {"direction": "up"})
    editor_client.post(reverse("annotations:tag_retire", args=[tag.pk]), {"retired": "1"})
    tag.refresh_from_db()
    assert (tag.name, tag.colour, tag.is_active) == ("Casualty count", "#00aa00", False)
    assert list(Tag.objects.values_list("name", flat=True)).index("Casualty count") == 6


def test_the_tag_page_reports_a_taken_hotkey(editor_client):
    response = editor_client.post(
        reverse("annotations:tag_create"), {"name": "Dup", "colour": "#aa0000", "hotkey": "1", "kind": "other"}, **HTMX
    )
    assert response.status_code == 422
    assert b"Hotkey 1 is already used" in response.content


def test_analysts_cannot_open_the_tag_page(analyst_client):
    assert analyst_client.get(reverse("annotations:tags")).status_code == 403
    assert analyst_client.post(reverse("annotations:tag_create"), {"name": "x", "colour": "#000000"}).status_code == 403


def _export_fixture(analyst, article):
    claim = Tag.objects.get(name="Claim")
    return services.annotation_create(
        article=article, start=0, end=6, quote="Eleven", tags=[claim], note="n", author=analyst
    )


def test_the_jsonl_export_has_one_record_per_highlight(analyst_client, analyst, article):
    annotation = _export_fixture(analyst, article)
    response = analyst_client.get(reverse("annotations:export"), {"article": article.pk, "format": "jsonl"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    record = json.loads(lines[0])
    assert len(lines) == 1
    assert record["id"] == annotation.pk and record["quote"] == "Eleven" and record["tags"] == ["Claim"]


def test_the_w3c_export_is_a_valid_web_annotation_page(analyst_client, analyst, article):
    _export_fixture(analyst, article)
    response = analyst_client.get(reverse("annotations:export"), {"article": article.pk, "format": "w3c"})
    assert response["Content-Type"].startswith("application/ld+json")
    page = json.loads(response.content)
    assert page["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert page["type"] == "AnnotationPage"
    item = page["items"][0]
    assert item["type"] == "Annotation"
    assert item["target"]["source"] == article.url
    quote_selector, position_selector = item["target"]["selector"]
    assert quote_selector == {"type": "TextQuoteSelector", "exact": "Eleven", "prefix": "", "suffix": BODY[6:38]}
    assert position_selector == {"type": "TextPositionSelector", "start": 0, "end": 6}
    assert {"type": "TextualBody", "purpose": "tagging", "value": "Claim"} in item["body"]


def test_the_export_uses_the_app_url_for_articles_without_one(analyst_client, analyst):
    article = ArticleFactory(body=BODY, url="")
    _export_fixture(analyst, article)
    page = analyst_client.get(reverse("annotations:export"), {"article": article.pk, "format": "w3c"}).json()
    assert page["items"][0]["target"]["source"] == f"http://testserver{article.get_absolute_url()}"


def test_a_bad_export_format_is_422(analyst_client):
    assert analyst_client.get(reverse("annotations:export"), {"format": "xml"}).status_code == 422


def test_the_export_command_filters_and_writes_both_formats(analyst, editor, article, tmp_path):
    _export_fixture(analyst, article)
    AnnotationFactory(article=article, author=editor, start=7, end=15, quote="thousand")
    output = tmp_path / "out.jsonl"
    call_command("export_annotations", article=article.pk, author="ana", output=str(output))
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["author"] for r in records] == ["ana"]
    w3c = tmp_path / "out.jsonld"
    call_command("export_annotations", tag="Claim", format="w3c", output=str(w3c))
    page = json.loads(w3c.read_text())
    assert [item["target"]["selector"][0]["exact"] for item in page["items"]] == ["Eleven"]


def test_a_create_next_to_others_sends_only_the_new_list_entry(analyst_client, analyst, article):
    later = AnnotationFactory(article=article, author=analyst, start=16, end=22, quote="troops")
    response = _create(analyst_client, article, "Eleven")
    html = response.content.decode()
    created = Annotation.objects.exclude(pk=later.pk).get()
    assert response.status_code == 200
    assert f'hx-swap-oob="beforebegin:#ann-{later.pk}"' in html
    assert f'id="ann-{created.pk}"' in html and f'id="ann-{later.pk}"' not in html
    assert 'id="annotation-panel"' not in html
    assert '<span class="count" id="highlight-count" hx-swap-oob="true">2</span>' in html
    response = _create(analyst_client, article, "crossed")
    assert 'hx-swap-oob="beforeend:#highlight-list"' in response.content.decode()


def test_the_cached_reading_fragments_follow_every_change(analyst_client, analyst, article):
    annotation = AnnotationFactory(article=article, author=analyst, start=0, end=6, quote="Eleven")
    assert b"first note" not in analyst_client.get(article.get_absolute_url()).content
    annotation.note = "first note"
    annotation.save()
    assert b"first note" in analyst_client.get(article.get_absolute_url()).content
    tag = Tag.objects.get(name="Claim")
    annotation.tags.add(tag)
    assert f"hl-t{tag.pk}".encode() in analyst_client.get(article.get_absolute_url()).content
    tag.name = "Checked claim"
    tag.save()
    assert b"Checked claim</span>" in analyst_client.get(article.get_absolute_url()).content
    Annotation.objects.filter(pk=annotation.pk).delete()
    assert b"<mark" not in analyst_client.get(article.get_absolute_url()).content
