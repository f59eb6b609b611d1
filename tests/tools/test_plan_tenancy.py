"""``ddisync plan`` predicts Forbidden from the DDIGrants among its files, and plans one grid.

Expected messages come from the operator's own code path (``handlers.tenancy.Tenancy``, the
kind's driver), so a test fails when plan and the operator would say different things.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from ddisync.api.grant import DDIGrantSpec
from ddisync.api.meta import parse_spec
from ddisync.handlers.tenancy import NAME_LABEL as OPERATOR_NAME_LABEL
from ddisync.handlers.tenancy import Tenancy
from ddisync.sync.errors import SyncRefused
from ddisync.sync.kinds import DRIVERS
from ddisync.tools.grants import NAME_LABEL
from ddisync_simulator import Simulator
from tests.tools.conftest import Run, cli, connection
from tests.tools.documents import (
    credentials,
    grant,
    infoblox_grid,
    namespace,
    resource,
    write,
)

TEAM_GRANT = {
    "namespaces": ["team"],
    "dns": {"zones": ["team.example.com"], "recordTypes": ["A", "CNAME"]},
    "ipam": {"containers": ["10.10.0.0/16"], "prefixLength": {"min": 24, "max": 28}},
}


class _Statuses:
    """The operator's catalog, for a Record's addressFrom."""

    def __init__(self, statuses: Mapping[str, Mapping[str, Any]]) -> None:
        self.statuses = statuses

    def status_of(self, kind: str, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self.statuses.get(name)


def operator_says(
    document: Mapping[str, Any],
    grants: Mapping[str, Mapping[str, Any]],
    labels: Mapping[str, Mapping[str, str]] | None = None,
    statuses: Mapping[str, Mapping[str, Any]] | None = None,
) -> str | None:
    """The message the operator writes for ``document`` (None: it goes ahead)."""
    driver = next(d for d in DRIVERS if d.kind == document["kind"])
    ns = document["metadata"]["namespace"]
    spec = parse_spec(driver.spec_model, document["spec"])
    try:
        desired = driver.desired(spec, ns, _Statuses(statuses or {}), {})
    except SyncRefused as refused:
        return str(refused)
    tenancy = Tenancy(
        grants={name: [DDIGrantSpec.model_validate(s)] for name, s in grants.items()},
        namespace_labels={n: [found] for n, found in (labels or {}).items()},
    )
    refusal = tenancy.refusal(driver.reach(spec, desired, ns))
    return None if refusal is None else str(refusal)


async def _plan(sim: Simulator, password_file: Path, *args: str) -> tuple[Run, dict[str, Any]]:
    done = await cli("plan", *args, "-o", "json", "--cluster-id", "prod",
                     *connection(sim, password_file))  # fmt: skip
    return done, json.loads(done.out) if done.out.strip() else {}


def _by_name(plan: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[tuple[str, Any]]]:
    found: dict[str, list[tuple[str, Any]]] = {}
    for action, entries in plan.items():
        for entry in entries:
            found.setdefault(entry.get("name", ""), []).append((action, entry))
    return found


def test_the_namespace_label_is_the_operators() -> None:
    assert NAME_LABEL == OPERATOR_NAME_LABEL


async def test_a_resource_outside_the_grants_is_refused_forbidden_as_the_operator_would(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    documents = [
        resource("Network", "inside", cidr="10.10.1.0/24"),
        resource("Network", "outside", cidr="10.99.0.0/24"),
        resource("Network", "too-big", cidr="10.10.0.0/20"),
        resource("Record", "www", type="A", name="www.team.example.com", address="10.10.1.5"),
        resource("Record", "evil", type="A", name="www.other.example.com",
                 address="10.10.1.6", createPTR=True),
        resource("Record", "mail", type="MX", name="team.example.com",
                 mailExchanger="mx.team.example.com", preference=10),
    ]  # fmt: skip
    path = write(tmp_path / "m.yaml", grant("team-net", **TEAM_GRANT), *documents)
    done, plan = await _plan(demo_sim, password_file, "-f", str(path))

    assert done.code == 1, done.err
    entries = _by_name(plan)
    assert all(len(found) == 1 for found in entries.values())  # nothing else for a refusal
    assert {n for n, [(action, _)] in entries.items() if action == "create"} == {"inside", "www"}
    grants = {"team-net": TEAM_GRANT}
    refused = {entry["name"]: entry for entry in plan["refuse"]}
    assert set(refused) == {"outside", "too-big", "evil", "mail"}
    for document in documents:
        name = document["metadata"]["name"]
        if name in refused:
            assert refused[name]["reason"] == "Forbidden"
            assert refused[name]["message"] == operator_says(document, grants), name
    assert "network `10.99.0.0/24` is outside the containers" in refused["outside"]["message"]
    assert "PTR" not in json.dumps(plan)  # evil's createPTR is not planned either
    assert "no DDIGrant" not in done.err


async def test_without_a_grant_in_the_files_tenancy_is_not_judged_unless_asked(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "m.yaml", resource("Network", "n", cidr="10.10.1.0/24"))
    done, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert done.code == 2
    assert [e["name"] for e in plan["create"]] == ["n"]
    assert "no DDIGrant among the files: Forbidden is not predicted" in done.err

    done, plan = await _plan(demo_sim, password_file, "-f", str(path), "--tenancy", "on")
    assert done.code == 1
    [entry] = plan["refuse"]
    assert entry["reason"] == "Forbidden"
    assert entry["message"] == "namespace team has no DDIGrant on grid default"
    assert "no DDIGrant among the files" not in done.err

    done, plan = await _plan(demo_sim, password_file, "-f", str(path), "--tenancy", "off")
    assert (done.code, done.err) == (2, "")


async def test_tenancy_off_by_option_or_by_the_operators_variable_ignores_the_grants(
    demo_sim: Simulator, password_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "m.yaml", grant("team-net", **TEAM_GRANT),
                 resource("Network", "outside", cidr="10.99.0.0/24"))  # fmt: skip
    done, plan = await _plan(demo_sim, password_file, "-f", str(path), "--tenancy", "off")
    assert done.code == 2 and plan["refuse"] == []
    monkeypatch.setenv("DDISYNC_TENANCY", "off")
    done, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert done.code == 2 and plan["refuse"] == []
    done, plan = await _plan(demo_sim, password_file, "-f", str(path), "--tenancy", "on")
    assert done.code == 1 and plan["refuse"][0]["reason"] == "Forbidden"


async def test_namespace_selectors_see_the_labels_of_the_namespaces_in_the_files(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    blue = {
        "namespaceSelector": {"matchLabels": {"team": "blue"}},
        "dns": {"zones": ["blue.example.com"]},
    }
    by_name = {
        "namespaceSelector": {
            "matchExpressions": [{"key": NAME_LABEL, "operator": "In", "values": ["green"]}]
        },
        "dns": {"zones": ["green.example.com"]},
    }
    records = [
        resource("Record", "web", "blue", type="A", name="web.blue.example.com",
                 address="10.0.0.1"),
        resource("Record", "web", "green", type="A", name="web.green.example.com",
                 address="10.0.0.2"),
    ]  # fmt: skip
    grants = [grant("blue", **blue), grant("green", **by_name)]
    labelled = write(tmp_path / "a.yaml", *grants, namespace("blue", team="blue"), *records)
    done, plan = await _plan(demo_sim, password_file, "-f", str(labelled))
    assert done.code == 2, done.out
    assert [(e["namespace"], e["name"]) for e in plan["create"]] == [("blue", "web"),
                                                                     ("green", "web")]  # fmt: skip

    unlabelled = write(tmp_path / "b.yaml", *grants, *records)
    done, plan = await _plan(demo_sim, password_file, "-f", str(unlabelled))
    assert done.code == 1
    [entry] = plan["refuse"]
    assert (entry["namespace"], entry["reason"]) == ("blue", "Forbidden")
    assert entry["message"] == operator_says(records[0], {"blue": blue, "green": by_name})
    assert "namespace blue has no Namespace document among the files" in done.err
    assert "namespace green" not in done.err  # its grant needs no labels beyond its name


async def test_a_record_waits_for_its_forbidden_network(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    record = resource("Record", "host", type="A", name="host.team.example.com",
                      addressFrom={"networkRef": {"name": "outside"}})  # fmt: skip
    path = write(tmp_path / "m.yaml", grant("team-net", **TEAM_GRANT),
                 resource("Network", "outside", cidr="10.99.0.0/24"), record)  # fmt: skip
    done, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert done.code == 1
    reasons = {e["name"]: (e["reason"], e["message"]) for e in plan["refuse"]}
    not_ready = {"conditions": [{"type": "Ready", "status": "False", "reason": "Forbidden"}]}
    expected = operator_says(record, {"team-net": TEAM_GRANT}, statuses={"outside": not_ready})
    assert reasons["host"] == ("NetworkNotReady", expected)
    assert reasons["outside"][0] == "Forbidden"


async def test_an_allocated_address_is_judged_by_the_network_it_comes_from(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    ptr_grant = {**TEAM_GRANT, "ipam": {"containers": ["10.10.1.0/24"]}}
    record = resource("Record", "host", type="A", name="host.team.example.com",
                      createPTR=True, addressFrom={"networkRef": {"name": "net"}})  # fmt: skip
    path = write(tmp_path / "m.yaml", grant("team-net", **ptr_grant),
                 resource("Network", "net", cidr="10.10.1.0/24"), record)  # fmt: skip
    done, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert done.code == 2 and plan["refuse"] == [], done.out

    # The Network inside one grant; the record's PTR address (the Network's cidr) inside none
    # of the grants that have its zone.
    grants = {
        "net-only": {"namespaces": ["team"], "ipam": {"containers": ["10.10.1.0/24"]}},
        "dns": {**TEAM_GRANT, "ipam": {"containers": ["10.10.1.0/25"]}},
    }
    write(path, *(grant(n, **g) for n, g in grants.items()),
          resource("Network", "net", cidr="10.10.1.0/24"), record)  # fmt: skip
    done, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert done.code == 1
    ready = {"cidr": "10.10.1.0/24",
             "conditions": [{"type": "Ready", "status": "True", "reason": "Synced"}]}  # fmt: skip
    [refused] = plan["refuse"]
    assert (refused["name"], refused["reason"]) == ("host", "Forbidden")
    assert refused["message"] == operator_says(record, grants, statuses={"net": ready})
    assert "address `10.10.1.0/24` is outside" in refused["message"]


async def test_an_invalid_grant_grants_nothing_and_says_why(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "m.yaml", grant("broken", namespaces=["team"]),
                 resource("Network", "n", cidr="10.10.1.0/24"))  # fmt: skip
    done, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert done.code == 1
    assert "DDIGrant broken grants nothing: its spec is invalid (spec: set dns and/or ipam" in (
        done.err
    )
    assert plan["refuse"][0]["message"] == "namespace team has no DDIGrant on grid default"


async def test_a_resource_of_another_grid_is_skipped_not_planned_against_this_one(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    lab_grant = {**TEAM_GRANT, "grid": "lab"}
    path = write(
        tmp_path / "m.yaml",
        grant("team-net", **TEAM_GRANT),
        grant("team-lab", **lab_grant),
        resource("Network", "here", cidr="10.10.1.0/24"),
        resource("Network", "there", cidr="10.10.2.0/24", grid="lab"),
        resource("Network", "nowhere", cidr="10.10.3.0/24", grid="other"),
    )
    done, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert done.code == 1  # the refusal
    assert [e["name"] for e in plan["create"]] == ["here"]
    [skipped] = plan["skip"]
    assert (skipped["name"], skipped["reason"]) == ("there", "OtherGrid")
    assert skipped["message"] == (
        "spec.grid is lab; this plan reads grid default (plan it with --grid lab)"
    )
    [refused] = plan["refuse"]  # judged even though it is not this grid's
    assert refused["name"] == "nowhere"
    assert refused["message"] == (
        "namespace team has no DDIGrant on grid other (it has DDIGrants on grid default, lab)"
    )

    table = await cli("plan", "-f", str(path), *connection(demo_sim, password_file))
    assert "skip    team/Network/there" in table.out
    assert "OtherGrid: spec.grid is lab" in table.out
    assert table.out.rstrip().endswith("1 refused, 1 on another grid.")


async def test_plan_with_grid_talks_to_that_infoblox_grid_and_skips_the_default_ones(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "m.yaml",
        infoblox_grid("lab", demo_sim.url),
        credentials("lab"),
        grant("team-lab", **{**TEAM_GRANT, "grid": "lab"}),
        grant("team-net", **TEAM_GRANT),
        resource("Network", "here", cidr="10.10.1.0/24"),
        resource("Network", "there", cidr="10.10.2.0/24", grid="lab"),
    )
    done = await cli("plan", "-f", str(path), "-o", "json", "--grid", "lab")
    assert done.code == 2, done.err  # the create; a skip changes nothing in the exit code
    plan = json.loads(done.out)
    assert [e["name"] for e in plan["create"]] == ["there"]
    [skipped] = plan["skip"]
    assert skipped["name"] == "here"
    assert skipped["message"] == (
        "spec.grid is default; this plan reads grid lab (plan it without --grid)"
    )
    assert demo_sim.counters.total(method="GET") > 0  # it did read the lab grid


async def test_plan_with_a_grid_missing_from_the_files_exits_2_with_one_line(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "m.yaml", resource("Network", "n", cidr="10.10.1.0/24", grid="lab"))
    done = await cli("plan", "-f", str(path), "--grid", "lab")
    assert (done.code, done.out) == (2, "")
    assert done.err == (
        "ddisync plan: InfobloxGrid lab is not in the files given with -f "
        "(they hold no InfobloxGrid)\n"
    )


async def test_a_record_of_this_grid_may_take_its_address_from_a_network_of_another(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "m.yaml",
        resource("Network", "there", cidr="10.10.2.0/24", grid="lab"),
        resource("Record", "host", type="A", name="host.team.example.com",
                 addressFrom={"networkRef": {"name": "there"}}),
    )  # fmt: skip
    done, plan = await _plan(demo_sim, password_file, "-f", str(path), "--tenancy", "off")
    assert done.code == 2, done.out + done.err
    assert [e["name"] for e in plan["skip"]] == ["there"]
    [created] = plan["create"]
    assert created["name"] == "host"
    assert {"field": "ipv4addr", "old": None,
            "new": "func:nextavailableip:10.10.2.0/24,default"} in created["changes"]  # fmt: skip
