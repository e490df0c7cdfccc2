# Cohesion: `make run` serves the API with demo data; `make test` runs lint, types and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Serving needs only the package; the development tools (pytest, ruff, mypy, Schemathesis,
# Playwright, ...) are installed by the first target that needs them.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test lint types pytest openapi contract migrate demo clean bench fuzz

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

migrate: $(RUN_STAMP)
	$(BIN)/cohesion migrate

demo: migrate
	$(BIN)/cohesion load-demo

run: demo
	@echo "Serving on http://$(HOST):$(PORT) (Swagger UI: http://$(HOST):$(PORT)/docs)"
	$(BIN)/cohesion serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: $(STAMP)
	$(BIN)/mypy app

pytest: $(STAMP)
	$(BIN)/pytest -n auto --dist worksteal --cov=app --cov-report=term:skip-covered --cov-fail-under=90 $(PYTEST_ARGS)

test: lint types pytest

openapi: $(STAMP)
	$(BIN)/python -m app.openapi_snapshot

# The published contract: Spectral finds nothing, and clients generate without a warning.
CONTRACT := tools/contract/node_modules/.bin
# `npm ci` (a clean reinstall, ~1 min) only when the lock file changed since the last one.
NPM_STAMP := tools/contract/node_modules/.installed
$(NPM_STAMP): tools/contract/package-lock.json
	npm ci --prefix tools/contract --silent --no-audit --no-fund --prefer-offline
	touch $(NPM_STAMP)

contract: $(STAMP) $(NPM_STAMP)
	$(CONTRACT)/spectral lint openapi/openapi.json -r .spectral.yaml --fail-severity=warn
	mkdir -p var/clients
	$(CONTRACT)/openapi-typescript openapi/openapi.json -o var/clients/cohesion.d.ts
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/openapi-python-client generate \
		--path openapi/openapi.json --output-path var/clients/python --meta none \
		--overwrite --fail-on-warning

# Not part of `make test`: the performance benchmark (bench/run.py; about 10 minutes on SQLite,
# PostgreSQL too when BENCH_DATABASE_URL is set; BENCH_DURATION=3 BENCH_WARMUP=1 for a quick run).
bench: $(STAMP)
	$(BIN)/python bench/run.py

# Schemathesis CLI against a live server with the demo data (settings: schemathesis.toml).
fuzz: $(STAMP)
	BIN=$(BIN) tools/fuzz

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .coverage
