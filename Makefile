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

# The whole suite (CI runs exactly this) on pytest-xdist workers, each with its own simulator
# and emulated API server (tests/stack.py); tests that share session-cached work carry an
# xdist_group and stay on one worker (--dist loadgroup). One worker more than cores: a worker
# waiting on a subprocess, a retry delay or a drift sweep leaves its core to the others
# (measured on 2 cores: 3 workers beat 2). Bytecode is cached even where the environment says
# not to write it: each worker and every `ddisync` subprocess of the tests would compile the
# sources again. `pytest -m "not slow"` is the quick loop while developing.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: $(STAMP)
	scripts/ensure-system-deps.sh
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check operator tests benchmarks scripts
	$(BIN)/ruff format --check operator tests benchmarks scripts
	$(BIN)/mypy

crds: $(STAMP)
	$(BIN)/ddisync crds --output-dir crds
	cp crds/*.yaml charts/ddisync/crds/

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
