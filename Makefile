# Cohesion: `make run` serves the API with demo data; `make test` runs lint, types and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint types pytest openapi migrate demo clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/cohesion migrate

demo: migrate
	$(BIN)/cohesion load-demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT) (Swagger UI: http://$(HOST):$(PORT)/docs)"
	$(BIN)/cohesion serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(STAMP)
	$(BIN)/mypy app

pytest: $(STAMP)
	$(BIN)/pytest --cov=app --cov-report=term:skip-covered $(PYTEST_ARGS)

test: lint types pytest

openapi: $(STAMP)
	$(BIN)/python -m app.openapi_snapshot

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage
