"""NS records through ``ddisync export`` and ``ddisync plan``: exported with ``adopt: true``
and planned as adoptions; a zone's own apex NS records and the NS records a ddisync claim
names are left out."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ddisync_simulator import Simulator
from tests.tools.conftest import cli, connection, running_simulator_of
from tests.tools.grids import big_grid

CLAIM = "ddisync ns claim: name=ours.example.com nameserver=ns1.example.net state=held"


def _grid() -> dict[str, Any]:
    seed = big_grid()  # lab.example.com is served by the name server group "default"
    seed["record:ns"] = [
        {"name": "sub.example.com", "nameserver": "ns1.sub.example.com",
         "addresses": [{"address": "10.9.0.53", "auto_create_ptr": False},
                       {"address": "2001:db8:9::53", "auto_create_ptr": True}]},
        {"name": "sub.example.com", "nameserver": "ns2.example.net", "addresses": []},
        {"name": "ours.example.com", "nameserver": "ns1.example.net", "addresses": []},
    ]  # fmt: skip
    seed["record:txt"].append(
        {"name": "_ddisync-ns-ours.example.com", "text": f'"{CLAIM}"',
         "extattrs": {"ddisync-cluster": {"value": "prod"},
                      "ddisync-owner": {"value": "dns/Record/ours"},
                      "ddisync-uid": {"value": "u-ours"}}}
    )  # fmt: skip
    return seed


@pytest.fixture()
async def ns_sim() -> AsyncIterator[Simulator]:
    async with running_simulator_of(_grid()) as sim:
        yield sim


async def test_ns_records_export_and_plan_as_adoptions(
    ns_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    args = ["--type", "ns", *connection(ns_sim, password_file)]
    exported = await cli("export", "--output-dir", str(tmp_path), *args)
    assert exported.code == 0, exported.err
    specs = sorted(
        (yaml.safe_load(p.read_text())["spec"] for p in (tmp_path / "records" / "ns").iterdir()),
        key=lambda spec: spec["nameserver"],
    )
    assert specs == [
        {"type": "NS", "name": "sub.example.com", "nameserver": "ns1.sub.example.com",
         "addresses": [{"address": "10.9.0.53"}, {"address": "2001:db8:9::53"}],
         "adopt": True, "deletionPolicy": "Retain"},
        {"type": "NS", "name": "sub.example.com", "nameserver": "ns2.example.net",
         "adopt": True, "deletionPolicy": "Retain"},
    ]  # fmt: skip
    # The claimed one is skipped as managed; lab.example.com's own apex NS is the Zone's.
    assert "skipped 1 object" in exported.out
    assert "ours.example.com" in exported.err and "dns/Record/ours in cluster prod" in exported.err
    assert "lab.example.com" not in exported.out + exported.err

    planned = await cli("plan", "-f", str(tmp_path), "-o", "json",
                        *connection(ns_sim, password_file))  # fmt: skip
    assert planned.code == 0, planned.out + planned.err
    plan = json.loads(planned.out)
    assert (len(plan["create"]), len(plan["update"]), len(plan["delete"])) == (0, 0, 0)
    assert len(plan["adopt"]) == 2


async def test_plan_knows_an_ns_record_its_claim_holds_and_a_conflicting_claim(
    ns_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    def record(resource: str, namespace: str, /, **spec: Any) -> dict[str, Any]:
        return {"apiVersion": "ddisync.io/v1alpha1", "kind": "Record",
                "metadata": {"name": resource, "namespace": namespace}, "spec": spec}  # fmt: skip

    ours = {"type": "NS", "name": "ours.example.com", "nameserver": "ns1.example.net"}
    manifests = [
        record("ours", "dns", **ours),  # the claim's owner: in step
        record("twin", "dns", **ours, adopt=True),  # another resource: the claim refuses it
        record("new", "dns", type="NS", name="new.example.com", nameserver="ns1.example.net"),
        record("glue", "dns", type="NS", name="sub.example.com", nameserver="ns2.example.net",
               addresses=[{"address": "10.9.0.54"}], adopt=True),
    ]  # fmt: skip
    path = tmp_path / "ns.yaml"
    path.write_text(yaml.safe_dump_all(manifests))
    args = ["plan", "-f", str(path), "-o", "json", "--cluster-id", "prod"]
    planned = await cli(*args, *connection(ns_sim, password_file))
    plan = json.loads(planned.out)
    assert [e["name"] for e in plan["noop"]] == ["ours"]
    assert [(e["name"], e["reason"]) for e in plan["refuse"]] == [("twin", "Conflict")]
    assert [e["name"] for e in plan["create"]] == ["new"]
    [update] = plan["update"]
    assert update["name"] == "glue"
    assert update["changes"] == [{"field": "addresses", "old": None, "new": "10.9.0.54"}]
