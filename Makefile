# Huiyin developer tasks. GNU make; every command uses the project's own .venv.
#
#   make run     the demo: set up, migrate, demo data into an empty database; web, worker, scheduler
#                (Procfile, honcho; web on :$PORT: gunicorn, HUIYIN_WORKERS, HUIYIN_THREADS;
#                HUIYIN_DEBUG=1: Django's runserver)
#   make serve   production (no demo): check-deploy, collectstatic, migrate; gunicorn on HUIYIN_BIND, worker, scheduler (docs/deployment.md)
#   make test    set up and run the whole test suite (PYTEST_ARGS="-k foo -x" to narrow)
#   make lint    ruff check + ruff format --check + mypy (every app, settings in pyproject.toml)
#   make static  npm ci (when needed), copy vendor files and build the dashboard's ECharts into web/static/vendor/
#   make bench-side   Huiyin beside django-helpdesk, one run (N=100000; SKIP_LOAD=1 reuses the data)
#   make bench-load   USERS=50 users for DURATION=60 s (THINK=3: a request every 3 s) on DATABASE_URL
#   make bench-browser  bytes and DOMContentLoaded in Chromium of a running server (URL=http://127.0.0.1:8000)
#   make mutate  mutation score of the core modules (MUTATE_ARGS="--max 0 workflow/engine.py"; not in CI)
#   make clean   remove .venv, node_modules, copied vendor files and test artifacts

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VENV_STAMP := $(VENV)/.huiyin-installed
NODE_STAMP := node_modules/.huiyin-installed
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: help venv static run serve test lint mutate clean bench-side bench-load bench-browser

help:
	@sed -n 's/^#   make /make /p' $(firstword $(MAKEFILE_LIST))

# `make .venv` (or `make venv`) creates the virtualenv and installs the project with its
# dev tools; the stamp makes it run again whenever pyproject.toml changes.
$(VENV) venv: $(VENV_STAMP)

$(VENV_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Huiyin needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo 'not found')." >&2; \
	  echo "Install a newer Python, or run: make PYTHON=/path/to/python3.11 ..." >&2; \
	  exit 1; }
	@test -x $(BIN)/python || { echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@# The project root on sys.path, as manage.py would have it: setuptools' editable finder
	@# maps only the packages it saw at install time, so an app created (or given its
	@# __init__.py) later would not import from the `huiyin` script until a reinstall.
	@$(BIN)/python -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "huiyin-project-root.pth").write_text("$(CURDIR)\n")'
	@touch $@

