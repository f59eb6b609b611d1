# Two commands on a fresh machine: `make demo` and `make test`. Each makes the virtual
# environment it needs (.venv) and installs into it; nothing else is assumed but python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev

.PHONY: demo test lint typecheck crds check-crds clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The dev extra includes the demo extra; one install serves both commands.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(STAMP)
	$(BIN)/ddisync demo

test: $(STAMP)
	scripts/ensure-system-deps.sh
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check operator tests benchmarks scripts
	$(BIN)/ruff format --check operator tests benchmarks scripts
	$(BIN)/mypy

crds: $(STAMP)
	$(BIN)/ddisync crds --output-dir crds
	cp crds/*.yaml charts/ddisync/crds/

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
