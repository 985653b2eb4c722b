"""An import run by a real Celery worker over Redis, as in production."""

import pytest

from articles.models import Article
from imports import services, tasks
from imports.models import ImportBatch
from tests.conftest import wait_for
from tests.imports.helpers import jsonl, record, write


@pytest.mark.worker
def test_a_real_worker_runs_an_uploaded_batch_to_its_report(celery_worker_process, tmp_path):
    path = write(tmp_path / "dump.jsonl", jsonl(*(record(n) for n in range(1, 41))) + "{broken\n")
    batch = services.import_batch_create(entries=[{"path": str(path), "name": "dump.jsonl"}], origin="web")
    result = tasks.import_batch_run.delay(batch.pk)
    assert result.id
    wait_for(lambda: ImportBatch.objects.get(pk=batch.pk).status == "done", timeout=60)
    batch.refresh_from_db()
    assert (batch.imported, batch.rejected) == (40, 1)
    assert Article.objects.count() == 40

    # Delivered again (a redelivered message after a lost ack): nothing changes.
    again = tasks.import_batch_run.delay(batch.pk)
    wait_for(lambda: f"import_batch_run[{again.id}] succeeded" in celery_worker_process.output(), timeout=60)
    batch.refresh_from_db()
    assert (batch.imported, Article.objects.count()) == (40, 40)
