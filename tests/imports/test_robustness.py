"""The robustness list of the import issue, one test (or more) per item."""

import io
import threading
import tracemalloc
import zipfile

import pytest
from django.db import connection

from articles.models import Article
from imports import services
from imports.models import ImportBatch
from tests.factories import UserFactory
from tests.imports.helpers import jsonl, reasons, record, run_import, write

pytestmark = pytest.mark.django_db


def test_a_truncated_last_line_is_rejected_and_the_rest_kept(tmp_path):
    content = jsonl(record(1), record(2)) + '{"external_id": "r-3", "title": "Cut sh'
    batch = run_import(write(tmp_path / "cut.jsonl", content))
    assert (batch.imported, batch.rejected) == (2, 1)
    rejection = batch.rejections.get(kind="rejected")
    assert rejection.line == 3
    assert "last line is incomplete" in rejection.reason
    assert rejection.raw.startswith('{"external_id": "r-3"')


def test_invalid_json_on_one_line_of_many_loses_only_that_line(tmp_path):
    lines = [jsonl(record(n)) for n in range(1, 51)]
    lines[24] = '{"external_id": "r-25", "title": oops}\n'
    batch = run_import(write(tmp_path / "many.jsonl", "".join(lines)))
    assert (batch.imported, batch.rejected) == (49, 1)
    rejection = batch.rejections.get(kind="rejected")
    assert rejection.line == 25
    assert rejection.reason.startswith("invalid JSON")


def test_invalid_utf8_and_windows_1252_bytes_are_read_with_a_warning(tmp_path):
    good = jsonl(record(1, title="Café “quoted” ok")).encode("utf-8")
    cp1252 = jsonl(record(2, title="Smart “quotes” and – dash", body="Caf\u00e9 body")).encode("cp1252")
    mixed = jsonl(record(3, title="Mixed é", body="Body")).encode("utf-8").replace(b"Body", b"Bod\x93y\x94")
    batch = run_import(write(tmp_path / "bytes.jsonl", good + cp1252 + mixed))
    assert (batch.imported, batch.rejected) == (3, 0)
    assert Article.objects.get(external_id="r-1").title == "Café “quoted” ok"
    assert Article.objects.get(external_id="r-2").title == "Smart “quotes” and – dash"
    assert Article.objects.get(external_id="r-2").body == "Café body"
    third = Article.objects.get(external_id="r-3")
    assert (third.title, third.body) == ("Mixed é", "Bod“y”")
    assert reasons(batch, "warning").count("invalid UTF-8 bytes read as Windows-1252") == 2


def test_invalid_bytes_in_csv_and_txt_are_read_too(tmp_path):
    csv_path = write(tmp_path / "a.csv", "title,body\nCSV caf\u00e9,Body \u201cone\u201d\n".encode("cp1252"))
    txt_path = write(tmp_path / "b.txt", "Text caf\u00e9\nBody".encode("cp1252"))
    batch = run_import(csv_path, txt_path)
    assert batch.imported == 2
    assert Article.objects.get(title="CSV café").body == "Body “one”"
    assert Article.objects.filter(title="Text café").exists()


def test_nul_bytes_are_removed_from_raw_lines_and_escaped_strings(tmp_path):
    raw = jsonl(record(1)).encode().replace(b'"title"', b'"ti\x00tle"')
    escaped = jsonl(record(2, title="Nul\u0000 title", body="Body\u0000 two", extra_field="x\u0000y"))
    csv_bytes = b"title,body\nCSV\x00 nul,Body\x00\n"
    batch = run_import(write(tmp_path / "a.jsonl", raw + escaped.encode()), write(tmp_path / "b.csv", csv_bytes))
    assert (batch.imported, batch.rejected) == (3, 0)
    assert Article.objects.get(external_id="r-1").title == "Dam holds as river peaks, report 1"
    second = Article.objects.get(external_id="r-2")
    assert (second.title, second.body, second.extra) == ("Nul title", "Body two", {"extra_field": "xy"})
    assert Article.objects.get(title="CSV nul").body == "Body"
    assert "NUL bytes removed" in reasons(batch, "warning")


def test_lone_surrogates_are_dropped_everywhere_including_extra(tmp_path):
    content = (
        '{"id": "s1", "title": "Lone \\ud800 high", "body": "Body \\udc00 low \\ud83d\\ude00 pair",'
        ' "note": "x\\udfff", "\\ud800key": 1}\n'
    )
    batch = run_import(write(tmp_path / "s.jsonl", content))
    assert (batch.imported, batch.rejected) == (1, 0)
    article = Article.objects.get()
    assert article.title == "Lone high"
    assert article.body == "Body low \U0001f600 pair"
    assert article.extra == {"note": "x", "key": 1}


def test_a_rejected_record_with_lone_surrogates_is_still_reported(tmp_path):
    content = '{"id": "s2", "title": "Bad \\ud800", "body": "B", "date": "\\udc00 never"}\n'
    batch = run_import(write(tmp_path / "s.jsonl", content))
    assert (batch.status, batch.rejected) == ("done", 1)
    rejection = batch.rejections.get(kind="rejected")
    assert rejection.field == "published_at"
    assert '"title": "Bad "' in rejection.raw


def test_a_50_mb_record_is_rejected_by_the_limit_with_bounded_memory(tmp_path):
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as out:
        out.write(jsonl(record(1)).encode())
        out.write(b'{"external_id": "big", "title": "Huge", "body": "')
        block = b"word " * 200_000
        for _ in range(50):
            out.write(block)
        out.write(b'"}\n')
        out.write(jsonl(record(2)).encode())
    assert path.stat().st_size > 50_000_000
    tracemalloc.start()
    try:
        batch = run_import(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (batch.imported, batch.rejected) == (2, 1)
    rejection = batch.rejections.get(kind="rejected")
    assert rejection.line == 2
    assert "over the 5,242,880 byte limit" in rejection.reason
    assert len(rejection.raw) <= 10_000
    # One record's worth of buffer (5 MB) plus bookkeeping, never the 50 MB record.
    assert peak < 20_000_000


def test_text_nested_in_lists_counts_towards_the_size_at_which_chunks_are_cut(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_BYTES", 1000)
    paragraphs = [f"Paragraph {n} " + "word " * 80 for n in range(3)]  # about 1,300 characters in all
    path = write(tmp_path / "a.jsonl", jsonl(*(record(n, body=paragraphs) for n in range(4))))
    batch = services.import_batch_create(entries=[{"path": str(path)}])
    checkpoints = []
    services.import_batch_run(batch_id=batch.pk, on_progress=lambda batch: checkpoints.append(batch.checkpoint))
    assert checkpoints[:4] == [{"unit": 0, "item": n} for n in range(1, 5)]
    assert Article.objects.count() == 4


def test_an_oversized_element_of_a_json_array_is_skipped_and_the_next_one_read(tmp_path, settings):
    settings.IMPORT_MAX_RECORD_BYTES = 10_000
    content = '[{"id": "a", "title": "A", "body": "' + "x " * 20_000 + '"}, {"id": "b", "title": "B", "body": "ok"}]'
    batch = run_import(write(tmp_path / "a.json", content))
    assert (batch.imported, batch.rejected) == (1, 1)
    assert "over the 10,000 byte limit" in reasons(batch)[0]


def test_an_over_long_csv_line_is_rejected_and_the_rows_after_it_are_read(tmp_path, settings):
    settings.IMPORT_MAX_RECORD_BYTES = 1_000
    content = "title,body\nFirst,Body one\nHuge," + "x" * 5_000 + "\nAfter,Body two\nLast,Body three\n"
    batch = run_import(write(tmp_path / "a.csv", content))
    assert (batch.imported, batch.rejected) == (3, 1)
    assert set(Article.objects.values_list("title", flat=True)) == {"First", "After", "Last"}
    assert "over the 1,000 byte limit" in reasons(batch)[0]


def test_a_cut_off_gzip_keeps_the_records_before_the_cut(tmp_path):
    import gzip

    data = gzip.compress(jsonl(*(record(n) for n in range(1, 400))).encode())
    batch = run_import(write(tmp_path / "cut.jsonl.gz", data[: len(data) // 2]))
    assert batch.imported > 0
    assert batch.rejected >= 1
    assert any("could not be read past this point" in reason for reason in reasons(batch))


def _zip(entries: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_members_with_parent_or_absolute_names_are_refused(tmp_path):
    archive = _zip(
        {"../escape.jsonl": jsonl(record(1)), "/etc/abs.jsonl": jsonl(record(2)), "ok/fine.jsonl": jsonl(record(3))}
    )
    batch = run_import(write(tmp_path / "slip.zip", archive))
    assert batch.imported == 1
    assert Article.objects.get().external_id == "r-3"
    refused = batch.rejections.filter(kind="rejected").order_by("member")
    assert [r.member for r in refused] == ["../escape.jsonl", "/etc/abs.jsonl"]
    assert all("unsafe member name" in r.reason for r in refused)
    assert not (tmp_path.parent / "escape.jsonl").exists()


def test_a_zip_with_100k_members_is_refused_before_reading_any(tmp_path, monkeypatch):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(100_000):
            archive.writestr(f"m{number}.txt", b"")
    monkeypatch.setattr(zipfile.ZipFile, "__init__", _must_not_be_called)
    batch = run_import(path)
    assert (batch.imported, batch.rejected) == (0, 1)
    assert reasons(batch) == ["the archive has 100,000 members, over the 10,000 limit; nothing was extracted"]


def _must_not_be_called(*args, **kwargs):
    raise AssertionError("the archive was opened")


def test_a_zip_bomb_is_refused_before_extraction(tmp_path, settings, monkeypatch):
    settings.IMPORT_MAX_EXPANDED_BYTES = 50_000_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("bomb.jsonl", "w", force_zip64=True) as member:
            chunk = b"\x00" * 1_000_000
            for _ in range(60):
                member.write(chunk)
        archive.writestr("fine.jsonl", jsonl(record(1)))
    path = write(tmp_path / "bomb.zip", buffer.getvalue())
    assert path.stat().st_size < 1_000_000
    monkeypatch.setattr(zipfile.ZipFile, "open", _must_not_be_called)
    batch = run_import(path)
    assert (batch.imported, batch.rejected) == (0, 1)
    assert "would expand to 60,000," in reasons(batch)[0]
    assert "nothing was extracted" in reasons(batch)[0]


def test_a_gzip_that_expands_past_the_limit_stops_reading(tmp_path, settings):
    import gzip

    settings.IMPORT_MAX_EXPANDED_BYTES = 100_000
    content = jsonl(*(record(n) for n in range(1, 2000)))
    batch = run_import(write(tmp_path / "big.jsonl.gz", gzip.compress(content.encode())))
    assert batch.rejected == 1
    assert 0 < batch.imported < 1999
    assert "expands past the 100,000 byte limit" in reasons(batch)[0]


@pytest.mark.parametrize("name", ["empty.jsonl", "empty.csv", "empty.txt", "empty.json"])
def test_an_empty_file_is_reported_not_crashed_on(tmp_path, name):
    batch = run_import(write(tmp_path / name, b""))
    assert (batch.status, batch.imported, batch.rejected) == ("done", 0, 1)
    assert reasons(batch) == ["the file is empty"]


def test_a_file_of_blank_lines_is_empty_too(tmp_path):
    batch = run_import(write(tmp_path / "blank.jsonl", "\n  \n\r\n"))
    assert reasons(batch) == ["the file is empty"]


def test_a_csv_with_missing_columns_rejects_the_short_rows_and_keeps_the_rest(tmp_path):
    content = "title,body,source,date\nFull,Body one,Wire,2026-01-01\nShort,Body two\nAlso full,Body three,Wire,\n"
    batch = run_import(write(tmp_path / "a.csv", content))
    assert (batch.imported, batch.rejected) == (2, 1)
    rejection = batch.rejections.get(kind="rejected")
    assert (rejection.line, rejection.row) == (3, 2)
    assert rejection.reason == "the row has 2 cells but the header has 4"


def test_a_csv_without_a_body_column_rejects_each_row_saying_so(tmp_path):
    batch = run_import(write(tmp_path / "a.csv", "title,source\nOne,Wire\nTwo,Wire\n"))
    assert batch.rejected == 2
    assert set(reasons(batch)) == {"no body field"}


def test_script_and_onerror_in_titles_and_bodies_are_shown_as_text(tmp_path, analyst_client):
    hostile = {
        "id": "x1",
        "title": '<script>alert("t")</script><img src=x onerror=alert(1)>',
        "body": 'Look: <script>alert("b")</script> and <img src=x onerror="alert(2)"> here.',
    }
    run_import(write(tmp_path / "x.jsonl", jsonl(hostile)))
    article = Article.objects.get()
    assert article.title == hostile["title"]
    response = analyst_client.get(article.get_absolute_url())
    html = response.content.decode()
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "onerror=&quot;alert(2)&quot;" in html
    assert "<script>alert(" not in html
    assert "<img src=x" not in html


def test_markup_in_an_html_body_never_reaches_the_page(tmp_path, analyst_client):
    body = '<p>Safe text</p><script>alert(1)</script><p><img src=x onerror="alert(2)">After</p>'
    run_import(write(tmp_path / "x.jsonl", jsonl({"id": "h1", "title": "T", "body": body})))
    article = Article.objects.get()
    assert article.body == "Safe text\n\nAfter"
    assert "onerror" not in analyst_client.get(article.get_absolute_url()).content.decode()


def test_reimporting_the_same_dump_reports_everything_unchanged(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl(*(record(n) for n in range(1, 21)), {"title": "No id", "body": "Loose"}))
    first = run_import(path)
    second = run_import(path)
    assert (first.imported, first.unchanged) == (21, 0)
    assert (second.imported, second.duplicates, second.unchanged, second.rejected) == (0, 0, 21, 0)
    assert Article.objects.count() == 21


def test_two_records_with_the_same_body_are_both_kept_and_linked_as_exact_copies(tmp_path):
    wire = "Agency copy. The dam held overnight.\n\nEngineers will inspect it."
    path = write(
        tmp_path / "a.jsonl",
        jsonl(
            record(1, source="Agency", body=wire),
            record(2, source="Gazette", body=wire),
            record(3, source="Herald", body="  Agency   copy. The dam held overnight.\n\n\nEngineers will inspect it."),
        ),
    )
    batch = run_import(path)
    assert (batch.imported, batch.exact_copies) == (3, 2)
    first, second, third = Article.objects.order_by("id")
    assert second.exact_duplicate.duplicate_of == first
    assert third.exact_duplicate.duplicate_of == first
    later = run_import(write(tmp_path / "b.jsonl", jsonl(record(4, source="Late", body=wire))))
    assert Article.objects.get(external_id="r-4").exact_duplicate.duplicate_of == first
    assert later.exact_copies == 1


def test_the_same_record_twice_in_one_file_is_counted_once_with_a_warning(tmp_path):
    batch = run_import(write(tmp_path / "a.jsonl", jsonl(record(1), record(2), record(1))))
    assert (batch.imported, batch.duplicates, batch.total) == (2, 1, 3)
    assert any("repeats the record at a.jsonl line 1" in r for r in reasons(batch, "warning"))


def test_a_record_repeated_across_chunks_is_still_a_duplicate_of_this_batch(tmp_path):
    batch = run_import(write(tmp_path / "a.jsonl", jsonl(record(1), record(2), record(3), record(1))), chunk_size=2)
    assert (batch.imported, batch.duplicates, batch.unchanged) == (3, 1, 0)


def test_a_changed_text_under_a_known_identity_is_kept_as_stored_with_a_warning(tmp_path):
    run_import(write(tmp_path / "a.jsonl", jsonl(record(1))))
    batch = run_import(write(tmp_path / "b.jsonl", jsonl(record(1, body="A corrected text."))))
    assert batch.unchanged == 1
    assert Article.objects.get().body.startswith("Report 1.")
    assert "stored with a different text" in reasons(batch, "warning")[0]


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_file_at_once_create_no_duplicates(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    records = [record(n) for n in range(1, 301)]
    records += [{"title": f"Loose {n}", "body": f"Loose body {n}", "source": "Loose"} for n in range(100)]
    records += [{"title": f"U {n}", "body": f"Url body {n}", "url": f"https://u.example/{n}"} for n in range(100)]
    path = write(tmp_path / "same.jsonl", jsonl(*records))
    batches = [services.import_batch_create(entries=[{"path": str(path)}]) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def run(batch_id: int) -> None:
        try:
            barrier.wait()
            services.import_batch_run(batch_id=batch_id, chunk_size=50)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(batch.pk,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Article.objects.count() == 500
    done = list(ImportBatch.objects.order_by("id"))
    assert sum(batch.imported for batch in done) == 500
    assert [batch.imported + batch.unchanged for batch in done] == [500, 500]


def test_a_crash_mid_import_leaves_a_resumable_batch_and_resuming_duplicates_nothing(tmp_path, monkeypatch):
    path = write(tmp_path / "a.jsonl", jsonl(*(record(n) for n in range(1, 26)), {"title": "bad"}))
    batch = services.import_batch_create(entries=[{"path": str(path)}], created_by=UserFactory())
    real_commit = services._chunk_commit
    calls = {"n": 0}

    def crash_on_third_chunk(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker lost")
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(services, "_chunk_commit", crash_on_third_chunk)
    with pytest.raises(RuntimeError):
        services.import_batch_run(batch_id=batch.pk, chunk_size=5)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "worker lost" in batch.error
    assert batch.checkpoint == {"unit": 0, "item": 10}
    assert (batch.imported, Article.objects.count()) == (10, 10)

    monkeypatch.setattr(services, "_chunk_commit", real_commit)
    services.import_batch_run(batch_id=batch.pk, chunk_size=5)
    batch.refresh_from_db()
    assert (batch.status, batch.imported, batch.duplicates, batch.unchanged, batch.rejected) == ("done", 25, 0, 0, 1)
    assert Article.objects.count() == 25
    assert batch.rejections.filter(kind="rejected").count() == 1
    assert batch.batch_articles.count() == 25


def test_running_a_finished_batch_again_changes_nothing(tmp_path):
    batch = run_import(write(tmp_path / "a.jsonl", jsonl(record(1))))
    services.import_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.imported, batch.total, Article.objects.count()) == (1, 1, 1)
