"""Field names matched generously, unknown fields kept, HTML reduced to text, dates parsed or rejected."""

import datetime
import random

import pytest

from articles.models import Article
from articles.text import content_hash, normalise_text, word_count
from articles.text import normalise_line as text_normalise_line
from imports.normalise import (
    Rejected,
    digest_and_count,
    html_to_text,
    normalise_body,
    normalise_line,
    parse_date,
    record_to_row,
)
from tests.imports.helpers import jsonl, reasons, run_import, write

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"Headline": "H", "TEXT": "B", "Link": "https://x.example/1", "Publisher": "P", "pubDate": "2026-01-02"}, {}),
        ({"title": "H", "content": "B", "url": "https://x.example/1", "site": "P", "Published": "2026-01-02"}, {}),
        ({"HEADLINE": "H", "article": "B", "URL": "https://x.example/1", "outlet": "P", "date": "2026-01-02"}, {}),
    ],
)
def test_field_names_are_matched_case_insensitively_under_their_aliases(record, expected):
    row = record_to_row(record, default_source="")
    assert (row.title, row.body, row.url, row.source_name) == ("H", "B", "https://x.example/1", "P")
    assert row.published_at.date() == datetime.date(2026, 1, 2)


def test_author_language_and_external_id_aliases():
    row = record_to_row(
        {"title": "T", "body": "B", "byline": "Mara Quell", "Lang": "de", "GUID": "abc-1"}, default_source=""
    )
    assert (row.author, row.language, row.external_id) == ("Mara Quell", "de", "abc-1")


def test_unknown_fields_are_kept_in_extra_and_a_second_alias_is_not_dropped():
    row = record_to_row(
        {"title": "T", "body": "B", "text": "other text", "Section": "World", "tags": ["a", "b"]}, default_source=""
    )
    assert row.body == "B"
    assert row.extra == {"text": "other text", "Section": "World", "tags": ["a", "b"]}


def test_structured_values_are_read_sensibly():
    row = record_to_row(
        {
            "title": "T",
            "body": ["Para one.", "Para two."],
            "source": {"id": "g", "name": "Gazette"},
            "authors": ["A", "B"],
        },
        default_source="",
    )
    assert row.body == "Para one.\n\nPara two."
    assert row.source_name == "Gazette"
    assert row.author == "A, B"


def test_the_default_outlet_is_used_only_when_a_record_names_none():
    assert record_to_row({"title": "T", "body": "B"}, default_source="Wire").source_name == "Wire"
    assert record_to_row({"title": "T", "body": "B", "source": "Own"}, default_source="Wire").source_name == "Own"


def test_a_missing_title_is_taken_from_the_body_with_a_warning():
    row = record_to_row({"body": "First line here.\n\nRest."}, default_source="")
    assert row.title == "First line here."
    assert row.warnings


def test_html_bodies_are_reduced_to_text_with_paragraphs_kept():
    markup = (
        "<html><head><style>p{}</style></head><body><h2>Sub head</h2><p>One <b>bold</b>\n word.</p>"
        "<script>alert(1)</script><p>Line<br>break</p><ul><li>Item</li></ul><!-- note --></body></html>"
    )
    row = record_to_row({"title": "T", "body": markup}, default_source="")
    assert row.body == "Sub head\n\nOne bold word.\n\nLine\nbreak\n\nItem"


def test_html_reduction_uses_a_parser_for_broken_markup():
    markup = "<div><p>Unclosed <i>tag</div><p>Next &amp; last <img src=x onerror=alert(1)>"
    reduced = normalise_text(html_to_text(markup))
    assert reduced == "Unclosed tag\n\nNext & last"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T09:30:00+02:00", "2026-03-01T07:30:00+00:00"),
        ("2026-03-01T09:30:00Z", "2026-03-01T09:30:00+00:00"),
        ("Sun, 01 Mar 2026 09:30:00 GMT", "2026-03-01T09:30:00+00:00"),
        ("Sun, 01 Mar 2026 09:30:00 -0500", "2026-03-01T14:30:00+00:00"),
        ("2026-03-01", "2026-03-01T12:00:00+00:00"),
        ("March 1, 2026", "2026-03-01T12:00:00+00:00"),
        ("1 March 2026 09:30", "2026-03-01T09:30:00+00:00"),
        (1772357400, "2026-03-01T09:30:00+00:00"),
    ],
)
def test_common_date_formats_are_parsed(value, expected):
    assert parse_date(value).astimezone(datetime.UTC).isoformat() == expected


@pytest.mark.parametrize("value", ["not a date", "2026-13-45", "32/13/2026", "yesterday-ish"])
def test_an_unparseable_date_is_rejected_showing_the_value(value):
    with pytest.raises(Rejected) as error:
        record_to_row({"title": "T", "body": "B", "date": value}, default_source="")
    assert error.value.field == "published_at"
    assert repr(value) in error.value.reason


def test_a_non_http_url_is_rejected():
    with pytest.raises(Rejected) as error:
        record_to_row({"title": "T", "body": "B", "url": "javascript:alert(1)"}, default_source="")
    assert error.value.field == "url"


def test_bodies_empty_after_normalisation_are_rejected_with_a_reason(tmp_path):
    path = write(
        tmp_path / "a.jsonl",
        jsonl(
            {"title": "Blank", "body": " \n\t\x00\u3000 "},
            {"title": "Tags only", "body": "<p> </p><br>"},
            {"title": "None"},
        ),
    )
    batch = run_import(path)
    assert batch.rejected == 3
    assert sorted(reasons(batch)) == [
        "no body field",
        "the body is empty after normalisation",
        "the body is empty after normalisation",
    ]


def test_imported_text_matches_what_article_prepare_text_would_store(tmp_path):
    raw = {"title": "  Dam\u00a0holds\n", "body": "Cafe\u0301  one\r\n\r\n\r\ntwo\x07", "author": " A\tB "}
    run_import(write(tmp_path / "a.jsonl", jsonl(raw)))
    stored = Article.objects.get()
    reference = Article(title=raw["title"], body=raw["body"], author=raw["author"])
    reference.prepare_text()
    assert (stored.title, stored.body, stored.author) == (reference.title, reference.body, reference.author)
    assert (stored.content_hash, stored.word_count) == (reference.content_hash, reference.word_count)


def test_the_fast_normalisation_path_agrees_with_articles_text_on_random_text():
    rng = random.Random(4)
    unicode_pool = "ab é\u0301\n\n\r\t \u00a0\u2028\u2029\u3000\u1680\x00\x07\x85\ud800\ufeff\u200bZ.\u00e9"
    ascii_pool = "abc .,\n\n\n\r\t\x0b\x0c\x1f\x7f\x00  "
    for number in range(6000):
        pool = ascii_pool if number % 2 else unicode_pool
        sample = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        assert normalise_body(sample) == normalise_text(sample), repr(sample)
        assert normalise_line(sample) == text_normalise_line(sample), repr(sample)
        normal = normalise_text(sample)
        assert normalise_body(normal) == normal
        assert digest_and_count(normal) == (content_hash(normal), word_count(normal)), repr(normal)
