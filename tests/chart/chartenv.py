"""Paths and helpers shared by the chart tests (outside conftest.py, so tests can import them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART = REPO_ROOT / "charts" / "ddisync"
CI_VALUES = sorted((CHART / "ci").glob("*-values.yaml"))
CRDS = REPO_ROOT / "crds"
EXAMPLES = REPO_ROOT / "examples"
FETCH_SCRIPT = REPO_ROOT / "scripts" / "fetch-k8s-tools.py"
MONITORING_API = "monitoring.coreos.com/v1"
RELEASE = "ddisync"
NAMESPACE = "ddisync-system"
# kubernetes-validate ships schemas per minor version; 1.35 matches the kubectl we test with.
K8S_VERSION = "1.35.0"

Manifest = dict[str, Any]


@dataclass(frozen=True)
class K8sTools:
    helm: Path
    kubectl: Path


@dataclass(frozen=True)
class HelmResult:
    returncode: int
    stdout: str
    stderr: str


#: The ``render`` and ``helm`` fixtures (conftest.py), as the tests type them.
Render = Callable[..., list[Manifest]]
Helm = Callable[..., HelmResult]


def template_args(
    values: Sequence[Path] = (), *, sets: Sequence[str] = (), api_versions: Sequence[str] = ()
) -> tuple[str, ...]:
    args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    for path in values:
        args += ["-f", str(path)]
    for item in sets:
        args += ["--set", item]
    for api in api_versions:
        args += ["--api-versions", api]
    return tuple(args)


def ci_values(name: str) -> Path:
    path = CHART / "ci" / f"{name}-values.yaml"
    assert path.is_file(), path
    return path


def of_kind(docs: list[Manifest], kind: str) -> list[Manifest]:
    return [doc for doc in docs if doc.get("kind") == kind]


def env_of(deployment: Manifest) -> dict[str, Any]:
    """name -> value (or valueFrom) of the operator container's environment."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}
