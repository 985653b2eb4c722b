"""The production topology: docker-compose.yml agrees with the settings, and the same processes run here.

Docker has no engine on the test machines, so the compose file is checked by reading it, and the
topology it describes (gunicorn serving the app with whitenoise, PostgreSQL, Redis, a Celery worker) is
started as local processes.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from tests.conftest import _test_database_url

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text()


def _environment(service: str) -> dict:
    env = {}
    env.update(COMPOSE["services"][service].get("environment", {}))
    return env


def test_compose_runs_postgres_redis_web_and_worker():
    assert {"db", "redis", "web", "worker", "migrate"} <= set(COMPOSE["services"])
    assert COMPOSE["services"]["db"]["image"].startswith("postgres:")
    assert COMPOSE["services"]["redis"]["image"].startswith("redis:")


def test_redis_keeps_an_append_only_file_on_a_volume():
    redis = COMPOSE["services"]["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert any(volume.endswith(":/data") for volume in redis["volumes"])


def test_web_runs_gunicorn_and_worker_runs_celery_on_the_project_app():
    assert COMPOSE["services"]["web"]["command"][:2] == ["gunicorn", "config.wsgi:application"]
    assert COMPOSE["services"]["worker"]["command"][:3] == ["celery", "-A", "config"]


def test_every_variable_compose_sets_is_read_by_the_settings():
    for service in ("web", "worker", "migrate"):
        for name in _environment(service):
            assert re.search(rf'"{name}"', SETTINGS_SOURCE), f"{service} sets {name}, which settings never read"


def test_compose_points_the_app_at_its_own_database_and_redis():
    env = _environment("web")
    assert env["DEBUG"] == "0"
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    example = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY", "ALLOWED_HOSTS"):
        assert f"{name}=" in example


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_server(django_db_setup, tmp_path):
    """gunicorn with production settings (DEBUG off, hashed static files) over the test database.

    The pages asked for here read nothing from the database, so no test data is written or flushed
    while gunicorn's workers hold connections of their own.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "topology-test-" + "x" * 50,
        "DATABASE_URL": _test_database_url(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DB_CONN_MAX_AGE": "0",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2)  # noqa: S310 (local test server)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_gunicorn_serves_pages_and_hashed_static_files_with_production_headers(gunicorn_server):
    with urllib.request.urlopen(gunicorn_server + "/accounts/login/", timeout=5) as response:  # noqa: S310
        page = response.read().decode()
        headers = response.headers
    assert "Sign in" in page
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "static files are not served with hashed names"
    with urllib.request.urlopen(gunicorn_server + stylesheet.group(1), timeout=5) as response:  # noqa: S310
        assert response.status == 200
        assert "max-age=315360000" in response.headers["Cache-Control"]


def test_gunicorn_refuses_unknown_hosts(gunicorn_server):
    request = urllib.request.Request(gunicorn_server + "/accounts/login/", headers={"Host": "evil.example"})  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310
    assert error.value.code == 400


def test_every_variable_in_the_env_example_is_read_by_the_settings_or_compose():
    names = re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE)
    compose_text = (ROOT / "docker-compose.yml").read_text()
    for name in names:
        assert f'"{name}"' in SETTINGS_SOURCE or "${" + name in compose_text, f"{name} is never read"
