# The two commands of the quickstart are `make run` and `make test`; both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install system-deps run test test-fast test-long lint format bench up down status clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

system-deps:
	@./scripts/ensure-system-deps.sh

browser: ; @./scripts/ensure-browser.sh

install: system-deps $(STAMP)

## run: the whole platform in the foreground (Kafka, Postgres, four services); Ctrl-C stops it
run: install
	$(PY) -m deploy.local.run

## test: lint, types, import rules, then every test on a real Kafka and Postgres it starts itself
test: install browser lint
	$(PY) -m pytest -m "not slow"

## test-fast: the fast tier alone (pure domain, use cases on in-memory units of work): seconds
test-fast: install
	$(PY) -m pytest tests/unit -q

## test-long: the long fault and scale variants (-rP: what each prints, its figures, is shown)
test-long: install
	$(PY) -m pytest -m slow -rP

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## bench: the pipeline benchmark (outbox -> Kafka -> consumer vs a bare aiokafka loop)
bench: install
	$(PY) -m bench.pipeline

## up / down / status: just Kafka and Postgres, left running in the background
up: install
	$(PY) -m deploy.local up
down:
	$(PY) -m deploy.local down
status:
	$(PY) -m deploy.local status

clean: down
	rm -rf .run
