# Tremplin — the two commands of the README, and a few helpers.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
# Parallel test workers (pytest-xdist); each has its own SQLite files and PostgreSQL server.
JOBS ?= 2
export TREMPLIN_DATABASE_URL ?= sqlite:///var/tremplin.sqlite3
export TREMPLIN_DATA_DIR ?= var/data

.PHONY: install run test test-fast lint format i18n i18n-check bench bench-pg bench-workers bench-profile docs clean

# The core (core/tremplin), the default theme and every built-in plugin are distributions of
# their own; each is installed in editable mode from its plain path (a .pth entry, no import hook).
# `make run` installs only what running needs (RUN_STAMP); the dev tools (pytest, ruff, mypy,
# Playwright…) come with `make install` / `make test` (STAMP, on top of the runtime install).
PLUGIN_DIRS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
RUNTIME := -e ./themes/default -e . $(foreach d,$(PLUGIN_DIRS),-e ./$(d))
RUN_STAMP := $(VENV)/.installed-run-stamp
MANIFESTS := pyproject.toml themes/default/pyproject.toml $(wildcard plugins/*/pyproject.toml)

$(RUN_STAMP): $(MANIFESTS)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(RUNTIME)
	$(BIN)/python tools/i18n.py compile
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: set up (runtime only), migrate the SQLite database, load the demo if empty, serve
run: $(RUN_STAMP)
	$(BIN)/python tools/i18n.py compile
	mkdir -p var
	$(BIN)/tremplin serve --demo --port $(PORT)

## make test: the gates (make lint: ruff, formatting, import contracts, mypy), then the whole suite
## (SQLite, PostgreSQL, Chromium)
test: lint
	$(BIN)/pytest -n $(JOBS) -m "not serial"
	$(BIN)/pytest -m serial

## make test-fast: SQLite only, no browser (for quick local loops; CI always runs `make test`)
test-fast: $(STAMP)
	TREMPLIN_TEST_ENGINES=sqlite $(BIN)/pytest -m "not browser"

## make lint: ruff (rules in pyproject.toml), formatting, the import contracts, mypy over the
## core, every plugin package (plugins/*/tremplin_*: a new plugin is checked as it lands) and the
## default theme
MYPY_PACKAGES := tremplin tremplin_theme_default \
	$(notdir $(filter-out %.egg-info,$(wildcard plugins/*/tremplin_*)))
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy $(addprefix -p ,$(MYPY_PACKAGES))

## make i18n: the gettext catalogues — mark new labels (tools/i18n_mark_labels.py), extract
## the code and templates (babel.cfg) into each package's locale/en/LC_MESSAGES/<package>.po,
## compile the .mo files, then list what is left to translate
i18n: $(RUN_STAMP)
	$(BIN)/python tools/i18n_mark_labels.py
	$(BIN)/python tools/i18n.py all
	$(BIN)/python tools/i18n.py untranslated

## make i18n-check: fail when a catalogue has an untranslated or fuzzy entry
i18n-check: $(RUN_STAMP)
	$(BIN)/python tools/i18n.py check

## make format: format the whole tree and sort imports (the gate in make lint checks both)
format: $(STAMP)
	$(BIN)/ruff check --select I --fix .
	$(BIN)/ruff format .

## make docs: the guides as a static site in site/, offline, warnings are errors
docs: $(STAMP)
	$(BIN)/python -c "import mkdocs, material" 2>/dev/null || $(BIN)/pip install --quiet -e '.[docs]'
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

## make bench: one table of page p50/p95, throughput against a bare hello-world and a bare
## 50-row Jinja page (same run), and report timings (QUICK=1: under 3 minutes)
QUICK ?=
BENCH_FLAGS := $(if $(QUICK),--quick,)
bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_FLAGS)

## make bench-pg: growth on PostgreSQL (SIZES=10000,100000,1000000 to choose the sizes)
bench-pg: $(STAMP)
	$(BIN)/python bench/bench_pg.py $(BENCH_FLAGS) $(if $(SIZES),--sizes $(SIZES),)

## make bench-workers: 4 processes on PostgreSQL, 64 logged-in clients, reads and writes
bench-workers: $(STAMP)
	$(BIN)/python bench/bench_workers.py $(BENCH_FLAGS)

## make bench-profile: cProfile of the household page (needs the database of make bench)
bench-profile: $(STAMP)
	$(BIN)/python bench/profile_household.py $(if $(QUICK),--db bench/out/bench-quick.sqlite3,)

clean:
	rm -rf $(VENV) var .pytest_cache