# npm ci wipes node_modules/ first, so the stamp inside it disappears with it. No package
# needs its install script (esbuild's only swaps its launcher for the binary it finds anyway).
$(NODE_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

static: $(NODE_STAMP)
	$(PYTHON) scripts/copy_vendor.py

# `make run` is the demo (HUIYIN_DEMO=1): it loads the demo data into an empty database,
# whose accounts all have the public password huiyin-demo. The server runs as users will
# meet it: gunicorn, debug off (Chinese error pages, never a traceback), the
# HUIYIN_SECRET_KEY of the environment or else one made once and kept in var/, cookies
# over plain http on the loopback, static files collected under hashed names with gzip and
# brotli (HUIYIN_STATIC_MANIFEST=1, huiyin/settings.py), the access log on stdout.
# HUIYIN_WORKERS processes (default 2) of HUIYIN_THREADS threads (default 4) each.
# HUIYIN_DEBUG=1 make run gives Django's auto-reloading runserver and its debug pages, with
# static files served from the app folders as they are edited.
# Beside the web server, honcho starts the Procfile's task worker (`huiyin worker`:
# db_worker, or rqworker under HUIYIN_TASKS=rq) and scheduler (`huiyin scheduler`: the
# outbox every minute, `remind` on working mornings). Each line of their output is prefixed
# with its process; when one stops (Ctrl-C, or a crash), honcho stops the others. The
# environment is make's and yours: no .env file is read (--env /dev/null).
# A real installation runs without HUIYIN_DEMO; its server refuses to start while an
# account still has the demo password (huiyin/wsgi.py).
RUN_ENV = HUIYIN_DEMO=1 HUIYIN_DEBUG=$${HUIYIN_DEBUG:-0} HUIYIN_SECURE_COOKIES=0 HUIYIN_SITE_URL="$${HUIYIN_SITE_URL:-http://127.0.0.1:$${PORT:-8000}}" HUIYIN_SECRET_KEY="$${HUIYIN_SECRET_KEY:-$$(cat var/secret_key)}"

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

# collectstatic hashes and compresses every file each time (~10 s), so it runs again only
# when a static file or the installed packages (django-ninja's API docs) changed. The find
# runs when `make run` calls this target, after `make static` has copied the vendor files.
# STATIC_ROOT is $HUIYIN_VAR_DIR/static (settings.py): a scratch HUIYIN_VAR_DIR gets its own.
COLLECTED := $(or $(HUIYIN_VAR_DIR),var)/static/.huiyin-collected
STATIC_SOURCES = $(shell find . \( -path ./.git -o -path ./.venv -o -path ./node_modules -o -path ./var -o -path ./.mypy_cache \) -prune -o -path '*/static/*' -type f -print)

$(COLLECTED): $(VENV_STAMP) $(STATIC_SOURCES)
	@echo "Collecting static files (hashed names, gzip and brotli) into $(dir $@)"
	@HUIYIN_STATIC_MANIFEST=1 $(RUN_ENV) $(BIN)/huiyin collectstatic --noinput --clear --verbosity 0
	@touch $@

run: $(VENV_STAMP) static var/secret_key
	@echo "=================================================================="
	@echo " 演示模式 (HUIYIN_DEMO=1): an empty database gets the DEMO data;"
	@echo " every demo account has the PUBLIC password huiyin-demo."
	@echo " Not for real cases: see README, \"Running it for real\"."
	@echo "=================================================================="
	$(RUN_ENV) $(BIN)/huiyin keys init
	$(RUN_ENV) $(BIN)/huiyin migrate --noinput
	$(RUN_ENV) $(BIN)/huiyin load_demo --if-empty
	@debug="$${HUIYIN_DEBUG:-0}"; if [[ "$${debug,,}" =~ ^(1|true|yes|on)$$ ]]; then \
	  web=devweb; \
	  echo "Django's development server (HUIYIN_DEBUG=1) on http://127.0.0.1:$${PORT:-8000}/"; \
	else \
	  web=web; \
	  $(MAKE) --no-print-directory $(COLLECTED) || exit; \
	  echo "gunicorn on http://127.0.0.1:$${PORT:-8000}/: $${HUIYIN_WORKERS:-2} workers × $${HUIYIN_THREADS:-4} threads"; \
	fi; \
	echo "with the task worker and the scheduler (Procfile); one Ctrl-C stops all three"; \
	PYTHONUNBUFFERED=1 $(RUN_ENV) exec $(BIN)/honcho --env /dev/null start --port "$${PORT:-8000}" $$web worker scheduler

# The production start (docs/deployment.md): `huiyin serve` refuses HUIYIN_DEMO and a failing
# `huiyin check-deploy` (SERVE_ARGS=--skip-checks to start anyway), collects the static files,
# migrates, then runs gunicorn, the worker and the scheduler until SIGTERM or Ctrl-C.
SERVE_ARGS ?=
serve: $(VENV_STAMP) static
	PYTHONUNBUFFERED=1 exec $(BIN)/huiyin serve $(SERVE_ARGS)

test: $(VENV_STAMP) static
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Mutants of the core modules, one at a time in copies of the tree (about 10 minutes).
MUTATE_ARGS ?=
mutate: $(VENV_STAMP)
	$(BIN)/python scripts/mutate.py $(MUTATE_ARGS)

# Benchmarks (bench/README.md): each starts and stops its own servers, except bench-browser.
N ?= 100000
bench-side: $(VENV_STAMP) static
	bench/side_by_side.sh $(N)

bench-load: $(VENV_STAMP) static
	bench/load_test.sh $${DURATION:-60}

bench-browser: $(VENV_STAMP)
	$(BIN)/python bench/bench_transfer.py --url $${URL:-http://127.0.0.1:8000}

clean:
	rm -rf $(VENV) node_modules web/static/vendor test-artifacts build *.egg-info .mypy_cache
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
