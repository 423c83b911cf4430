# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install briefcast with everything it needs

run: install  ## migrate, load demo bills and a demo listener, serve on http://127.0.0.1:8000
	$(BIN)/briefcast demo
	$(BIN)/briefcast serve

test: install  ## the whole suite: unit, integration (SQLite and Postgres), acceptance, browser
	$(BIN)/python -m pytest

test-fast: install  ## unit tests only
	$(BIN)/python -m pytest tests/unit -q

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: install  ## speed and cost benchmarks (print a table, write bench/results/*.json)
	$(BIN)/python bench/enqueue.py
	$(BIN)/python bench/enqueue.py --worker process
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/cost.py
	$(BIN)/python bench/notify_latency.py
	$(BIN)/python bench/eta.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
