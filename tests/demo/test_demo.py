"""``ddisync demo`` end to end, as a person or CI runs it: a subprocess, JSON on stdout."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ddisync.api.crd import KINDS
from ddisync_emulator import runner
from ddisync_simulator import SimulatorOptions, running_simulator
from tests.demo_runs import CALM, REPO, calm_demo, outcome, start_demo

RESOURCE_KEYS = {"kind", "namespace", "name", "ready", "reason", "message", "status"}
# The kinds the operator reconciles into Infoblox (the others are applied and that is all).
RECONCILED = {info.kind for info in KINDS}


def run_demo(*args: str, cwd: Path = REPO) -> tuple[int, dict[str, Any], str]:
    run = outcome(start_demo(*args, cwd=cwd))
    return run.code, run.document, run.stderr


@pytest.mark.timeout(120)
@pytest.mark.e2e
@pytest.mark.slow
@CALM
def test_the_examples_all_become_ready() -> None:
    run = calm_demo()
    code, document, stderr = run.code, run.document, run.stderr
    resources = document["resources"]
    assert resources, stderr
    for resource in resources:
        assert set(resource) == RESOURCE_KEYS
        assert resource["ready"] is True, (resource, stderr[-3000:])
        if resource["kind"] in RECONCILED:
            assert resource["reason"] == "Synced"
            assert resource["status"]["ref"]
        else:  # Namespaces and grants: applied is all they can be
            assert resource["reason"] == "Applied"
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for resource in resources:
        by_kind.setdefault(resource["kind"], []).append(resource)
    # Namespaces and cluster-scoped kinds are applied first, whatever the files' order.
    assert [r["kind"] for r in resources][:6] == ["Namespace"] * 3 + ["DDIGrant"] * 3
    teams = {"platform", "team-a", "team-b"}
    assert {r["name"] for r in by_kind["Namespace"]} == teams
    assert {r["name"] for r in by_kind["DDIGrant"]} == teams
    assert {r["namespace"] for r in by_kind["Network"] + by_kind["Record"]} == teams
    assert {r["kind"] for r in resources} >= RECONCILED
    assert {(r["namespace"], r["name"]) for r in by_kind["Zone"]} == {
        ("team-a", "team-a"), ("team-a", "team-a-reverse"),
    }  # fmt: skip
    infoblox = document["infoblox"]
    assert all(isinstance(count, int) for count in infoblox.values())
    assert infoblox["network"] + infoblox["ipv6network"] == len(by_kind["Network"])
    for record_type in ("a", "aaaa", "cname", "ptr", "txt", "mx", "srv", "host", "caa"):
        assert infoblox[f"record:{record_type}"] >= 1, record_type
    # The seed's four zones and team A's two; NIOS serves team A's from the group "default".
    assert infoblox["zone_auth"] == 6
    assert infoblox["record:ns"] == 4  # two name servers, for each of team A's zones
    assert infoblox["fixedaddress"] == len(by_kind["FixedAddress"])
    assert infoblox["range"] == len(by_kind["DHCPRange"])
    assert code == 0


@pytest.mark.timeout(120)
@pytest.mark.e2e
@pytest.mark.slow
def test_a_refused_manifest_is_reported_and_does_not_stop_the_others(tmp_path: Path) -> None:
    (tmp_path / "mixed.yaml").write_text(
        "apiVersion: ddisync.io/v1alpha1\n"
        "kind: DDIGrant\n"
        "metadata: {name: mixed}\n"
        "spec: {namespaces: [default], ipam: {containers: [10.0.0.0/8]}}\n"
        "---\n"
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
        "---\n"
        # Last in the file, applied first: "good" is inside it from the start, never Forbidden.
        "apiVersion: ddisync.io/v1alpha1\n"
        "kind: DDIGrant\n"
        "metadata: {name: default}\n"
        "spec: {namespaces: [default], ipam: {containers: [10.77.0.0/16]}}\n"
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


REHEARSAL = """\
apiVersion: v1
kind: Namespace
metadata: {name: team-a}
---
apiVersion: ddisync.io/v1alpha1
kind: DDIGrant
metadata: {name: team-a}
spec:
  namespaces: [team-a]
  dns: {zones: [team-a.example.com]}
  adopt: true
---
apiVersion: ddisync.io/v1alpha1
kind: Record
metadata: {name: old-app, namespace: team-a}
spec: {type: A, name: old-app.team-a.example.com, address: 10.64.9.9, adopt: true}
---
apiVersion: ddisync.io/v1alpha1
kind: Record
metadata: {name: www, namespace: team-a}
spec: {type: CNAME, name: www.team-a.example.com, canonical: old-app.team-a.example.com}
"""
# What the team's grid already holds, made by hand (the format of ddisync-simulator --seed,
# as its --save writes it): nothing else, not even the demo's containers.
GRID = """\
zone_auth:
  - {fqdn: example.com}
