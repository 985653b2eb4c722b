"""The Import pages: permissions, upload to report (tasks run eagerly), htmx progress, JSONL download."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from articles.models import Article
from imports.models import ImportBatch
from tests.imports.helpers import jsonl, record, run_import, write

pytestmark = pytest.mark.django_db
LIST_URL = reverse("imports:list")


def _upload(client, *files, **data):
    return client.post(LIST_URL, {"files": list(files), "format": "auto", **data})


def _finished_batch(tmp_path, admin_user):
    content = jsonl(record(1), record(2)) + '{"id": "x", "title": "Bad date", "body": "B", "date": "soon"}\n{oops\n'
    return run_import(write(tmp_path / "dump.jsonl", content), user=admin_user)


@pytest.mark.parametrize("fixture", ["analyst_client", "editor_client"])
def test_analysts_and_editors_may_not_open_import_pages(request, fixture, tmp_path, admin_user):
    client = request.getfixturevalue(fixture)
    batch = _finished_batch(tmp_path, admin_user)
    urls = [
        LIST_URL,
        reverse("imports:detail", args=[batch.pk]),
        reverse("imports:rejections-download", args=[batch.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403
    upload = SimpleUploadedFile("a.jsonl", jsonl(record(9)).encode())
    assert _upload(client, upload).status_code == 403
    assert client.post(reverse("imports:resume", args=[batch.pk])).status_code == 403
    assert not Article.objects.filter(external_id="r-9").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(LIST_URL).status_code == 302


def test_the_nav_shows_imports_to_admins_only(client, admin_user, analyst):
    client.force_login(admin_user)
    assert b">Imports</a>" in client.get(reverse("articles:list")).content
    client.force_login(analyst)
    assert b">Imports</a>" not in client.get(reverse("articles:list")).content


def test_an_admin_uploads_files_and_lands_on_the_finished_report(
    admin_client_role, admin_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    first = SimpleUploadedFile("feed.jsonl", (jsonl(record(1), record(2)) + "{bad json\n").encode())
    second = SimpleUploadedFile("more.csv", b"title,body,source\nCSV story,Body,Wire\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(admin_client_role, first, second, source="Fallback")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response.url == batch.get_absolute_url()
    assert (batch.status, batch.imported, batch.rejected, batch.origin) == ("done", 3, 1, "web")
    assert batch.created_by == admin_user
    assert batch.file_names == ["feed.jsonl", "more.csv"]
    assert Article.objects.get(title="CSV story").created_by == admin_user
    assert list((tmp_path / "imports").rglob("*")) == []  # uploads are removed once imported

    page = admin_client_role.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "feed.jsonl, line 3" in html
    assert "invalid JSON" in html
    assert 'hx-trigger="every 1s"' not in html
    assert reverse("imports:rejections-download", args=[batch.pk]) in html


def test_an_upload_without_files_shows_the_error(admin_client_role):
    response = admin_client_role.post(LIST_URL, {"format": "auto"})
    assert response.status_code == 400
    assert b"This field is required." in response.content
    assert not ImportBatch.objects.exists()


def test_a_bad_format_choice_is_answered_with_a_message(admin_client_role):
    upload = SimpleUploadedFile("a.jsonl", jsonl(record(1)).encode())
    response = admin_client_role.post(LIST_URL, {"files": [upload], "format": "xml"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_the_list_shows_past_batches(admin_client_role, admin_user, tmp_path):
    batch = _finished_batch(tmp_path, admin_user)
    html = admin_client_role.get(LIST_URL).content.decode()
    assert f"#{batch.pk}</a>" in html
    assert "dump.jsonl" in html


def test_a_running_batch_polls_its_progress_partial_and_stops_when_done(admin_client_role, admin_user, tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl(record(1)))
    batch = ImportBatch.objects.create(
        files=[{"path": str(path), "name": "a.jsonl"}], status="running", bytes_total=1000, bytes_read=420, total=7
    )
    url = reverse("imports:detail", args=[batch.pk])
    page = admin_client_role.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert f'hx-get="{url}?poll=1"' in page

    partial = admin_client_role.get(url + "?poll=1", headers={"HX-Request": "true", "HX-Target": "batch-progress"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<section id="batch-progress"')
    assert "<html" not in html
    assert 'value="42"' in html
    assert "every 1s" in html

    moment = batch.created_at
    ImportBatch.objects.filter(pk=batch.pk).update(status="done", started_at=moment, finished_at=moment)
    finished = admin_client_role.get(url + "?poll=1", headers={"HX-Request": "true", "HX-Target": "batch-progress"})
    assert finished.headers["HX-Refresh"] == "true"
    assert "every 1s" not in admin_client_role.get(url).content.decode()


def test_the_report_pages_through_rejections_with_htmx(admin_client_role, admin_user, tmp_path):
    content = "".join(f'{{"id": "{n}", "title": "T", "body": "B", "date": "never {n}"}}\n' for n in range(60))
    batch = run_import(write(tmp_path / "bad.jsonl", content), user=admin_user)
    url = reverse("imports:detail", args=[batch.pk])
    first = admin_client_role.get(url).content.decode()
    assert "Page 1 of 2" in first
    second = admin_client_role.get(url + "?page=2", headers={"HX-Request": "true", "HX-Target": "batch-report"})
    html = second.content.decode()
    assert html.lstrip().startswith('<section id="batch-report"')
    assert "line 60" in html
    assert "&#x27;never 59&#x27;" in html


def test_rejected_records_download_as_jsonl_ready_to_fix_and_reimport(admin_client_role, admin_user, tmp_path):
    batch = _finished_batch(tmp_path, admin_user)
    response = admin_client_role.get(reverse("imports:rejections-download", args=[batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert f"import-{batch.pk}-rejected.jsonl" in response["Content-Disposition"]
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert len(lines) == 2
    bad_date, bad_json = lines
    assert bad_date["id"] == "x"
    assert bad_date["_rejected"]["line"] == 3
    assert bad_date["_rejected"]["field"] == "published_at"
    assert bad_json["raw"] == "{oops"

    bad_date["date"] = "2026-03-01"
    fixed = write(tmp_path / "fixed.jsonl", jsonl(bad_date))
    again = run_import(fixed)
    assert (again.imported, again.rejected) == (1, 0)
    assert Article.objects.get(external_id="x").extra == {}


def test_missing_batches_are_404(admin_client_role):
    assert admin_client_role.get(reverse("imports:detail", args=[424242])).status_code == 404
    assert admin_client_role.get(reverse("imports:rejections-download", args=[424242])).status_code == 404


def test_a_failed_batch_can_be_resumed_from_the_page(admin_client_role, tmp_path, django_capture_on_commit_callbacks):
    path = write(tmp_path / "a.jsonl", jsonl(record(1), record(2)))
    batch = ImportBatch.objects.create(
        files=[{"path": str(path), "name": "a.jsonl"}], status="failed", error="RuntimeError: worker lost"
    )
    page = admin_client_role.get(batch.get_absolute_url()).content.decode()
    assert "worker lost" in page
    assert "Resume from the last saved point" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_role.post(reverse("imports:resume", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("done", 2)


def test_batches_are_listed_read_only_in_the_django_admin(admin_client_role, admin_user, tmp_path):
    batch = _finished_batch(tmp_path, admin_user)
    assert admin_client_role.get(reverse("admin:imports_importbatch_changelist")).status_code == 200
    assert admin_client_role.get(reverse("admin:imports_importbatch_change", args=[batch.pk])).status_code == 200
    assert admin_client_role.get(reverse("admin:imports_importbatch_add")).status_code == 403
