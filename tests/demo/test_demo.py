"""``ddisync demo`` end to end, as a person or CI runs it: a subprocess, JSON on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
RESOURCE_KEYS = {"kind", "namespace", "name", "ready", "reason", "message", "status"}


def run_demo(*args: str, cwd: Path = REPO) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-m", "ddisync.cli", "demo", "--output", "json", *args],
        cwd=cwd, capture_output=True, text=True, timeout=110, check=False,
    )  # fmt: skip
    try:
        document = json.loads(done.stdout)  # exactly one JSON document, nothing else
    except ValueError:
        pytest.fail(f"stdout is not one JSON document:\n{done.stdout}\nstderr:\n{done.stderr}")
    assert isinstance(document, dict)
    return done.returncode, document, done.stderr


@pytest.mark.timeout(120)
@pytest.mark.e2e
@pytest.mark.slow
def test_the_examples_all_become_ready() -> None:
    code, document, stderr = run_demo("--timeout", "60")
    resources = document["resources"]
    assert resources, stderr
    for resource in resources:
        assert set(resource) == RESOURCE_KEYS
        assert resource["ready"] is True, (resource, stderr[-3000:])
        assert resource["reason"] == "Synced"
        assert resource["status"]["ref"]
    kinds = {r["kind"] for r in resources}
    assert "Network" in kinds
    networks = sum(1 for r in resources if r["kind"] == "Network")
    infoblox = document["infoblox"]
    assert all(isinstance(count, int) for count in infoblox.values())
    assert infoblox["network"] + infoblox["ipv6network"] >= networks
    assert code == 0


@pytest.mark.timeout(120)
@pytest.mark.e2e
@pytest.mark.slow
def test_a_refused_manifest_is_reported_and_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "mixed.yaml").write_text(
        "apiVersion: ddisync.io/v1alpha1\n"
        "kind: Network\n"
        "metadata: {name: good, namespace: default}\n"
        "spec: {cidr: 10.77.0.0/24}\n"
        "---\n"
        "apiVersion: ddisync.io/v1alpha1\n"
        "kind: Network\n"
        "metadata: {name: wrong-type, namespace: default}\n"
        "spec: {cidr: 12345}\n"
        "---\n"
        "apiVersion: ddisync.io/v1alpha1\n"
        "kind: Network\n"
        "metadata: {name: both-set, namespace: default}\n"
        "spec: {cidr: 10.78.0.0/24, allocate: {fromContainer: 10.0.0.0/8, prefixLength: 26}}\n"
        "---\n"
        "apiVersion: ddisync.io/v1alpha1\n"
        "kind: Network\n"
        "metadata: {name: typo, namespace: default}\n"
        "spec: {cidr: 10.79.0.0/24, coment: a typo}\n"
        "---\n"
        "apiVersion: ddisync.io/v1alpha1\n"
        "kind: Bogus\n"
        "metadata: {name: unknown-kind, namespace: default}\n"
    )
    code, document, stderr = run_demo("-f", str(tmp_path), "--timeout", "30", cwd=tmp_path)
    by_name = {r["name"]: r for r in document["resources"]}
    assert by_name["good"]["ready"] is True, stderr[-3000:]
    for name in ("wrong-type", "both-set", "typo", "unknown-kind"):
        assert by_name[name]["ready"] is False
        assert by_name[name]["reason"] == "Rejected"
        assert by_name[name]["message"]
    assert "spec.cidr" in by_name["wrong-type"]["message"]
    # A CEL rule of the CRD, evaluated by the emulated API server as a real one would.
    assert "set exactly one of cidr and allocate" in by_name["both-set"]["message"]
    # Unknown fields refuse the manifest, as with kubectl apply (fieldValidation=Strict).
    assert 'unknown field "spec.coment"' in by_name["typo"]["message"]
    assert code == 1
