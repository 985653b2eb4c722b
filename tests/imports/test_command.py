"""The import_articles command: summary line, exit status, progress output, resume (also after kill -9)."""

import os
import signal
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from articles.models import Article
from imports.models import ImportBatch
from tests.conftest import _test_database_url, wait_for
from tests.imports.helpers import jsonl, record, write

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _call(*args) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import_articles", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    return code, out.getvalue(), err.getvalue()


def test_a_clean_import_exits_0_with_the_summary_line(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl(record(1), record(2), record(1)))
    code, out, err = _call(path)
    batch = ImportBatch.objects.get()
    assert code == 0
    assert out.strip().splitlines()[-1] == f"imported 2, duplicates 1, unchanged 0, rejected 0 (batch #{batch.pk})"
    assert "progress: 100%" in err


def test_some_rejected_records_exit_1_and_keep_the_valid_ones(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl(record(1)) + "{broken\n")
    code, out, _ = _call(path)
    assert code == 1
    assert out.strip().endswith(f"rejected 1 (batch #{ImportBatch.objects.get().pk})")
    assert Article.objects.count() == 1


def test_a_second_run_reports_everything_unchanged(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl(record(1), record(2)))
    _call(path)
    code, out, _ = _call(path)
    assert code == 0
    assert "imported 0, duplicates 0, unchanged 2, rejected 0" in out


@pytest.mark.parametrize(
    "args",
    [
        ["/no/such/file.jsonl"],
        [],
        ["--resume", "999999"],
        ["/no/such/file.jsonl", "--workers", "-1"],
    ],
)
def test_unreadable_input_or_wrong_arguments_exit_2(args):
    code, _, err = _call(*args)
    assert code == 2
    assert err
    assert not ImportBatch.objects.exists()


def test_a_bad_format_option_exits_2(tmp_path):
    path = write(tmp_path / "a.jsonl", jsonl(record(1)))
    result = subprocess.run(
        [sys.executable, "manage.py", "import_articles", str(path), "--format", "xml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": _test_database_url()},
    )
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_input_that_cannot_be_read_at_all_exits_2(tmp_path, settings):
    settings.IMPORT_MAX_ZIP_MEMBERS = 2
    import zipfile

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(3):
            archive.writestr(f"{number}.jsonl", jsonl(record(number)))
    code, out, _ = _call(path)
    assert code == 2
    assert "rejected 1" in out


def test_the_workers_option_sets_how_many_processes_normalise(tmp_path, monkeypatch):
    from imports import services

    runs = []
    real_run = services.import_batch_run
    monkeypatch.setattr(services, "import_batch_run", lambda **kwargs: runs.append(kwargs) or real_run(**kwargs))
    path = write(tmp_path / "a.jsonl", jsonl(record(1), record(2)))
    code, out, _ = _call(path, "--workers", "0")
    assert code == 0
    assert runs[-1]["workers"] == 0
    assert "imported 2" in out


def test_source_and_format_options_apply(tmp_path):
    path = write(tmp_path / "export.dat", "Title line\n\nBody text.")
    code, _, _ = _call(path, "--format", "txt", "--source", "Night Desk")
    assert code == 0
    assert Article.objects.get().source.name == "Night Desk"


def test_resume_finishes_a_failed_batch(tmp_path, monkeypatch):
    from imports import services

    path = write(tmp_path / "a.jsonl", jsonl(*(record(n) for n in range(1, 11))))
    original = services._chunk_commit
    calls = {"n": 0}

    def fail_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_chunk_commit", fail_second)
    code, _, err = _call(path, "--chunk-size", "3")
    batch = ImportBatch.objects.get()
    assert code == 2
    assert f"--resume {batch.pk}" in err
    monkeypatch.setattr(services, "_chunk_commit", original)
    code, out, _ = _call("--resume", batch.pk, "--chunk-size", "3")
    assert code == 0
    assert f"imported 10, duplicates 0, unchanged 0, rejected 0 (batch #{batch.pk})" in out
    assert Article.objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_resumes_without_duplicates(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    total = 6000
    path = write(tmp_path / "big.jsonl", jsonl(*(record(n) for n in range(total))))
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_articles", str(path), "--chunk-size", "100"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _test_database_url(), "CELERY_TASK_ALWAYS_EAGER": "1", "REDIS_URL": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        batch = wait_for(lambda: ImportBatch.objects.filter(imported__gt=0).first(), timeout=60, interval=0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    batch.refresh_from_db()
    if batch.status == "done":
        pytest.skip("the import finished before it could be killed")
    assert batch.status == "running"
    assert Article.objects.count() == batch.imported
    wait_for(lambda: not _batch_lock_held(batch.pk))  # the killed client's session ends on the server
    code, out, _ = _call("--resume", batch.pk)
    assert code == 0
    assert f"imported {total}, duplicates 0, unchanged 0, rejected 0 (batch #{batch.pk})" in out
    assert Article.objects.count() == total
    assert Article.objects.values("external_id").distinct().count() == total


def _batch_lock_held(batch_id: int) -> bool:
    from imports.services import _LOCK_BATCH

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s",
            [_LOCK_BATCH, batch_id],
        )
        return cursor.fetchone()[0] > 0


def test_load_sample_data_uses_the_importer_and_is_idempotent(tmp_path):
    path = write(tmp_path / "articles.jsonl", jsonl(record(1), record(2)))
    out = StringIO()
    call_command("load_sample_data", "--file", str(path), stdout=out)
    call_command("load_sample_data", "--file", str(path), stdout=out)
    assert out.getvalue().splitlines() == [
        "Sample articles: 2 created, 0 already present.",
        "Sample articles: 0 created, 2 already present.",
    ]
    assert Article.objects.count() == 2


def test_a_terminal_gets_a_progress_bar_and_logs_get_plain_lines():
    from articles.management.commands.import_articles import _Progress

    class Stream(StringIO):
        def write(self, text, ending="\n"):
            super().write(text + ending)

    batch = ImportBatch(pk=7, status="running", bytes_total=1000, bytes_read=500, total=120, rejected=3)
    terminal, log = Stream(), Stream()
    for progress in (_Progress(terminal, interactive=True), _Progress(log, interactive=False)):
        progress.update(batch)
        progress.finish()
    assert terminal.getvalue().startswith("\r[" + "#" * 15 + "." * 15 + "]  50% 120 records")
    assert log.getvalue().startswith("progress: 50% 120 records")
    assert "rejected 3" in log.getvalue()
