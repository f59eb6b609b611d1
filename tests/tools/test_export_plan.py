"""``ddisync export`` then ``ddisync plan``: an exported grid plans with nothing to change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ddisync_simulator import Simulator
from tests.tools.conftest import cli, connection
from tests.tools.grids import EXCLUDED, big_grid, grid_size

WRITES = ("POST", "PUT", "DELETE")


def _contents(folder: Path) -> dict[Path, str]:
    return {p: p.read_text() for p in folder.rglob("*.yaml")}


def _writes(sim: Simulator) -> int:
    return sum(sim.counters.total(method=m) for m in WRITES)


@pytest.mark.slow
async def test_an_exported_grid_of_over_a_thousand_objects_plans_as_adoptions_only(
    big_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "grid"
    exported = await cli("export", "--output-dir", str(out), *connection(big_sim, password_file))
    assert exported.code == 0, exported.err
    total = grid_size(big_grid()) - EXCLUDED
    assert total > 1000
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    assert len(kustomization["resources"]) == total
    assert kustomization["resources"] == sorted(kustomization["resources"])
    assert "skipped 2 objects" in exported.out
    assert "_bad.example.com" in exported.err and "owned.example.com" in exported.err

    planned = await cli("plan", "-f", str(out), "-o", "json", *connection(big_sim, password_file))
    assert planned.code == 0, planned.out + planned.err
    plan = json.loads(planned.out)
    assert set(plan) >= {"create", "update", "delete", "adopt", "noop"}
    assert (len(plan["create"]), len(plan["update"]), len(plan["delete"])) == (0, 0, 0)
    assert len(plan["adopt"]) == total
    assert _writes(big_sim) == 0  # export and plan only read


async def test_the_export_layout_is_one_file_per_resource(
    big_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    args = ["--type", "network", "--type", "a,host", *connection(big_sim, password_file)]
    assert (await cli("export", "--output-dir", str(tmp_path), *args)).code == 0
    network = yaml.safe_load((tmp_path / "networks" / "net-10-20-0-0-24.yaml").read_text())
    assert network == {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "Network",
        "metadata": {"name": "net-10-20-0-0-24"},
        "spec": {"cidr": "10.20.0.0/24", "comment": "rack 0",
                 "extensibleAttributes": {"Site": "site-0"}, "adopt": True,
                 "deletionPolicy": "Retain"},
    }  # fmt: skip
    assert {p.name for p in (tmp_path / "records").iterdir()} == {"a", "host"}
    multi = yaml.safe_load(next((tmp_path / "records" / "host").glob("host-multi-*")).read_text())
    assert multi["spec"] == {
        "type": "Host", "name": "multi.example.com",
        "addresses": [
            {"address": "10.40.1.1", "mac": "00:50:56:aa:bb:cc", "configureForDHCP": True},
            {"address": "10.40.1.2"}, {"address": "2001:db8:40::1"},
        ],
        "aliases": ["alias-1.example.com", "alias-2.example.com"],
        "adopt": True, "deletionPolicy": "Retain",
    }  # fmt: skip
    record = yaml.safe_load(next((tmp_path / "records" / "a").glob("a-host-0-*")).read_text())
    assert record["spec"] == {
        "type": "A", "name": "host-0.example.com", "address": "10.20.0.1", "ttl": 300,
        "comment": "web", "adopt": True, "deletionPolicy": "Retain",
    }  # fmt: skip


async def test_zones_and_caa_records_export_and_plan_as_adoptions(
    big_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    args = ["--type", "zone,caa", *connection(big_sim, password_file)]
    assert (await cli("export", "--output-dir", str(tmp_path), *args)).code == 0
    zones = {p.name for p in (tmp_path / "zones").iterdir()}
    assert zones == {
        "zone-example-com.yaml", "zone-example-org.yaml", "zone-lab-example-com.yaml",
        "zone-10-0-0-0-8.yaml", "zone-10-20-0-0-16.yaml", "zone-2001-db8-32.yaml",
    }  # fmt: skip
    lab = yaml.safe_load((tmp_path / "zones" / "zone-lab-example-com.yaml").read_text())
    assert (lab["kind"], lab["spec"]) == ("Zone", {
        "fqdn": "lab.example.com", "nsGroup": "default", "comment": "lab", "adopt": True,
        "deletionPolicy": "Retain",
    })  # fmt: skip
    reverse = yaml.safe_load((tmp_path / "zones" / "zone-10-20-0-0-16.yaml").read_text())
    assert reverse["spec"]["fqdn"] == "10.20.0.0/16"
    assert reverse["spec"]["extensibleAttributes"] == {"Site": "site-1"}
    (iodef,) = [
        yaml.safe_load(p.read_text())["spec"] for p in (tmp_path / "records" / "caa").iterdir()
        if "example-org" in p.name
    ]  # fmt: skip
    assert iodef == {
        "type": "CAA", "name": "example.org", "flags": 128, "tag": "iodef",
        "value": "mailto:x@y.z", "adopt": True, "deletionPolicy": "Retain",
    }  # fmt: skip

    planned = await cli("plan", "-f", str(tmp_path), "-o", "json",
                        *connection(big_sim, password_file))  # fmt: skip
    assert planned.code == 0, planned.out + planned.err
    plan = json.loads(planned.out)
    assert (len(plan["create"]), len(plan["update"]), len(plan["delete"])) == (0, 0, 0)
    assert len(plan["adopt"]) == 6 + 6  # the zones and the CAA records
    assert _writes(big_sim) == 0


@pytest.mark.slow
async def test_a_second_export_writes_the_same_names_and_drops_what_is_gone(
    big_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    args = ["export", "--output-dir", str(tmp_path), "--namespace", "dns",
            *connection(big_sim, password_file)]  # fmt: skip
    assert (await cli(*args)).code == 0
    first = _contents(tmp_path)
    gone = next(o for o in big_sim.grid.objects("record:cname"))
    await cli_delete(big_sim, gone["_ref"])
    second = await cli(*args)
    assert second.code == 0
    now = _contents(tmp_path)
    dropped = set(first) - set(now)
    assert len(dropped) == 1 and next(iter(dropped)).parent.name == "cname"
    assert "removed 1 manifests" in second.out
    assert all(now[p] == first[p] for p in now if p.name != "kustomization.yaml")
    network = yaml.safe_load((tmp_path / "networks" / "net-10-20-0-0-24.yaml").read_text())
    assert network["metadata"]["namespace"] == "dns"


async def cli_delete(sim: Simulator, ref: str) -> None:
    from ddisync.wapi import WapiClient, WapiSettings
    from tests.tools.conftest import PASSWORD

    settings = WapiSettings(url=sim.url, username="admin", password=PASSWORD)
    async with WapiClient(settings) as client:
        await client.delete(ref)


async def test_a_zone_and_type_narrow_the_export(
    big_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    args = ["--zone", "example.org", "--type", "MX", "--type", "CNAME"]
    done = await cli("export", "--output-dir", str(tmp_path), *args,
                     *connection(big_sim, password_file))  # fmt: skip
    assert done.code == 0, done.err
    files = [p for p in _contents(tmp_path) if p.name != "kustomization.yaml"]
    assert files and {p.parent.name for p in files} == {"mx", "cname"}
    assert not (tmp_path / "networks").exists()


async def test_an_unknown_type_is_refused(password_file: Path, tmp_path: Path) -> None:
    done = await cli("export", "--output-dir", str(tmp_path), "--type", "SOA", "--url",
                     "http://127.0.0.1:1", "--username", "admin",
                     "--password-file", str(password_file))  # fmt: skip
    assert done.code == 1
    assert "--type SOA" in done.err
