# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: demo test lint format install clean

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

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

# Class load and saturation benchmarks (benchmarks/load.py, benchmarks/saturation.py): about
# 3 minutes; BENCH_ARGS=--quick for a short run. Saturation uses wrk when it is installed
# (apt-get install wrk), else a Python client that costs more CPU.
.PHONY: bench-load
bench-load: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@command -v wrk >/dev/null || echo "wrk not found: saturation uses the Python client"
	$(BIN)/python -m benchmarks.load $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.saturation $(BENCH_ARGS)