record:a:
  - {name: old-app.team-a.example.com, ipv4addr: 10.64.9.9, comment: made by hand}
record:cname:
  - {name: www.team-a.example.com, canonical: old-app.team-a.example.com}
"""


@pytest.mark.timeout(120)
def test_a_rehearsal_against_a_seeded_grid_adopts_and_refuses_what_it_holds(
    tmp_path: Path,
) -> None:
    (tmp_path / "team-a.yaml").write_text(REHEARSAL)
    (tmp_path / "grid.yaml").write_text(GRID)
    code, document, stderr = run_demo(
        "-f", str(tmp_path / "team-a.yaml"), "--sim-seed", str(tmp_path / "grid.yaml"),
        "--timeout", "30", cwd=tmp_path,
    )  # fmt: skip
    by_name = {(r["kind"], r["name"]): r for r in document["resources"]}
    adopted = by_name[("Record", "old-app")]
    assert adopted["ready"] is True, stderr[-3000:]
    refused = by_name[("Record", "www")]
    assert (refused["ready"], refused["reason"]) == (False, "NotOwned")
    assert "www.team-a.example.com" in refused["message"]
    assert "adopt" in refused["message"]
    # The seed's grid, not the demo's: its two records (the adopted one not made again) and
    # none of the demo seed's containers.
    infoblox = document["infoblox"]
    assert (infoblox["record:a"], infoblox["record:cname"]) == (1, 1)
    assert infoblox["networkcontainer"] == 0
    assert code == 1  # not every resource is Ready


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (None, "grid.yaml: No such file or directory"),
        ("record:a:\n  - {name: x.nowhere.test, ipv4addr: 10.0.0.1}\n", "seed: record:a[0]"),
    ],
)
def test_a_seed_that_cannot_be_loaded_stops_the_demo_saying_why(
    tmp_path: Path, text: str | None, problem: str
) -> None:
    seed = tmp_path / "grid.yaml"
    if text is not None:
        seed.write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "ddisync.cli", "demo", "--sim-seed", str(seed)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stdout == ""
    last = done.stderr.strip().splitlines()[-1]  # after the demo's own INFO lines, if any
    assert last.startswith("ddisync demo: ") and problem in last
    assert "Traceback" not in done.stderr


def second_grid(url: str) -> str:
    """A team's resources on a grid of their own, written backwards (records first): the demo
    applies the namespaces, the Secret, the grid and the grant first all the same."""
    return f"""\
apiVersion: ddisync.io/v1alpha1
kind: Record
metadata: {{name: lab-app, namespace: team-lab}}
spec: {{type: A, name: app.lab.example.com, address: 10.9.0.1, grid: lab}}
---
apiVersion: ddisync.io/v1alpha1
kind: DDIGrant
metadata: {{name: team-lab}}
spec:
  grid: lab
  namespaces: [team-lab]
  dns: {{zones: [lab.example.com]}}
---
apiVersion: ddisync.io/v1alpha1
kind: InfobloxGrid
metadata: {{name: lab}}
spec:
  url: {url}
  credentialsSecretRef: {{namespace: ddisync-system, name: lab-wapi}}
---
apiVersion: v1
kind: Secret
metadata: {{name: lab-wapi, namespace: ddisync-system}}
stringData: {{username: admin, password: {LAB_PASSWORD}}}
---
apiVersion: v1
kind: Namespace
metadata: {{name: ddisync-system}}
---
apiVersion: v1
kind: Namespace
metadata: {{name: team-lab}}
"""


LAB_PASSWORD = "lab-Secret-2"


@pytest.mark.timeout(60)
async def test_grids_secrets_and_grants_in_the_files_are_applied_before_their_resources(
    tmp_path: Path,
) -> None:
    lab_options = SimulatorOptions(username="admin", password=LAB_PASSWORD)
    async with running_simulator(lab_options) as lab:
        (tmp_path / "lab.yaml").write_text(second_grid(lab.url))
        options = runner.DemoOptions(
            paths=(tmp_path,), output="json", timeout=30,
            settings={"metrics_port": 0, "health_port": 0},
        )  # fmt: skip
        out = io.StringIO()
        code = await runner.run_demo(options, out=out)
        document = json.loads(out.getvalue())
        records = [o["ipv4addr"] for o in lab.grid.objects("record:a")]
    kinds = [r["kind"] for r in document["resources"]]
    assert kinds == ["Namespace", "Namespace", "Secret", "InfobloxGrid", "DDIGrant", "Record"]
    by_kind = {r["kind"]: r for r in document["resources"]}
    assert by_kind["InfobloxGrid"]["ready"] is True, by_kind["InfobloxGrid"]
    assert by_kind["Record"]["ready"] is True, by_kind["Record"]
    assert records == ["10.9.0.1"]  # on the team's grid, not the demo's
    assert document["infoblox"]["record:a"] == 0
    assert code == 0
