# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: demo test lint format install clean screenshots bench

$(STAMP): setup.cfg pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/crm-sandbox demo --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -q -r crm_sandbox seed -ll

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks (under 10 minutes; SQLite unless BENCH_DATABASE_URL names a PostgreSQL database;
# BENCH_QUICK=1 for a smoke run): a table on screen and benchmarks/latest.json.
bench: $(STAMP)
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' BENCH_QUICK='$(BENCH_QUICK)' $(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

# Screenshots of the key pages for the README (Playwright driving Debian's /usr/bin/chromium).
screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py
