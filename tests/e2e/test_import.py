"""An admin uploads a dump in a real browser and reads the batch report; the imported text is inert."""

import json

import pytest
from playwright.sync_api import expect

from articles.models import Article
from imports.models import ImportBatch
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_uploads_a_dump_and_reads_the_report(page, admin_user, output_dir, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    records = [
        {
            "id": "w-1",
            "headline": "Dam holds as river peaks",
            "text": "<p>The dam held.</p><p>Engineers watched.</p>",
            "outlet": "Harbour Gazette",
            "pubDate": "Tue, 03 Mar 2026 10:00:00 +0000",
        },
        {
            "id": "w-2",
            "headline": "<img src=x onerror=alert(1)> Spillway",
            "body": "Inspection <script>alert(2)</script>",
            "source": "Harbour Gazette",
            "date": "2026-03-04",
        },
        {"id": "w-3", "title": "Undated?", "body": "Text", "date": "the 32nd of Smarch"},
    ]
    dump = tmp_path / "wire.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records) + '{"id": "w-4", "title": "cut\n')

    sign_in(page, admin_user.username)
    page.get_by_role("link", name="Imports").click()
    page.wait_for_url("**/imports/")
    page.screenshot(path=output_dir / "imports-empty.png", full_page=True)
    page.get_by_label("Files").set_input_files(str(dump))
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/imports/*/")

    batch = ImportBatch.objects.get()
    assert batch.status == "done"
    assert page.get_by_role("heading", name=f"Import #{batch.pk}").is_visible()
    assert page.locator(".import-counts .count-rejected dd").inner_text() == "2"
    report = page.locator("#batch-report").inner_text()
    assert "wire.jsonl, line 3" in report
    assert "unreadable date: 'the 32nd of Smarch'" in report
    assert "wire.jsonl, line 4" in report
    assert page.get_by_role("link", name="Download rejected records (JSONL)").is_visible()
    page.screenshot(path=output_dir / "import-report.png", full_page=True)

    page.goto(Article.objects.get(external_id="w-2").get_absolute_url())
    assert page.get_by_role("heading", name="<img src=x onerror=alert(1)> Spillway").is_visible()
    assert "<script>alert(2)</script>" in page.locator("#article-body").inner_text()
    page.screenshot(path=output_dir / "imported-article.png", full_page=True)

    page.goto("/imports/")
    assert f"#{batch.pk}" in page.locator("table.imports").inner_text()
    page.screenshot(path=output_dir / "imports-list.png", full_page=True)
    assert page.js_errors == []


def test_a_running_batch_updates_its_progress_live_and_shows_the_report_when_done(
    page, admin_user, output_dir, tmp_path
):
    dump = tmp_path / "feed.jsonl"
    dump.write_text('{"id": "1", "title": "T", "body": "B"}\n')
    batch = ImportBatch.objects.create(
        files=[{"path": str(dump), "name": "feed.jsonl"}],
        status="running",
        bytes_total=10_000,
        bytes_read=4_000,
        total=1_200,
        imported=1_150,
        rejected=50,
        created_by=admin_user,
    )
    sign_in(page, admin_user.username)
    page.goto(batch.get_absolute_url())
    assert page.locator("#batch-progress progress").get_attribute("value") == "40"
    page.screenshot(path=output_dir / "import-running.png", full_page=True)

    ImportBatch.objects.filter(pk=batch.pk).update(bytes_read=7_000, total=2_000, imported=1_940)
    expect(page.locator("#batch-progress progress")).to_have_attribute("value", "70", timeout=10_000)
    assert "1,940" in page.locator(".import-counts").inner_text()

    ImportBatch.objects.filter(pk=batch.pk).update(
        status="done", bytes_read=10_000, started_at=batch.created_at, finished_at=batch.created_at
    )
    page.wait_for_selector("#batch-report", timeout=10_000)
    assert page.locator("#batch-progress").get_attribute("hx-trigger") is None
    assert page.js_errors == []
