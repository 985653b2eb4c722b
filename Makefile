# The two commands a newcomer needs: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run against PostgreSQL and Redis, as production does.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/copydesk
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test venv dev-venv lint check browser services worker clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

## Start the app with sample data on http://127.0.0.1:8000 (SQLite, tasks in-process).
demo: venv
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_sample_data
	$(PY) manage.py create_demo_users
	$(PY) manage.py load_sample_claims
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

## Install what the tests need and run the whole suite against PostgreSQL and Redis.
test: dev-venv browser services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_TASK_ALWAYS_EAGER=1 \
		$(PY) -m pytest $(PYTEST_ARGS)

## Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

## Start PostgreSQL and Redis on this machine if they are installed but not running.
services:
	@bash .ci/ensure-services

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: dev-venv
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=0 SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-looking-value-for-the-check ALLOWED_HOSTS=copydesk.example \
		$(PY) manage.py check --deploy --fail-level WARNING

## A Celery worker against REDIS_URL (for the production-like topology on one machine).
worker: venv
	$(VENV)/bin/celery -A config worker --loglevel=INFO -Q default,semantic

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-results
