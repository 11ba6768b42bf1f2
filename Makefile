# tsunagi — `make demo` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
# Data sizes for `make bench` (the demo's --scale), and requests per call and size.
BENCH_SIZES ?= 1,10
BENCH_REPEAT ?= 30
# Extra pytest arguments for the PostgreSQL run of `make test`, e.g. PYTEST_ARGS="-k agencies".
PYTEST_ARGS ?=

.PHONY: help venv install demo test system-deps lint typecheck fmt bench collectstatic clean

help:
	@echo "make demo        install, migrate an SQLite database under var/, load the demo, serve on 127.0.0.1:$(PORT)"
	@echo "make test        system packages, venv, the suite on a throwaway PostgreSQL, SQLite smoke, lint, types"
	@echo "make bench       time the main pages and API calls on PostgreSQL at sizes $(BENCH_SIZES)"
	@echo "make lint | typecheck | fmt | collectstatic | install"

venv install: $(STAMP)

# Reinstalls only when pyproject.toml or constraints.txt changed (or the venv is not Python 3.11).
$(STAMP): pyproject.toml constraints.txt
	@if ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		rm -rf $(VENV); \
		$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
			|| { echo "tsunagi needs Python 3.11 (PYTHON=$(PYTHON))" >&2; exit 1; }; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	@touch $@

demo: install
	mkdir -p var/static
	$(BIN)/tsunagi migrate
	$(BIN)/tsunagi load_jurisdictions
	$(BIN)/tsunagi demo
	$(BIN)/tsunagi runserver 127.0.0.1:$(PORT)

system-deps:
	scripts/system-deps.sh

test: system-deps install
	scripts/test-all.sh $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy tsunagi

fmt: install
	$(BIN)/ruff check --fix-only .
	$(BIN)/ruff format .

bench: install
	scripts/system-deps.sh postgresql
	scripts/bench.sh --sizes $(BENCH_SIZES) --repeat $(BENCH_REPEAT)

collectstatic: install
	$(BIN)/tsunagi collectstatic --noinput

clean:
	rm -rf .mypy_cache .ruff_cache test-results
