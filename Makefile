# Two commands on a fresh machine: `make demo` and `make test`. Nothing is assumed but python3:
# the first run installs uv (pinned, from PyPI) into .cache/uv, and uv makes the virtual
# environment .venv from uv.lock: the workspace's three distributions (operator/, simulator/,
# emulator/), editable, and the development tools. Why uv: README.md, "Develop".
PYTHON ?= python3
UV_VERSION := 0.13.9
UV_HOME := .cache/uv
UV := $(UV_HOME)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced
MEMBERS := operator simulator emulator
LINTED := $(MEMBERS) tests benchmarks scripts

# uv uses the python3 it is given and never downloads one (only PyPI is reachable); the cache
# and .venv may sit on different filesystems, so copy instead of trying hard links first.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy

# The release's version: operator/pyproject.toml is its one source. The package reads it from
# its metadata (ddisync.__version__), `make image` labels the image with it, `make chart`
# packages the chart with it, and tests/packaging/test_release.py checks that Chart.yaml says
# the same.
VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' operator/pyproject.toml)
IMAGE ?= ghcr.io/ddisync/ddisync
DIST := dist
# The SBOM tool, pinned, run from PyPI by uv's tool runner (not a dependency of anything).
CYCLONEDX_BOM := cyclonedx-bom==7.5.0
SBOM_ENV := $(DIST)/sbom-env

.PHONY: demo test lint crds lock clean image chart sbom

$(UV):
	$(PYTHON) -m venv $(UV_HOME)
	$(UV_HOME)/bin/pip install --quiet 'uv==$(UV_VERSION)'

# Exact: whatever is in .venv and not in the lock goes. CI sets UV_LOCKED=1, so a uv.lock that
# does not match the pyproject files fails there instead of being rewritten.
$(STAMP): pyproject.toml $(MEMBERS:%=%/pyproject.toml) uv.lock | $(UV)
	$(UV) sync --all-packages
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
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

# charts/ddisync/crds is a symlink to crds/: one generated source.
crds: $(STAMP)
	$(BIN)/ddisync crds --output-dir crds

# After changing dependencies in any pyproject.toml: re-resolve uv.lock (then commit it).
lock: | $(UV)
	$(UV) lock

# The operator's image (Dockerfile), tagged and labelled with the release's version.
image:
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION) .

# The chart as a .tgz in dist/, its version and appVersion the release's (the CRDs inside).
chart: $(STAMP)
	mkdir -p $(DIST)
	eval "$$($(BIN)/python scripts/fetch-k8s-tools.py)" && "$$HELM" package charts/ddisync \
		--version $(VERSION) --app-version $(VERSION) --destination $(DIST)

# A CycloneDX SBOM (JSON) of the image's Python environment: the operator installed alone into
# a fresh virtualenv, as the Dockerfile does, then described by cyclonedx-py.
sbom: | $(UV)
	rm -rf $(SBOM_ENV)
	$(UV) venv --quiet $(SBOM_ENV)
	$(UV) pip install --quiet --python $(SBOM_ENV)/bin/python ./operator
	$(UV) tool run --quiet --from '$(CYCLONEDX_BOM)' cyclonedx-py environment \
		--pyproject operator/pyproject.toml --output-reproducible --of JSON \
		-o $(DIST)/ddisync-$(VERSION).cdx.json $(SBOM_ENV)/bin/python
	rm -rf $(SBOM_ENV) operator/build  # setuptools builds in the source folder
	@echo $(DIST)/ddisync-$(VERSION).cdx.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(DIST)
