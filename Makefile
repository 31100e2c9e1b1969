# Two commands matter: `make run` starts everything, `make test` runs the whole suite.
# Both create .venv and install what they need the first time, and nothing extra after.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# axe-core (accessibility checks in the browser tests), pinned in package.json; test-only, never shipped.
AXE := node_modules/axe-core/axe.min.js
PYTEST_ARGS ?=

.PHONY: run test lint format bench docs clean help messages

help:
	@echo "make run    - set up and start SixDegrees on http://127.0.0.1:8000/"
	@echo "make test   - set up and run the whole test suite"
	@echo "make lint   - ruff check, ruff format --check, mypy"
	@echo "make bench  - run the benchmarks and write docs/benchmarks.md"
	@echo "make docs   - regenerate docs/cli.md from the commands' --help"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sixdegrees up --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: $(STAMP) $(AXE)
	$(BIN)/pytest $(PYTEST_ARGS)

$(AXE): package.json
	@if command -v npm >/dev/null 2>&1; then \
		npm install --no-audit --no-fund && touch $@; \
	else \
		echo "npm not found: the browser tests will skip their accessibility checks"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check sixdegrees
	$(BIN)/ruff format --check sixdegrees
	$(BIN)/mypy sixdegrees

format: $(STAMP)
	$(BIN)/ruff check --fix sixdegrees
	$(BIN)/ruff format sixdegrees

bench: $(STAMP)
	$(BIN)/python -m sixdegrees.bench

# docs/cli.md is generated from every command's --help; a test fails when it is stale.
docs: $(STAMP)
	$(BIN)/python scripts/gen_cli_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

messages: $(STAMP)
	$(BIN)/python scripts/update_locale.py
