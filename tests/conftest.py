"""Fixtures shared by the whole suite: users of each role, a client signed in as each."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from accounts.roles import ADMIN, ANALYST, EDITOR
from tests.factories import UserFactory


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana", role=ANALYST)


@pytest.fixture
def editor(db):
    return UserFactory(username="ed", role=EDITOR)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="adm", role=ADMIN, is_staff=True)


@pytest.fixture
def outsider(db):
    """Signed in, but holds no role at all."""
    return UserFactory(username="nobody")


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def admin_client_role(client, admin_user):
    client.force_login(admin_user)
    return client


class WorkerProcess:
    """A real `celery worker` subprocess consuming from the test Redis, writing to the test database."""

    def __init__(self, database_url: str, queues: str = "default,semantic"):
        self.database_url = database_url
        self.queues = queues
        self.process: subprocess.Popen | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])

    def start(self) -> "WorkerProcess":
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "DB_CONN_MAX_AGE": "0",
        }
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", self.queues, "-l", "INFO"]
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if "ready." in self.log_path.read_text():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError(f"Celery worker did not start:\n{self.log_path.read_text()}")

    def kill(self) -> None:
        """Kill -9, as a crashed machine or the OOM killer would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text()


def _test_database_url() -> str:
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db):
    """Start a real worker over Redis; tasks sent during the test are not run eagerly."""
    from config.celery import app

    if connection.vendor != "postgresql" or not app.conf.broker_url.startswith("redis://"):
        pytest.skip("needs PostgreSQL and REDIS_URL")
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    app.conf.task_always_eager = False
    worker = WorkerProcess(_test_database_url())
    try:
        yield worker.start()
    finally:
        worker.stop()
        app.conf.task_always_eager = True


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):
    """Poll until predicate() is truthy; return its value or fail the test."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout}s")
