"""A person's kubectl session against the demo, with the real kubectl binary (v1.35).

apply the CRDs (in the fixture) and the examples, wait for Ready, get with the printer
columns, edit a spec and see Infoblox follow, delete and see Infoblox follow, and see invalid
manifests refused at apply time with the field named, as on a real cluster.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import eventually
from tests.kubectl.conftest import REPO, Stack

RECORD = """\
apiVersion: ddisync.io/v1alpha1
kind: Record
metadata:
  name: web-a
  namespace: default
spec:
  type: A
  name: web.example.com
  address: 10.20.1.10
"""


def _networks(stack: Stack) -> dict[str, dict[str, Any]]:
    return {obj["network"]: obj for obj in stack.simulator.grid.objects("network")}


def _header(output: str) -> list[str]:
    return output.splitlines()[0].split()


def _rows(output: str) -> dict[str, list[str]]:
    """NAME -> the row's cells, for ``kubectl get`` output (cells split on runs of spaces)."""
    rows = {}
    for line in output.splitlines()[1:]:
        cells = [cell for cell in line.split("  ") if cell.strip()]
        rows[cells[0].strip()] = [cell.strip() for cell in cells]
    return rows


async def _apply_examples(stack: Stack, tmp_path: Path) -> None:
    record = tmp_path / "record.yaml"
    record.write_text(RECORD)
    applied = await stack.kubectl.ok("apply", "-f", "examples/", "-f", str(record))
    assert "network.ddisync.io/web-frontend created" in applied.stdout
    assert "record.ddisync.io/web-a created" in applied.stdout
    for kind in ("networks", "records"):
        await stack.kubectl.ok(
            "wait", "--for=condition=Ready", kind, "--all", "--timeout=60s", timeout=70
        )


async def test_the_crds_are_served_once_applied(stack: Stack) -> None:
    again = await stack.kubectl.ok("apply", "-f", "crds/")
    assert "networks.ddisync.io unchanged" in again.stdout
    crds = await stack.kubectl.ok("get", "crd")
    assert _header(crds.stdout) == ["NAME", "CREATED", "AT"]
    assert {"networks.ddisync.io", "records.ddisync.io"} <= set(_rows(crds.stdout))
    kinds = await stack.kubectl.ok("api-resources", "--categories=ddi", "-o", "name")
    assert kinds.stdout.split() == ["networks.ddisync.io", "records.ddisync.io"]
    established = await stack.kubectl.ok(
        "wait", "--for=condition=Established", "crd/networks.ddisync.io", "--timeout=10s"
    )
    assert "condition met" in established.stdout


@pytest.mark.slow
async def test_the_examples_become_ready_and_show_their_printer_columns(
    stack: Stack, tmp_path: Path
) -> None:
    await _apply_examples(stack, tmp_path)
    listed = await stack.kubectl.ok("get", "networks")
    assert _header(listed.stdout) == ["NAME", "CIDR", "VIEW", "READY", "REASON", "AGE"]
    rows = _rows(listed.stdout)
    assert rows["web-frontend"][1:5] == ["10.20.1.0/24", "default", "True", "Synced"]
    assert rows["batch-workers"][1].endswith("/26")  # allocated from the container
    wide = await stack.kubectl.ok("get", "networks", "-o", "wide")
    assert _header(wide.stdout) == [
        "NAME", "CIDR", "VIEW", "READY", "REASON", "MESSAGE", "REF", "AGE",
    ]  # fmt: skip
    assert _rows(wide.stdout)["web-frontend"][-2].startswith("network/")
    by_category = await stack.kubectl.ok("get", "ddi")
    names = by_category.stdout.split()
    assert "network.ddisync.io/web-frontend" in names
    assert "record.ddisync.io/web-a" in names
    by_short_name = await stack.kubectl.ok("get", "ddinet", "web-frontend", "-o", "json")
    assert json.loads(by_short_name.stdout)["status"]["cidr"] == "10.20.1.0/24"
    assert "10.20.1.0/24" in _networks(stack)


async def _watch_line_with(watch: asyncio.subprocess.Process, *words: bytes) -> bytes:
    """The next line of a ``kubectl get -w`` that holds every one of ``words``."""
    assert watch.stdout is not None
    while True:
        line = await asyncio.wait_for(watch.stdout.readline(), 10)
        assert line, "kubectl get -w ended"
        if all(word in line for word in words):
            return line


