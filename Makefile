# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed
# Ralph, the Learning Record Store the xAPI tests send to, in a venv of its own inside .venv
# (its pins, click's among them, clash with the app's: tests/lrs-requirements.txt).
RALPH_VENV ?= $(VENV)/ralph
RALPH_STAMP := $(RALPH_VENV)/.installed
# Where tests/e2e/conftest.py looks for Chromium (Debian's package).
CHROMIUM := /usr/bin/chromium

.PHONY: demo test lint format install clean screenshots bench e2e wrk redis nginx docs ralph multi

$(STAMP): setup.cfg setup.py pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP) $(RALPH_STAMP)

$(RALPH_STAMP): tests/lrs-requirements.txt
	@test -x $(RALPH_VENV)/bin/python || $(PYTHON) -m venv $(RALPH_VENV)
	$(RALPH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RALPH_VENV)/bin/python -m pip install --quiet -r tests/lrs-requirements.txt
	@touch $(RALPH_STAMP)

ralph: $(RALPH_STAMP)

demo: $(STAMP)
	$(BIN)/crm-sandbox demo --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r crm_sandbox seed -ll

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint $(RALPH_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@test -x $(CHROMIUM) || echo "NOTE: the end-to-end browser tests were skipped: Chromium not found at $(CHROMIUM) (apt-get install chromium, then make e2e)."

# Benchmarks (under 10 minutes; SQLite unless BENCH_DATABASE_URL names a PostgreSQL database;
# BENCH_QUICK=1 for a smoke run): a table on screen and benchmarks/latest.json. On PostgreSQL
# the class load is measured a second time through nginx to two instances
# (benchmarks/behind_nginx.py), and the first run also builds the scale benchmark's college
# (20,000 sandboxes, 14.5 GB, kept in <name>_scale20000 for later runs): about an hour on this
# 2-core machine.
bench: $(STAMP) wrk redis $(if $(filter postgresql%,$(BENCH_DATABASE_URL)),nginx)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' BENCH_QUICK='$(BENCH_QUICK)' $(BIN)/python -m benchmarks

# Generated documentation: the step language (docs/step-language.md) from the step registry.
docs: $(STAMP)
	$(BIN)/crm-sandbox scenarios steps --write docs/step-language.md

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

# Screenshots of the key pages for the README (Playwright driving Debian's /usr/bin/chromium).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

# The end-to-end tests alone: the real app under gunicorn, driven in Chromium (tests/e2e/).
e2e: $(STAMP)
	@test -x $(CHROMIUM) || { echo "Chromium not found at $(CHROMIUM): apt-get install chromium, then make e2e" >&2; exit 1; }
	$(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

# The production layout on this machine (deploy/multi.py): Debian's nginx in front of two gunicorn
# instances on PostgreSQL and Redis, with one worker; runs the tests in tests/multi through nginx,
# then stops everything and drops its database. MULTI_POSTGRES names the PostgreSQL server (a
# database of its own is made there), MULTI_REDIS the Redis database, MULTI_WORKER the worker
# command (default: `crm-sandbox worker` if this version has it, else `crm-sandbox outbox run`).
MULTI_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres
MULTI_REDIS ?= redis://127.0.0.1:6379/6
multi: $(STAMP)
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null || { echo "nginx not found: apt-get install nginx, then make multi" >&2; exit 1; }
	@redis-cli -u '$(MULTI_REDIS)' ping >/dev/null 2>&1 || { echo "No Redis answers at $(MULTI_REDIS) (apt-get install redis-server, or MULTI_REDIS=redis://host:6379/N)" >&2; exit 1; }
	$(BIN)/python -m deploy.multi test --postgres '$(MULTI_POSTGRES)' --redis '$(MULTI_REDIS)' \
	  $(if $(MULTI_WORKER),--worker-command '$(MULTI_WORKER)') -- $(PYTEST_ARGS)

# Class load and saturation benchmarks (benchmarks/load.py, benchmarks/saturation.py): about
# 3 minutes; BENCH_ARGS=--quick for a short run. Saturation uses wrk when it is installed
# (apt-get install wrk), else a Python client that costs more CPU.
.PHONY: bench-load
bench-load: $(STAMP) wrk redis
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m benchmarks.load $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.saturation $(BENCH_ARGS)

# wrk, the C load client of the saturation benchmark (Debian's package): installed with apt when
# it is missing and this runs as root on a machine with apt; otherwise the benchmark uses a
# Python client, which spends more of the machine's CPU itself.
wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing wrk (apt-get) for the saturation benchmark"; \
	    apt-get install -y -qq wrk >/dev/null 2>&1 || \
	      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } || true; \
	  fi; \
	  command -v wrk >/dev/null || echo "wrk not found: saturation uses a Python client (apt-get install wrk for a lighter one)"; \
	}

# nginx, the load balancer of the class load through two instances (Debian's package): installed
# with apt when it is missing and this runs as root on a machine with apt.
nginx:
	@test -x /usr/sbin/nginx || command -v nginx >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing nginx (apt-get) for the class load through two instances"; \
	    apt-get install -y -qq nginx >/dev/null 2>&1 || \
	      { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq nginx >/dev/null 2>&1; } || true; \
	  fi; \
	  test -x /usr/sbin/nginx || echo "nginx not found: the class load through two instances is not measured (apt-get install nginx)"; \
	}

# Redis at 127.0.0.1:6379, where the benchmarks' gunicorn workers share their sign-in rate-limit
# counts as production does (BENCH_RATELIMIT_STORAGE_URI names another): Debian's redis-server is
# installed with apt and started when none answers and this runs as root on a machine with apt.
redis:
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    command -v redis-server >/dev/null || { echo "Installing redis-server (apt-get) for the benchmarks"; \
	      apt-get install -y -qq redis-server >/dev/null 2>&1 || \
	        { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq redis-server >/dev/null 2>&1; } || true; }; \
	    redis-server --daemonize yes --bind 127.0.0.1 --save '' >/dev/null 2>&1 || true; \
	  fi; \
	  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || echo "No Redis answers at 127.0.0.1:6379: the load benchmarks need one (or BENCH_RATELIMIT_STORAGE_URI)"; \
	}
