# cnvbeacon: `make up` (the whole stack with demo data), `make test`, `make down`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := shared services/ingest services/query services/beacon-gateway
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: install up down test lint format bench clean

install: $(STAMP)

# The ingest service's C extension is rebuilt (in place, by the editable install) when its
# source changes.
$(STAMP): constraints.txt requirements-dev.in $(PYPROJECTS) services/ingest/src/cnvbeacon/ingest/_record_scan.c
	bash deploy/local/bootstrap.sh "$(PYTHON)" "$(VENV)"
	$(BIN)/pip install -q -c constraints.txt -r requirements-dev.in \
	  $(foreach p,$(PACKAGES),-e $(p)) --config-settings editable_mode=compat
	touch $(STAMP)

up: $(STAMP)
	cd deploy/local && ../../$(BIN)/python stack.py up

down:
	@if [ -x $(BIN)/python ]; then cd deploy/local && ../../$(BIN)/python stack.py down; fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy shared/src services/ingest/src services/query/src services/beacon-gateway/src

test: $(STAMP)
	cd deploy/local && ../../$(BIN)/python stack.py ensure-rabbitmq
	cd deploy/local && ../../$(BIN)/python stack.py ensure-chromium
	$(MAKE) lint
	$(BIN)/pytest

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench $(if $(SCALE),--samples $(SCALE),) $(BENCH_ARGS)

clean: down
	rm -rf var results
