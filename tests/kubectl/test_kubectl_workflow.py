"""A person's kubectl session against the demo, with the real kubectl binary (v1.35).

apply the CRDs (in the fixture) and the examples (three teams' namespaces, grants and
resources), wait for Ready, get with the printer columns, edit a spec and see Infoblox follow,
delete and see Infoblox follow, see invalid manifests refused at apply time with the field
named, as on a real cluster, and see a resource outside its namespace's grant Forbidden.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ddisync.api.crd import ALL_KINDS
from tests.e2e.helpers import eventually
from tests.kubectl.conftest import REPO, Stack, watch_line_with

RECORD = """\
apiVersion: ddisync.io/v1alpha1
kind: Record
metadata:
  name: web-a
  namespace: team-a
spec:
  type: A
  name: web-a.team-a.example.com
  address: 10.64.1.10
"""


def _networks(stack: Stack) -> dict[str, dict[str, Any]]:
    return {obj["network"]: obj for obj in stack.simulator.grid.objects("network")}


def _header(output: str) -> list[str]:
    return output.splitlines()[0].split()


def _rows(output: str) -> dict[str, list[str]]:
    """The first cell (NAME, or NAMESPACE with -A: then keyed by both) -> the row's cells, for
    ``kubectl get`` output (cells split on runs of spaces)."""
    rows = {}
    wide = _header(output)[0] == "NAMESPACE"
    for line in output.splitlines()[1:]:
        cells = [cell.strip() for cell in line.split("  ") if cell.strip()]
        rows[f"{cells[0]}/{cells[1]}" if wide else cells[0]] = cells
    return rows


async def _apply_examples(stack: Stack, tmp_path: Path) -> None:
    record = tmp_path / "record.yaml"
    record.write_text(RECORD)
    applied = await stack.kubectl.ok("apply", "-f", "examples/", "-f", str(record))
    assert "namespace/team-a created" in applied.stdout
    assert "ddigrant.ddisync.io/team-a created" in applied.stdout
    assert "network.ddisync.io/web-frontend created" in applied.stdout
    assert "record.ddisync.io/web-a created" in applied.stdout
    for kind in ("networks", "records"):
        await stack.kubectl.ok(
            "wait", "--for=condition=Ready", kind, "--all", "-A", "--timeout=60s", timeout=70
        )


async def test_the_crds_are_served_once_applied(stack: Stack) -> None:
    again = await stack.kubectl.ok("apply", "-f", "crds/")
    assert "networks.ddisync.io unchanged" in again.stdout
    crds = await stack.kubectl.ok("get", "crd")
    assert _header(crds.stdout) == ["NAME", "CREATED", "AT"]
    assert {"networks.ddisync.io", "records.ddisync.io"} <= set(_rows(crds.stdout))
    kinds = await stack.kubectl.ok("api-resources", "--categories=ddi", "-o", "name")
    assert kinds.stdout.split() == sorted(f"{info.plural}.ddisync.io" for info in ALL_KINDS)
    established = await stack.kubectl.ok(
        "wait", "--for=condition=Established", "crd/networks.ddisync.io", "--timeout=10s"
    )
    assert "condition met" in established.stdout


@pytest.mark.slow
async def test_the_examples_become_ready_and_show_their_printer_columns(
    stack: Stack, tmp_path: Path
) -> None:
    await _apply_examples(stack, tmp_path)
    listed = await stack.kubectl.ok("get", "networks", "-n", "team-a")
    assert _header(listed.stdout) == ["NAME", "CIDR", "VIEW", "READY", "REASON", "AGE"]
    rows = _rows(listed.stdout)
    assert rows["web-frontend"][1:5] == ["10.64.1.0/24", "default", "True", "Synced"]
    assert set(rows) == {"web-frontend", "web-frontend-v6"}  # team a's only
    team_b = _rows((await stack.kubectl.ok("get", "networks", "-n", "team-b")).stdout)
    assert team_b["batch-workers"][1] == "10.80.0.0/26"  # allocated from team b's container
    everyone = await stack.kubectl.ok("get", "networks", "-A")
    assert _header(everyone.stdout)[:2] == ["NAMESPACE", "NAME"]
    assert len(everyone.stdout.splitlines()) == 1 + 4
    grants = await stack.kubectl.ok("get", "ddigrants")
    assert _header(grants.stdout) == ["NAME", "GRID", "NAMESPACES", "AGE"]
    assert _rows(grants.stdout)["team-a"][1:3] == ["default", '["team-a"]']
    wide = await stack.kubectl.ok("get", "networks", "-n", "team-a", "-o", "wide")
    assert _header(wide.stdout) == [
        "NAME", "CIDR", "VIEW", "READY", "REASON", "MESSAGE", "REF", "AGE",
    ]  # fmt: skip
    assert _rows(wide.stdout)["web-frontend"][-2].startswith("network/")
    by_category = await stack.kubectl.ok("get", "ddi", "-n", "team-a")
    names = by_category.stdout.split()
    assert "network.ddisync.io/web-frontend" in names
    assert "record.ddisync.io/web-a" in names
    assert "ddigrant.ddisync.io/team-a" in names  # cluster-scoped: listed in any namespace
    by_short_name = await stack.kubectl.ok(
        "get", "ddinet", "web-frontend", "-n", "team-a", "-o", "json"
    )
    assert json.loads(by_short_name.stdout)["status"]["cidr"] == "10.64.1.0/24"
    assert "10.64.1.0/24" in _networks(stack)


async def test_every_record_type_shows_its_fqdn(stack: Stack, tmp_path: Path) -> None:
    await _apply_examples(stack, tmp_path)
    listed = await stack.kubectl.ok("get", "records", "-A")
    assert _header(listed.stdout)[:5] == ["NAMESPACE", "NAME", "TYPE", "FQDN", "VALUE"]
    fqdns = {cells[1]: (cells[2], cells[3]) for cells in _rows(listed.stdout).values()}
    assert fqdns == {
        "spf": ("TXT", "example.com"),
        "mail": ("MX", "example.com"),
        "ns1-reverse": ("PTR", "53.0.99.10.in-addr.arpa"),  # given by address: NIOS names it
        "web": ("A", "web.team-a.example.com"),
        "app": ("A", "app.team-a.example.com"),
        "web-v6": ("AAAA", "web.team-a.example.com"),
        "www": ("CNAME", "www.team-a.example.com"),
        "web-a": ("A", "web-a.team-a.example.com"),
        "db": ("Host", "db.team-a.example.com"),  # two addresses and an alias
        "caa-letsencrypt": ("CAA", "team-a.example.com"),
        "batch-db": ("Host", "db.team-b.example.com"),
        "sip": ("SRV", "_sip._tcp.team-b.example.com"),
    }
    zones = await stack.kubectl.ok("get", "zones", "-n", "team-a")
    assert _header(zones.stdout)[:5] == ["NAME", "FQDN", "FORMAT", "VIEW", "READY"]
    assert {name: cells[1:4] for name, cells in _rows(zones.stdout).items()} == {
        "team-a": ["team-a.example.com", "FORWARD", "default"],
        "team-a-reverse": ["10.64.0.0/16", "IPV4", "default"],
    }


@pytest.mark.slow
async def test_an_edited_spec_reaches_infoblox_and_the_watch(stack: Stack, tmp_path: Path) -> None:
    await _apply_examples(stack, tmp_path)
    watch = await stack.kubectl.start(
        "get", "networks", "-n", "team-a", "-w", "--output-watch-events"
    )
    try:
        header = await watch_line_with(watch, b"EVENT")
        assert header.decode().split()[:3] == ["EVENT", "NAME", "CIDR"]
        # The watch has listed what exists before the edit; only then is a MODIFIED owed to it
        # (an edit that lands before kubectl's list would show up as ADDED).
        await watch_line_with(watch, b"ADDED", b"web-frontend")
        patched = await stack.kubectl.ok(
            "patch", "network", "web-frontend", "-n", "team-a", "--type", "merge",
            "-p", '{"spec":{"comment":"edited with kubectl"}}',
        )  # fmt: skip
        assert "network.ddisync.io/web-frontend patched" in patched.stdout
        await eventually(
            lambda: _networks(stack)["10.64.1.0/24"]["comment"] == "edited with kubectl"
        )
        await stack.kubectl.ok(
            "wait", "--for=condition=Ready", "network/web-frontend", "-n", "team-a",
            "--timeout=30s",
        )  # fmt: skip
        await watch_line_with(watch, b"MODIFIED", b"web-frontend")
    finally:
        watch.terminate()
        await watch.wait()


@pytest.mark.slow
async def test_a_deleted_network_leaves_infoblox_through_the_finalizer(
    stack: Stack, tmp_path: Path
) -> None:
    await _apply_examples(stack, tmp_path)
    network = json.loads(
        (await stack.kubectl.ok("get", "network/web-frontend", "-n", "team-a", "-o", "json")).stdout
    )
    assert network["metadata"]["finalizers"]  # the operator holds it until Infoblox is clean
    # Its users go first (the Record and the reservation allocated from it, the DHCP range
    # inside it): a Network in use waits for them.
    await stack.kubectl.ok(
        "delete", "record/app", "fixedaddress/printer-3", "dhcprange/web-frontend-pool",
        "-n", "team-a", "--timeout=30s",
    )  # fmt: skip
    deleted = await stack.kubectl.ok(
        "delete", "network", "web-frontend", "-n", "team-a", "--timeout=30s"
    )
    assert 'network.ddisync.io "web-frontend" deleted' in deleted.stdout
    # kubectl delete waits until the object is gone, i.e. after the operator let go of it.
    assert "10.64.1.0/24" not in _networks(stack)
    gone = await stack.kubectl.run("get", "network", "web-frontend", "-n", "team-a")
    assert gone.returncode == 1
    assert 'networks.ddisync.io "web-frontend" not found' in gone.stderr
    # deletionPolicy: Retain
    kept = await stack.kubectl.ok("delete", "network", "legacy-dmz", "-n", "platform")
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
    await stack.kubectl.ok(
        "apply", "-f", str(REPO / "examples" / "00-namespaces.yaml"),
        "-f", str(REPO / "examples" / "team-a.yaml"),
    )  # fmt: skip
    immutable = await stack.kubectl.run(
        "patch", "network", "web-frontend", "-n", "team-a", "--type", "merge",
        "-p", '{"spec":{"cidr":"10.64.9.0/24"}}',
    )  # fmt: skip
    assert immutable.returncode == 1
    assert (
        'The Network "web-frontend" is invalid: spec.cidr: Invalid value: "string": '
        "cidr is immutable: create a new Network instead"
    ) in immutable.stderr


FORBIDDEN = """\
apiVersion: ddisync.io/v1alpha1
kind: Record
metadata:
  name: www-apex
  namespace: team-a
