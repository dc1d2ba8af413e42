# Tremplin — the two commands of the README, and a few helpers.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
export TREMPLIN_DATABASE_URL ?= sqlite:///var/tremplin.sqlite3
export TREMPLIN_DATA_DIR ?= var/data

.PHONY: install run test test-fast lint bench clean

$(STAMP): pyproject.toml setup.py
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: set up, migrate the SQLite database, load the demo if empty, serve on $(PORT)
run: $(STAMP)
	mkdir -p var
	$(BIN)/tremplin serve --demo --port $(PORT)

## make test: the whole suite (SQLite, PostgreSQL, Chromium)
test: $(STAMP)
	$(BIN)/pytest

## make test-fast: SQLite only, no browser (for quick local loops; CI always runs `make test`)
test-fast: $(STAMP)
	TREMPLIN_TEST_ENGINES=sqlite $(BIN)/pytest -m "not browser"

lint: $(STAMP)
	$(BIN)/ruff check core plugins tests bench

bench: $(STAMP)
	$(BIN)/python bench/bench_pages.py

clean:
	rm -rf $(VENV) var .pytest_cache
