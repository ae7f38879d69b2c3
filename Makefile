# Wrekin: `make demo` runs the product on its embedded default; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHILDREN ?= 2000
BUILD := wrekin/core/static/wrekin/build

.PHONY: demo test setup frontend chromium lint bench-seed clean

# Python environment: reinstalled when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(BUILD)/.built: node_modules/.installed $(shell find frontend -type f 2>/dev/null)
	npm run build
	touch $@

setup: $(VENV)/.installed frontend

frontend: $(BUILD)/.built

chromium:
	@scripts/ensure-chromium

demo: setup
	$(BIN)/wrekin migrate --noinput
	$(BIN)/wrekin seed --children $(CHILDREN) --seed 1 --if-empty
	$(BIN)/wrekin seed_activity --seed 1 --if-empty
	$(BIN)/wrekin demo_users --base-url http://127.0.0.1:$(PORT)
	@echo "Wrekin is starting at http://127.0.0.1:$(PORT)/ with its import worker (Ctrl+C stops both)"
	WREKIN_DEBUG=0 scripts/demo-run 127.0.0.1:$(PORT)

test: setup chromium
	$(BIN)/ruff check .
	$(BIN)/bandit --quiet --recursive wrekin --exclude '*/migrations/*' --severity-level medium
	$(BIN)/python scripts/dependency-audit
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .

bench-seed: setup
	$(BIN)/python benchmarks/seed.py

clean:
	rm -rf $(VENV) node_modules $(BUILD) var