@pytest.mark.slow
async def test_an_edited_spec_reaches_infoblox_and_the_watch(stack: Stack, tmp_path: Path) -> None:
    await _apply_examples(stack, tmp_path)
    watch = await stack.kubectl.start("get", "networks", "-w", "--output-watch-events")
    try:
        header = await _watch_line_with(watch, b"EVENT")
        assert header.decode().split()[:3] == ["EVENT", "NAME", "CIDR"]
        # The watch has listed what exists before the edit; only then is a MODIFIED owed to it
        # (an edit that lands before kubectl's list would show up as ADDED).
        await _watch_line_with(watch, b"ADDED", b"web-frontend")
        patched = await stack.kubectl.ok(
            "patch", "network", "web-frontend", "--type", "merge",
            "-p", '{"spec":{"comment":"edited with kubectl"}}',
        )  # fmt: skip
        assert "network.ddisync.io/web-frontend patched" in patched.stdout
        await eventually(
            lambda: _networks(stack)["10.20.1.0/24"]["comment"] == "edited with kubectl"
        )
        await stack.kubectl.ok(
            "wait", "--for=condition=Ready", "network/web-frontend", "--timeout=30s"
        )
        await _watch_line_with(watch, b"MODIFIED", b"web-frontend")
    finally:
        watch.terminate()
        await watch.wait()


@pytest.mark.slow
async def test_a_deleted_network_leaves_infoblox_through_the_finalizer(
    stack: Stack, tmp_path: Path
) -> None:
    await _apply_examples(stack, tmp_path)
    network = json.loads(
        (await stack.kubectl.ok("get", "network/web-frontend", "-o", "json")).stdout
    )
    assert network["metadata"]["finalizers"]  # the operator holds it until Infoblox is clean
    deleted = await stack.kubectl.ok("delete", "network", "web-frontend", "--timeout=30s")
    assert 'network.ddisync.io "web-frontend" deleted' in deleted.stdout
    # kubectl delete waits until the object is gone, i.e. after the operator let go of it.
    assert "10.20.1.0/24" not in _networks(stack)
    gone = await stack.kubectl.run("get", "network", "web-frontend")
    assert gone.returncode == 1
    assert 'networks.ddisync.io "web-frontend" not found' in gone.stderr
    kept = await stack.kubectl.ok("delete", "network", "legacy-dmz")  # deletionPolicy: Retain
    assert "deleted" in kept.stdout
    assert "10.99.0.0/24" in _networks(stack)


async def test_invalid_manifests_are_refused_at_apply_naming_the_field(
    stack: Stack, tmp_path: Path
) -> None:
    cases = {
        # A CEL rule of the CRD (x-kubernetes-validations), as a real API server evaluates it.
        "both": (
            "spec: {cidr: 10.40.0.0/24, allocate: {fromContainer: 10.0.0.0/8, prefixLength: 26}}",
            'The Network "both" is invalid: spec: Invalid value: "object": '
            "set exactly one of cidr and allocate",
        ),
        # The structural schema.
        "wrong-type": (
            "spec: {allocate: {fromContainer: 10.0.0.0/8, prefixLength: '26'}}",
            'The Network "wrong-type" is invalid: spec.allocate.prefixLength: Invalid value: '
            '"string"',
        ),
        # kubectl asks for fieldValidation=Strict: a typo is an error, not silently pruned.
        "typo": (
            "spec: {cidr: 10.41.0.0/24, coment: x}",
            'strict decoding error: unknown field "spec.coment"',
        ),
    }
    for name, (spec, expected) in cases.items():
        manifest = tmp_path / f"{name}.yaml"
        manifest.write_text(
            f"apiVersion: ddisync.io/v1alpha1\nkind: Network\nmetadata: {{name: {name}}}\n{spec}\n"
        )
        refused = await stack.kubectl.run("apply", "-f", str(manifest))
        assert refused.returncode == 1, str(refused)
        assert expected in refused.stderr, str(refused)
    listed = await stack.kubectl.ok("get", "networks", "-o", "name")
    assert listed.stdout == ""  # nothing of them was stored
    await stack.kubectl.ok("apply", "-f", str(REPO / "examples" / "networks.yaml"))
    immutable = await stack.kubectl.run(
        "patch", "network", "web-frontend", "--type", "merge",
        "-p", '{"spec":{"cidr":"10.20.9.0/24"}}',
    )  # fmt: skip
    assert immutable.returncode == 1
    assert (
        'The Network "web-frontend" is invalid: spec.cidr: Invalid value: "string": '
        "cidr is immutable: create a new Network instead"
    ) in immutable.stderr
