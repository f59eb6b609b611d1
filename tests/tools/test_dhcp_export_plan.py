"""``ddisync export`` and ``ddisync plan`` with fixed addresses and DHCP ranges: exported ones
plan as adoptions only; manifests are filed as the operator would reconcile them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ddisync_simulator import Simulator
from tests.tools.conftest import cli, connection
from tests.tools.test_plan import _create, _manifest, _markers, _plan, _write


async def _dhcp_grid(sim: Simulator) -> None:
    await _create(sim, "network", {"network": "10.5.0.0/24"})
    await _create(sim, "range", {"start_addr": "10.5.0.100", "end_addr": "10.5.0.199",
                                 "comment": "pool"})  # fmt: skip
    await _create(sim, "fixedaddress", {
        "ipv4addr": "10.5.0.10", "mac": "00:50:56:00:00:10", "name": "printer",
        "options": [{"name": "routers", "value": "10.5.0.1", "use_option": True},
                    {"name": "ntp-servers", "value": "10.5.0.2"}],
        "extattrs": {"Site": {"value": "ams1"}},
    })  # fmt: skip
    # Not representable: reserved by client id, not by MAC.
    await _create(sim, "fixedaddress", {"ipv4addr": "10.5.0.11", "match_client": "CLIENT_ID",
                                        "dhcp_client_identifier": "abc"})  # fmt: skip


async def test_exported_reservations_and_ranges_plan_as_adoptions_only(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    await _dhcp_grid(demo_sim)
    out = tmp_path / "grid"
    done = await cli("export", "--output-dir", str(out), "--type", "FixedAddress,DHCPRange",
                     *connection(demo_sim, password_file))  # fmt: skip
    assert done.code == 0, done.err
    assert "ddisync reserves by MAC" in done.err  # the client-id reservation is skipped
    fixed = yaml.safe_load((out / "fixedaddresses" / "fixed-10-5-0-10.yaml").read_text())
    assert fixed["kind"] == "FixedAddress"
    assert fixed["spec"] == {
        "mac": "00:50:56:00:00:10", "address": "10.5.0.10", "name": "printer",
        "options": [{"name": "ntp-servers", "value": "10.5.0.2"},
                    {"name": "routers", "value": "10.5.0.1"}],
        "extensibleAttributes": {"Site": "ams1"}, "adopt": True, "deletionPolicy": "Retain",
    }  # fmt: skip
    pool = yaml.safe_load((out / "dhcpranges" / "range-10-5-0-100-10-5-0-199.yaml").read_text())
    assert pool["spec"] == {"start": "10.5.0.100", "end": "10.5.0.199", "comment": "pool",
                            "adopt": True, "deletionPolicy": "Retain"}  # fmt: skip
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    assert kustomization["resources"] == [
        "dhcpranges/range-10-5-0-100-10-5-0-199.yaml", "fixedaddresses/fixed-10-5-0-10.yaml",
    ]  # fmt: skip

    code, plan = await _plan(demo_sim, password_file, "-f", str(out))
    assert code == 0, plan
    assert (plan["create"], plan["update"], plan["delete"], plan["refuse"]) == ([], [], [], [])
    assert sorted(e["kind"] for e in plan["adopt"]) == ["DHCPRange", "FixedAddress"]
    assert demo_sim.counters.total(method="PUT") == 0


async def test_dhcp_manifests_are_filed_as_the_operator_would_reconcile_them(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    await _dhcp_grid(demo_sim)
    await _create(demo_sim, "fixedaddress", {"ipv4addr": "10.5.0.20", "mac": "00:50:56:00:00:20",
                  "extattrs": _markers("team/FixedAddress/ours")})  # fmt: skip
    path = _write(
        tmp_path / "m.yaml",
        _manifest("Network", "lan", cidr="10.5.0.0/24", adopt=True),
        _manifest("Network", "new", allocate={"fromContainer": "10.64.0.0/12", "prefixLength": 26}),
        _manifest("FixedAddress", "ours", mac="00:50:56:00:00:20", address="10.5.0.20"),
        _manifest("FixedAddress", "moved", mac="00:50:56:00:00:10", address="10.5.0.12",
                  adopt=True),
        _manifest("FixedAddress", "taken", mac="00:50:56:00:00:10", address="10.5.0.10"),
        _manifest("FixedAddress", "later", mac="00:50:56:00:00:30",
                  addressFrom={"networkRef": {"name": "new"}}),
        _manifest("FixedAddress", "orphaned", mac="00:50:56:00:00:31",
                  addressFrom={"networkRef": {"name": "missing"}}),
        _manifest("DHCPRange", "pool", start="10.5.0.100", end="10.5.0.199", comment="pool",
                  networkRef={"name": "lan"}, adopt=True),
        _manifest("DHCPRange", "outside", start="10.6.0.1", end="10.6.0.9",
                  networkRef={"name": "lan"}),
        _manifest("DHCPRange", "fresh", start="10.5.0.200", end="10.5.0.209"),
    )  # fmt: skip
    code, plan = await _plan(demo_sim, password_file, "-f", str(path))
    assert code == 1, plan
    filed = {e["name"]: (action, e) for action, entries in plan.items() for e in entries}
    assert filed["ours"][0] == "noop"
    assert filed["taken"][0] == "refuse" and filed["taken"][1]["reason"] == "NotOwned"
    assert filed["pool"][0] == "adopt"
    assert filed["fresh"][0] == "create"
    assert filed["later"][0] == "create"
    assert filed["later"][1]["changes"][0]["new"] == "allocated from Network new"
    assert filed["orphaned"][1]["reason"] == "NetworkNotReady"
    assert "waiting for Network 'missing'" in filed["orphaned"][1]["message"]
    assert filed["outside"][1]["reason"] == "InvalidSpec"
    assert "is not inside Network 'lan' (10.5.0.0/24)" in filed["outside"][1]["message"]
    # a new reservation of an address nobody holds: created
    assert filed["moved"][0] == "create"


async def test_a_reservation_outside_the_grants_is_forbidden_before_reading(
    demo_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    grant: dict[str, Any] = {
        "apiVersion": "ddisync.io/v1alpha1", "kind": "DDIGrant", "metadata": {"name": "team"},
        "spec": {"namespaces": ["team"], "ipam": {"containers": ["10.64.0.0/12"]}},
    }  # fmt: skip
    path = _write(
        tmp_path / "m.yaml", grant,
        _manifest("FixedAddress", "far", mac="00:50:56:00:00:40", address="10.5.0.40"),
        _manifest("DHCPRange", "near", start="10.64.1.100", end="10.64.1.199"),
    )  # fmt: skip
    done = await cli("plan", "-f", str(path), "-o", "json", "--tenancy", "on",
                     *connection(demo_sim, password_file))  # fmt: skip
    plan = json.loads(done.out)
    [refused] = plan["refuse"]
    assert (refused["name"], refused["reason"]) == ("far", "Forbidden")
    assert "address `10.5.0.40` is outside the containers granted" in refused["message"]
    assert [e["name"] for e in plan["create"]] == ["near"]
