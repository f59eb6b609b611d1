"""``ddisync plan``: create, update with a diff, adopt, noop, refuse, delete (--prune)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ddisync.wapi import WapiClient, WapiSettings
from ddisync_simulator import Simulator
from tests.tools.conftest import PASSWORD, cli, connection


def _manifest(kind: str, resource: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "ddisync.io/v1alpha1", "kind": kind,
            "metadata": {"name": resource, "namespace": "team"}, "spec": spec}  # fmt: skip


def _write(path: Path, *documents: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(documents))
    return path


def _markers(owner: str, cluster: str = "prod") -> dict[str, Any]:
    return {"ddisync-cluster": {"value": cluster}, "ddisync-owner": {"value": owner},
            "ddisync-uid": {"value": "uid-1"}}  # fmt: skip


async def _create(sim: Simulator, objtype: str, data: dict[str, Any]) -> None:
    settings = WapiSettings(url=sim.url, username="admin", password=PASSWORD)
    async with WapiClient(settings) as client:
        await client.create(objtype, data)


async def _plan(sim: Simulator, password_file: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = await cli("plan", *args, "-o", "json", "--cluster-id", "prod",
                     *connection(sim, password_file))  # fmt: skip
    return done.code, json.loads(done.out) if done.out.strip() else {}


async def test_each_manifest_is_filed_under_what_the_operator_would_do(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    await _create(demo_sim, "network", {"network": "10.1.0.0/24", "comment": "old"})
    await _create(demo_sim, "network", {"network": "10.2.0.0/24"})
    await _create(demo_sim, "network", {"network": "10.3.0.0/24", "comment": "same",
                                        "extattrs": _markers("team/Network/ours")})  # fmt: skip
    await _create(demo_sim, "record:a", {"name": "www.example.com", "ipv4addr": "10.9.0.1",
                                         "extattrs": _markers("team/Record/www")})  # fmt: skip
    path = _write(
        tmp_path / "m.yaml",
        _manifest("Network", "new", cidr="10.4.0.0/24"),
        _manifest("Network", "fields", cidr="10.1.0.0/24", comment="new", adopt=True),
        _manifest("Network", "as-is", cidr="10.2.0.0/24", adopt=True),
        _manifest("Network", "ours", cidr="10.3.0.0/24", comment="same"),
        _manifest("Record", "www", type="A", name="www.example.com", address="10.9.0.1",
                  ttl=600),
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}},
    )  # fmt: skip
    code, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert code == 2
    assert [e["name"] for e in plan["create"]] == ["new"]
    updates = {e["name"]: e for e in plan["update"]}
    assert set(updates) == {"fields", "www"}
    fields = {c["field"]: c for c in updates["fields"]["changes"]}
    assert fields["comment"] == {"field": "comment", "old": "old", "new": "new"}
    assert "extattrs.ddisync-owner" in fields  # an adoption that also rewrites fields
    assert [c["field"] for c in updates["www"]["changes"]] == ["ttl"]
    assert [e["name"] for e in plan["adopt"]] == ["as-is"]
    assert [e["name"] for e in plan["noop"]] == ["ours"]
    assert plan["delete"] == [] and plan["refuse"] == []
    assert demo_sim.counters.total(method="PUT") == 0


async def test_a_refusal_or_an_invalid_manifest_exits_1(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    await _create(demo_sim, "network", {"network": "10.5.0.0/24"})
    path = _write(
        tmp_path / "m.yaml",
        _manifest("Network", "taken", cidr="10.5.0.0/24"),  # exists, adopt not set
        _manifest("Network", "typo", cidr="10.6.0.1/24"),
    )
    code, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert code == 1
    reasons = {e["name"]: e["reason"] for e in plan["refuse"]}
    assert reasons == {"taken": "NotOwned", "typo": "InvalidSpec"}


async def test_prune_lists_objects_this_cluster_owns_that_no_manifest_claims(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    await _create(demo_sim, "network", {"network": "10.7.0.0/24",
                                        "extattrs": _markers("team/Network/gone")})  # fmt: skip
    other = _markers("team/Network/x", "other")
    await _create(demo_sim, "network", {"network": "10.8.0.0/24", "extattrs": other})
    path = _write(tmp_path / "m.yaml", _manifest("Network", "kept", cidr="10.4.0.0/24"))
    _, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert plan["delete"] == []
    code, plan = await _plan(demo_sim, password_file, "-f", str(path), "--prune")
    assert code == 2
    assert len(plan["delete"]) == 1
    assert "10.7.0.0/24" in plan["delete"][0]["object"]  # never another cluster's


async def test_the_table_shows_the_diff_and_a_summary(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    await _create(demo_sim, "network", {"network": "10.1.0.0/24", "comment": "old"})
    path = _write(
        tmp_path / "m.yaml",
        _manifest("Network", "fields", cidr="10.1.0.0/24", comment="new", adopt=True),
    )
    done = await cli("plan", "-f", str(path), *connection(demo_sim, password_file))
    assert done.code == 2
    assert "update  team/Network/fields" in done.out
    assert "~ comment: 'old' -> 'new'" in done.out
    assert done.out.rstrip().endswith(
        "Plan: 0 to create, 1 to update, 0 to delete, 0 to adopt, 0 unchanged, 0 refused."
    )


async def test_an_unreachable_grid_exits_1(password_file: Path, tmp_path: Path) -> None:
    path = _write(tmp_path / "m.yaml", _manifest("Network", "n", cidr="10.4.0.0/24"))
    done = await cli("plan", "-f", str(path), "--url", "http://127.0.0.1:1",
                     "--username", "admin", "--password-file", str(password_file))  # fmt: skip
    assert done.code == 1
    assert done.err.startswith("ddisync plan:")


async def test_plan_predicts_a_missing_zone_and_a_network_inside_another(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    big = {"network": "10.10.0.0/24", "extattrs": _markers("other/Network/big")}
    await _create(demo_sim, "network", big)
    path = _write(
        tmp_path / "m.yaml",
        _manifest("Record", "nozone", type="A", name="web.nozone.test", address="10.11.0.1"),
        _manifest("Record", "zoned", type="A", name="web2.example.com", address="10.11.0.2"),
        _manifest("Network", "inside", cidr="10.10.0.64/26"),
    )
    code, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert code == 1
    refused = {e["name"]: e for e in plan["refuse"]}
    assert set(refused) == {"nozone", "inside"}
    assert refused["nozone"]["reason"] == "ParentNotFound"
    assert "create its zone in Infoblox (for instance nozone.test)" in refused["nozone"]["message"]
    assert refused["inside"]["reason"] == "Conflict"
    assert "would lie inside network 10.10.0.0/24" in refused["inside"]["message"]
    assert "other/Network/big" in refused["inside"]["message"]
    assert [e["name"] for e in plan["create"]] == ["zoned"]


async def test_plan_creates_a_zone_before_the_records_in_it_and_diffs_an_existing_one(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    await _create(demo_sim, "zone_auth", {"fqdn": "old.example.org", "comment": "before",
                                          "extattrs": _markers("team/Zone/old")})  # fmt: skip
    path = _write(
        tmp_path / "m.yaml",
        _manifest("Record", "web", type="A", name="web.new.test", address="10.11.0.1"),
        _manifest("Zone", "new", fqdn="new.test", nsGroup="default"),
        _manifest("Zone", "old", fqdn="old.example.org", comment="after"),
        _manifest("Zone", "taken", fqdn="example.com"),
    )
    code, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert code == 1  # the refusal
    # In the manifests' order; the record is a create, not "no zone holds it".
    assert [(e["kind"], e["name"]) for e in plan["create"]] == [("Record", "web"), ("Zone", "new")]
    (update,) = plan["update"]
    assert (update["kind"], update["name"]) == ("Zone", "old")
    assert update["changes"] == [{"field": "comment", "old": "before", "new": "after"}]
    (refused,) = plan["refuse"]
    assert (refused["name"], refused["reason"]) == ("taken", "NotOwned")
