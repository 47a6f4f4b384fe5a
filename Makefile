# Developer shortcuts. `make install` once, then `make check` before pushing.
# CI runs `bash .ci/run` (same checks plus a Docker-less image smoke test and PostgreSQL).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install check test schema serve lint-docker lock ci

install:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -c requirements-dev.lock -e '.[dev]'

check:
	$(BIN)/python .ci/lock_is_current.py requirements-dev.lock
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile
	$(BIN)/lint-imports
	$(BIN)/mypy server models services schema resolvers auth realtime integrations jobs
	$(BIN)/deptry .
	$(BIN)/playroll export-schema --check
	$(BIN)/python -m pytest

test:
	$(BIN)/python -m pytest

schema:
	$(BIN)/playroll export-schema

# The demo: debug mode, local SQLite (playroll.db), demo data, GraphiQL at :8000/graphql.
serve:
	PLAYROLL_DEBUG=1 $(BIN)/playroll migrate
	PLAYROLL_DEBUG=1 $(BIN)/playroll seed-demo
	PLAYROLL_DEBUG=1 $(BIN)/playroll serve

lint-docker:
	$(BIN)/hadolint Dockerfile

# Re-pin the whole dependency tree from pyproject.toml: after changing dependencies, and
# monthly (with UPGRADE=1) to take new releases through CI. Commit both files.
lock:
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --quiet $(if $(UPGRADE),--upgrade) -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet $(if $(UPGRADE),--upgrade) -o requirements-dev.lock

ci:
	bash .ci/run
