"""Every supported format and layout, read through the same import service."""

import io
import json
import zipfile

import pytest

from articles.models import Article
from tests.imports.helpers import gz, jsonl, reasons, record, run_import, write

pytestmark = pytest.mark.django_db


def test_jsonl_records_become_articles_with_every_field(tmp_path):
    path = write(
        tmp_path / "dump.jsonl",
        jsonl(record(1, url="https://gazette.example/1", author="Ilse Varga", language="EN"), record(2)),
    )
    batch = run_import(path)
    assert (batch.status, batch.imported, batch.rejected, batch.total) == ("done", 2, 0, 2)
    article = Article.objects.get(external_id="r-1")
    assert article.source.name == "Harbour Gazette"
    assert article.title == "Dam holds as river peaks, report 1"
    assert article.body.startswith("Report 1.")
    assert article.url == "https://gazette.example/1"
    assert article.author == "Ilse Varga"
    assert article.language == "en"
    assert article.published_at.isoformat() == "2026-03-01T09:00:00+00:00"
    assert article.word_count == len(article.body.split())
    assert article.import_origin.batch == batch


def test_ndjson_extension_and_a_pretty_printed_json_array_are_read(tmp_path):
    ndjson = write(tmp_path / "a.ndjson", jsonl(record(1)))
    array = write(tmp_path / "b.json", json.dumps([record(2), record(3)], indent=2))
    batch = run_import(ndjson, array)
    assert batch.imported == 3
    assert set(Article.objects.values_list("external_id", flat=True)) == {"r-1", "r-2", "r-3"}


def test_a_json_array_reports_the_line_of_a_bad_element(tmp_path):
    path = write(tmp_path / "a.json", '[\n  {"id": "1", "title": "T", "body": "B"},\n  "just a string"\n]')
    batch = run_import(path)
    assert batch.imported == 1
    rejection = batch.rejections.get(kind="rejected")
    assert rejection.line == 3
    assert "not an object" in rejection.reason


def test_csv_with_bom_crlf_and_quoted_multiline_cells(tmp_path):
    content = (
        "\ufeffHeadline,Text,Outlet,Date\r\n"
        '"Quoted, title","First paragraph.\r\n\r\nSecond paragraph.",Wire,2026-03-02\r\n'
        "Plain,Body two,Wire,2026-03-03\r\n"
    )
    batch = run_import(write(tmp_path / "feed.csv", content))
    assert (batch.imported, batch.rejected) == (2, 0)
    article = Article.objects.get(title="Quoted, title")
    assert article.body == "First paragraph.\n\nSecond paragraph."
    assert article.source.name == "Wire"
    assert Article.objects.get(title="Plain").published_at.date().isoformat() == "2026-03-03"


def test_semicolon_csv_is_sniffed_and_tsv_uses_tabs(tmp_path):
    semicolon = write(tmp_path / "a.csv", "title;body;source\nOne;Body one, with a comma;Alpha\n")
    tsv = write(tmp_path / "b.tsv", "title\tbody\tsource\nTwo\tBody two; semicolon\tBeta\n")
    batch = run_import(semicolon, tsv)
    assert batch.imported == 2
    assert Article.objects.get(title="One").body == "Body one, with a comma"
    assert Article.objects.get(title="Two").source.name == "Beta"


def test_a_csv_row_is_reported_by_its_first_line(tmp_path):
    content = 'title,body\n"A","multi\nline"\nB,\n'
    batch = run_import(write(tmp_path / "a.csv", content))
    rejection = batch.rejections.get(kind="rejected")
    assert (rejection.line, rejection.row, rejection.field) == (4, 2, "body")


def test_txt_files_take_the_first_non_empty_line_as_title(tmp_path):
    path = write(tmp_path / "story.txt", "\n\n  Dam holds  \n\nThe river peaked.\nEngineers watched.\n\nMore.\n")
    batch = run_import(path, source="Seed Outlet")
    article = Article.objects.get()
    assert batch.imported == 1
    assert article.title == "Dam holds"
    assert article.body == "The river peaked.\nEngineers watched.\n\nMore."
    assert article.source.name == "Seed Outlet"


def test_a_folder_is_walked_recursively_in_a_fixed_order_skipping_hidden_files(tmp_path):
    write(tmp_path / "dump" / "b.txt", "Title B\nBody B")
    write(tmp_path / "dump" / "nested" / "deeper" / "a.jsonl", jsonl(record(1)))
    write(tmp_path / "dump" / ".DS_Store", b"\x00\x01")
    write(tmp_path / "dump" / "notes.md", "not an article")
    batch = run_import(tmp_path / "dump")
    assert (batch.imported, batch.rejected) == (2, 0)
    assert any("not a supported format" in reason for reason in reasons(batch, "warning"))


def test_gzip_files_are_read_by_their_inner_extension(tmp_path):
    jsonl_gz = write(tmp_path / "a.jsonl.gz", gz(jsonl(record(1), record(2))))
    csv_gz = write(tmp_path / "b.csv.gz", gz("title,body\nCSV one,Body\n"))
    batch = run_import(jsonl_gz, csv_gz)
    assert batch.imported == 3


def test_zip_members_of_every_format_are_read_and_named_in_the_report(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("feeds/a.jsonl", jsonl(record(1), {"title": "No body"}))
        archive.writestr("feeds/b.csv", "title,body\nFrom CSV,Body\n")
        archive.writestr("texts/c.txt", "From text\nText body")
        archive.writestr("texts/d.jsonl.gz", gz(jsonl(record(4))))
    batch = run_import(write(tmp_path / "bundle.zip", buffer.getvalue()))
    assert (batch.imported, batch.rejected) == (4, 1)
    rejection = batch.rejections.get(kind="rejected")
    assert (rejection.file, rejection.member, rejection.line) == ("bundle.zip", "feeds/a.jsonl", 2)


def test_format_option_overrides_the_file_name(tmp_path):
    path = write(tmp_path / "export.dat", jsonl(record(1)))
    assert run_import(path, format="jsonl").imported == 1


def test_an_unsupported_file_given_by_name_is_rejected_with_a_reason(tmp_path):
    batch = run_import(write(tmp_path / "notes.md", "hello"))
    assert batch.rejected == 1
    assert "not a supported format" in reasons(batch)[0]
