"""Fixtures for the chart checks: real helm/kubectl binaries and cached `helm template` runs.

The binaries come from scripts/fetch-k8s-tools.py through ``tests/k8stools.py`` (shared with the
kubectl workflow test). If they cannot be had, the tests FAIL rather than skip: a chart check
that silently does not run in CI is worse than none.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import kubernetes_validate.utils
import pytest

# The helpers beside this file (and tests/k8stools.py) are imported by name; make that
# independent of pytest's import mode (prepend adds this directory by itself, importlib does not).
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from chartenv import HelmResult, K8sTools, Manifest, template_args
from tests.yamldocs import documents

from k8stools import fetch_k8s_tools

# kubernetes-validate reads its JSON schemas from disk on every validate() call, the
# multi-megabyte _definitions.json included: hundreds of calls here. The files never change.
kubernetes_validate.utils.schema_contents = functools.cache(
    kubernetes_validate.utils.schema_contents
)


@pytest.fixture(scope="session")
def k8s_tools() -> K8sTools:
    """helm and kubectl; fetched (and cached under .cache/k8s-tools) on first use."""
    paths = fetch_k8s_tools()
    return K8sTools(helm=paths["HELM"], kubectl=paths["KUBECTL"])


@pytest.fixture(scope="session")
def helm(k8s_tools: K8sTools) -> Callable[..., HelmResult]:
    """Run helm with the given arguments; results are cached (the chart does not change)."""
    cache: dict[tuple[str, ...], HelmResult] = {}

    def run(*args: str) -> HelmResult:
        if args not in cache:
            done = subprocess.run(
                [str(k8s_tools.helm), *args], capture_output=True, text=True, timeout=120
            )
            cache[args] = HelmResult(done.returncode, done.stdout, done.stderr)
        return cache[args]

    return run


@pytest.fixture(scope="session")
def render(helm: Callable[..., HelmResult]) -> Callable[..., list[Manifest]]:
    """`helm template` -> the rendered documents; fails the test if helm fails."""

    def run(
        values: Sequence[Path] = (),
        *,
        sets: Sequence[str] = (),
        api_versions: Sequence[str] = (),
    ) -> list[Manifest]:
        result = helm(*template_args(values, sets=sets, api_versions=api_versions))
        if result.returncode != 0:
            pytest.fail(f"helm template failed:\n{result.stderr}", pytrace=False)
        return documents(result.stdout)

    return run
