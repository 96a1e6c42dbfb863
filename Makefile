# Kexu. The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: run test test-sqlite test-postgresql lint format bench translations extract-messages install install-dev

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

translations: $(VENV)/.runtime-installed
	$(BIN)/pybabel compile -d app/translations 2>&1 | grep -v "^compiling catalog" || true

## Install, migrate SQLite, load the demo school on first run, serve pages and the live room (gevent) on :5000
run: install translations
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	$(BIN)/python -m app.live.server --host 127.0.0.1 --port 5000

## Lint, then the whole suite on SQLite and (where reachable) PostgreSQL
test: install-dev translations lint test-sqlite test-postgresql

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: $(VENV)/.dev-installed translations
	KEXU_TEST_DATABASE=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgresql: $(VENV)/.dev-installed translations
	@if $(BIN)/python -m tests.postgres_available; then \
		KEXU_TEST_DATABASE=postgresql $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS); \
	elif [ -n "$$KEXU_REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL is required (KEXU_REQUIRE_POSTGRES is set) but not reachable on 127.0.0.1:5432"; exit 1; \
	else \
		echo "PostgreSQL is not reachable on 127.0.0.1:5432: SKIPPING the PostgreSQL run of the suite."; \
	fi

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Re-extract user-visible strings into the catalogs (then translate the new entries)
extract-messages: $(VENV)/.runtime-installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

bench: $(VENV)/.dev-installed
	@for script in bench/*/run.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
