# The README's two commands: `make run` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# One synchronous web worker per core: the pages are CPU-bound Python, and threads inside one
# process only take turns on the GIL (bench/intake.py: about a quarter less throughput with four
# threads per worker). In production put nginx in front, which buffers slow uploads.
WEB_WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
export SHOULIAN_VAR_DIR ?= $(CURDIR)/var
# pytest-xdist workers for `make test`: one per core (each has its own test database and var
# directory, and on PostgreSQL its own test database); TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto

.PHONY: run test lint layers typecheck migrations-check pytest browser-deps clean bench faults

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' || \
	  { echo "Shoulian needs Python 3.11 (found $$($(PYTHON) --version 2>&1)); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

run: deps
	@mkdir -p var
	SHOULIAN_DEMO_MODE=1 $(BIN)/python manage.py migrate --no-input
	SHOULIAN_DEMO_MODE=1 $(BIN)/python manage.py deadlines_sync_calendar
	SHOULIAN_DEMO_MODE=1 $(BIN)/python manage.py audit_keygen --if-missing
	SHOULIAN_DEMO_MODE=1 $(BIN)/python manage.py seed_demo
	SHOULIAN_DEMO_MODE=1 $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@SHOULIAN_DEMO_MODE=1 $(BIN)/python manage.py demo_logins --url http://$(HOST):$(PORT)/
	@set -m; \
	  SHOULIAN_DEMO_MODE=1 $(BIN)/python manage.py run_huey --quiet & worker=$$!; \
	  SHOULIAN_DEMO_MODE=1 $(BIN)/python manage.py audit_sealer & sealer=$$!; \
	  trap 'kill $$worker $$sealer 2>/dev/null; wait $$worker $$sealer 2>/dev/null' EXIT INT TERM; \
	  SHOULIAN_DEMO_MODE=1 $(BIN)/gunicorn config.wsgi:application --bind $(HOST):$(PORT) \
	    --workers $(WEB_WORKERS) --threads 1 --graceful-timeout 5 --access-logfile - \
	    --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms' 

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Apps import only the apps below them (docs/architecture.md, "Layers").
layers: deps
	$(BIN)/lint-imports --no-cache

typecheck: deps
	$(BIN)/mypy config shoulian

migrations-check: deps
	SHOULIAN_SECRET_KEY=check $(BIN)/python manage.py makemigrations --check --dry-run

pytest: deps
	@if [ -x /usr/bin/chromium ] || [ -n "$$SHOULIAN_CHROMIUM" ]; then \
	  echo "Browser tests: Chromium found, running them."; \
	else \
	  echo "Browser tests: SKIPPED (no Chromium at /usr/bin/chromium; apt-get install chromium fonts-noto-cjk)."; \
	fi
	@[ -f /usr/share/fonts/truetype/arphic/ukai.ttc ] || [ -n "$$SHOULIAN_PDF_KAI_FONT" ] || \
	  echo "Official-document PDF tests: SKIPPED (no 楷体 font; apt-get install fonts-arphic-ukai)."
	SHOULIAN_VAR_DIR=$$(mktemp -d) $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

test: lint layers typecheck migrations-check pytest

bench: deps
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/intake.py

# kill -9 and outages under writing clients, SQLite and PostgreSQL (bench/faults.py; minutes).
faults: deps
	$(BIN)/python bench/faults.py

clean:
	rm -rf $(VENV) node_modules var .mypy_cache .ruff_cache
