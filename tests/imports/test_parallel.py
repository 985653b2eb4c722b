"""Records normalised in worker processes: the same result as in one process, a killed worker leaves a
resumable batch, and a COPY that meets an identity stored meanwhile goes through the staging table."""

import multiprocessing
import os
import re
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest
from django.db import connection

from articles.models import Article
from imports import services
from imports.models import ImportBatch
from tests.imports.helpers import jsonl, record, write

pytestmark = pytest.mark.django_db


def _dump(tmp_path):
    wire = "Agency copy. The dam held overnight.\n\nEngineers will inspect it."
    spaced = "  Agency   copy. The dam held overnight.\n\n\nEngineers will inspect it."
    records = [record(n) for n in range(1, 40)]
    records[5] = record(6, source="Agency", body=wire)
    records[20] = record(21, source="Herald", body=spaced)
    records.insert(30, record(3))  # repeats a record of an earlier chunk
    records.insert(12, {"title": "Bad date", "body": "Text.", "date": "the 32nd"})
    records.append({"title": "<b>Markup</b>", "body": "<p>First</p><p>Second</p>", "url": "https://x.example/1"})
    records.append({"title": "Escapes", "body": "C:\\new\\table\tand\r\nnext", "external_id": "e\t1\\n"})
    return write(tmp_path / "a.jsonl", jsonl(*records) + "{broken\n")


def _run(path, workers: int) -> tuple:
    batch = services.import_batch_create(entries=[{"path": str(path), "name": "a.jsonl"}])
    services.import_batch_run(batch_id=batch.pk, chunk_size=7, workers=workers)
    batch.refresh_from_db()
    articles = list(
        Article.objects.order_by("id").values_list("external_id", "source__name", "title", "body", "content_hash")
    )
    copies = sorted(
        Article.objects.filter(exact_duplicate__isnull=False).values_list(
            "external_id", "exact_duplicate__duplicate_of__external_id"
        )
    )
    # Article ids differ between runs; what the report says about them must not.
    issues = [
        (kind, line, re.sub(r"#\d+", "#id", reason))
        for kind, line, reason in batch.rejections.order_by("id").values_list("kind", "line", "reason")
    ]
    counts = (batch.status, batch.imported, batch.duplicates, batch.unchanged, batch.rejected, batch.exact_copies)
    return counts, articles, copies, issues


def test_worker_processes_store_what_one_process_stores_in_the_same_order(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "PIECE_SIZE", 3)  # several pieces per chunk, in flight at once
    path = _dump(tmp_path)
    in_workers = _run(path, workers=2)
    Article.objects.all().delete()
    ImportBatch.objects.all().delete()
    in_one_process = _run(path, workers=0)
    assert in_workers[0] == ("done", 41, 1, 0, 2, 1)
    assert in_workers[1][-2][1:4] == ("Unknown outlet", "<b>Markup</b>", "First\n\nSecond")
    assert in_workers[1][-1][:4] == ("e\t1\\n", "Unknown outlet", "Escapes", "C:\\new\\table and\nnext")
    assert in_workers == in_one_process


def test_a_killed_worker_process_fails_the_batch_and_resuming_duplicates_nothing(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl(*(record(n) for n in range(1, 61))))
    batch = services.import_batch_create(entries=[{"path": str(path)}])

    def kill_the_workers(batch):
        for process in multiprocessing.active_children():
            os.kill(process.pid, signal.SIGKILL)

    with pytest.raises(BrokenProcessPool):
        services.import_batch_run(batch_id=batch.pk, chunk_size=2, workers=2, on_progress=kill_the_workers)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert "BrokenProcessPool" in batch.error
    assert 0 < batch.imported < 60
    assert Article.objects.count() == batch.imported

    services.import_batch_run(batch_id=batch.pk, chunk_size=2, workers=2)
    batch.refresh_from_db()
    assert (batch.status, batch.imported, batch.duplicates, batch.unchanged) == ("done", 60, 0, 0)
    assert Article.objects.count() == 60
    assert not multiprocessing.active_children()


def test_a_daemonic_process_such_as_a_prefork_celery_worker_normalises_in_process(tmp_path, monkeypatch):
    # Celery's prefork pool runs tasks in daemonic processes, which multiprocessing forbids to start children.
    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True)
    batch = services.import_batch_create(entries=[{"path": str(write(tmp_path / "a.jsonl", jsonl(record(1))))}])
    services.import_batch_run(batch_id=batch.pk, workers=2)
    batch.refresh_from_db()
    assert (batch.status, batch.imported) == ("done", 1)
    assert not multiprocessing.active_children()


def test_an_identity_stored_after_the_lookup_sends_the_chunk_through_the_staging_table(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    taken = services.import_batch_create(
        entries=[{"path": str(write(tmp_path / "t.jsonl", jsonl(record(0, url="https://x.example/taken"))))}]
    )
    services.import_batch_run(batch_id=taken.pk)
    # As if another writer stored the url between this import's lookup and its COPY.
    monkeypatch.setattr(services._Known, "postgresql", classmethod(lambda cls, *args: cls()))
    path = write(tmp_path / "a.jsonl", jsonl(record(1), record(2, url="https://x.example/taken"), record(3)))
    batch = services.import_batch_create(entries=[{"path": str(path)}])
    services.import_batch_run(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.imported, batch.unchanged) == (2, 1)
    assert sorted(Article.objects.values_list("external_id", flat=True)) == ["r-0", "r-1", "r-3"]
    assert batch.batch_articles.count() == 2