spec:
  type: CNAME
  name: www.example.com
  canonical: web.team-a.example.com
"""


async def test_a_record_outside_the_namespace_s_grant_is_forbidden_and_says_why(
    stack: Stack, tmp_path: Path
) -> None:
    await _apply_examples(stack, tmp_path)
    before = len(stack.simulator.grid.objects("record:cname"))
    manifest = tmp_path / "www-apex.yaml"
    manifest.write_text(FORBIDDEN)
    await stack.kubectl.ok("apply", "-f", str(manifest))  # the API accepts it; ddisync refuses
    await stack.kubectl.ok(
        "wait", "--for=condition=Ready=False", "record/www-apex", "-n", "team-a",
        "--timeout=30s",
    )  # fmt: skip
    listed = await stack.kubectl.ok("get", "records", "-n", "team-a")
    row = _rows(listed.stdout)["www-apex"]
    # FQDN and VALUE show what Infoblox holds (status): nothing, for a record never synced.
    assert row[1] == "CNAME" and row[-3:-1] == ["False", "Forbidden"]
    message = await stack.kubectl.ok(
        "get", "record", "www-apex", "-n", "team-a",
        "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}",
    )  # fmt: skip
    assert "www.example.com" in message.stdout and "team-a.example.com" in message.stdout
    assert len(stack.simulator.grid.objects("record:cname")) == before  # no WAPI write
