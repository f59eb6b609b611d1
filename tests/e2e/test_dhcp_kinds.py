"""FixedAddress and DHCPRange, end to end: Kubernetes emulator → real operator → simulator."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync.runtime import running_operator
from ddisync_emulator.objects import ApiError
from tests.e2e.helpers import (
    condition_of,
    eventually,
    extattrs,
    manifest,
    metric_value,
    network_manifest,
    record_manifest,
    wapi_create,
    wapi_request,
)


def fixed(simulator: Any) -> list[dict[str, Any]]:
    return list(simulator.grid.objects("fixedaddress"))


def ranges(simulator: Any) -> list[dict[str, Any]]:
    return list(simulator.grid.objects("range"))


def options(obj: dict[str, Any]) -> dict[str, str]:
    return {o["name"]: o["value"] for o in obj.get("options") or []}


async def _network(cluster: Any, namespace: str, name: str, cidr: str) -> None:
    await cluster.apply(network_manifest(name, namespace, cidr=cidr))
    await condition_of(cluster, "networks", name, namespace=namespace)


async def test_a_fixed_address_is_created_updated_in_place_and_deleted(
    cluster, simulator, operator, namespace
) -> None:
    await _network(cluster, namespace, "lan", "10.72.1.0/24")
    await cluster.apply(
        manifest(
            "FixedAddress", "printer", namespace,
            mac="00-50-56-AA-BB-CC", address="10.72.1.10", name="printer-3", comment="3rd floor",
            options=[{"name": "routers", "value": "10.72.1.1"}],
            extensibleAttributes={"Site": "ams1"},
        )
    )  # fmt: skip
    condition = await condition_of(cluster, "fixedaddresses", "printer", namespace=namespace)
    assert condition["message"] == (
        "fixed address 10.72.1.10 for 00:50:56:aa:bb:cc is in sync with Infoblox"
    )
    status = (await cluster.get("fixedaddresses", namespace, "printer"))["status"]
    assert (status["address"], status["mac"], status["network"], status["networkView"]) == (
        "10.72.1.10", "00:50:56:aa:bb:cc", "10.72.1.0/24", "default",
    )  # fmt: skip
    [obj] = fixed(simulator)
    assert obj["_ref"] == status["ref"]
    assert (obj["name"], obj["comment"], options(obj)) == (
        "printer-3", "3rd floor", {"routers": "10.72.1.1"},
    )  # fmt: skip
    assert extattrs(obj)["Site"] == "ams1"
    assert extattrs(obj)["ddisync-owner"] == f"{namespace}/FixedAddress/printer"

    # Moving the reservation and changing its client and options updates the same object.
    await cluster.patch(
        "fixedaddresses", namespace, "printer",
        {"spec": {"address": "10.72.1.11", "mac": "00:50:56:aa:bb:cd",
                  "options": [{"name": "ntp-servers", "value": "10.72.1.2"}]}},
    )  # fmt: skip
    await eventually(lambda: [(o["ipv4addr"], o["mac"]) for o in fixed(simulator)] == [
        ("10.72.1.11", "00:50:56:aa:bb:cd")
    ])  # fmt: skip
    [obj] = fixed(simulator)
    assert options(obj) == {"ntp-servers": "10.72.1.2"}
    assert extattrs(obj)["ddisync-uid"] == extattrs(fixed(simulator)[0])["ddisync-uid"]
    await condition_of(cluster, "fixedaddresses", "printer", namespace=namespace)

    await cluster.delete("fixedaddresses", namespace, "printer")
    await eventually(lambda: fixed(simulator) == [])


async def test_a_range_is_created_resized_in_place_and_deleted(
    cluster, simulator, operator, namespace
) -> None:
    await _network(cluster, namespace, "lan", "10.72.2.0/24")
    await cluster.apply(
        manifest(
            "DHCPRange", "pool", namespace,
            start="10.72.2.100", end="10.72.2.199", networkRef={"name": "lan"}, comment="pool",
        )
    )  # fmt: skip
    condition = await condition_of(cluster, "dhcpranges", "pool", namespace=namespace)
    assert condition["message"] == "range 10.72.2.100-10.72.2.199 is in sync with Infoblox"
    status = (await cluster.get("dhcpranges", namespace, "pool"))["status"]
    assert (status["start"], status["end"], status["network"]) == (
        "10.72.2.100", "10.72.2.199", "10.72.2.0/24",
    )  # fmt: skip
    [obj] = ranges(simulator)
    assert obj["comment"] == "pool" and obj["_ref"] == status["ref"]

    await cluster.patch("dhcpranges", namespace, "pool", {"spec": {"end": "10.72.2.149"}})
    await eventually(
        lambda: (
            [(o["start_addr"], o["end_addr"]) for o in ranges(simulator)]
            == [("10.72.2.100", "10.72.2.149")]
        )
    )
    assert extattrs(ranges(simulator)[0])["ddisync-owner"] == f"{namespace}/DHCPRange/pool"

    await cluster.delete("dhcpranges", namespace, "pool")
    await eventually(lambda: ranges(simulator) == [])


async def test_allocation_skips_ranges_and_reservations_and_the_network_waits_for_them(
    cluster, simulator, operator, namespace
) -> None:
    """A FixedAddress from addressFrom gets the first address outside the DHCP range; a Record
    after it, the next one; the Network is not deleted while they use it."""
    await _network(cluster, namespace, "lan", "10.72.3.0/24")
    await cluster.apply(
        manifest("DHCPRange", "pool", namespace, start="10.72.3.1", end="10.72.3.9",
                 networkRef={"name": "lan"})
    )  # fmt: skip
    await condition_of(cluster, "dhcpranges", "pool", namespace=namespace)
    await cluster.apply(
        manifest("FixedAddress", "cam", namespace, mac="00:50:56:00:00:01",
                 addressFrom={"networkRef": {"name": "lan"}})
    )  # fmt: skip
    await condition_of(cluster, "fixedaddresses", "cam", namespace=namespace)
    cam = (await cluster.get("fixedaddresses", namespace, "cam"))["status"]
    assert cam["address"] == "10.72.3.10"
    await cluster.apply(
        record_manifest("app", namespace, type="A", name="app.example.com",
                        addressFrom={"networkRef": {"name": "lan"}})
    )  # fmt: skip
    await condition_of(cluster, "records", "app", namespace=namespace)
    assert (await cluster.get("records", namespace, "app"))["status"]["address"] == "10.72.3.11"

    await cluster.delete("networks", namespace, "lan")
    waiting = await condition_of(cluster, "networks", "lan", status="False", namespace=namespace)
    assert waiting["reason"] == "Deleting"
    for user in (f"DHCPRange {namespace}/pool", f"FixedAddress {namespace}/cam"):
        assert user in waiting["message"]
    for plural, name in (("fixedaddresses", "cam"), ("dhcpranges", "pool"), ("records", "app")):
        await cluster.delete(plural, namespace, name)

    async def network_gone() -> bool:
        return await cluster.get("networks", namespace, "lan") is None

    await eventually(network_gone, timeout=30)
    assert fixed(simulator) == [] and ranges(simulator) == []


async def test_edits_and_deletions_in_infoblox_are_repaired(
    cluster, simulator, fast_operator, namespace
) -> None:
    await _network(cluster, namespace, "lan", "10.72.4.0/24")
    await cluster.apply(
        manifest("FixedAddress", "cam", namespace, mac="00:50:56:00:00:02",
                 address="10.72.4.10", options=[{"name": "routers", "value": "10.72.4.1"}])
    )  # fmt: skip
    await cluster.apply(
        manifest("DHCPRange", "pool", namespace, start="10.72.4.100", end="10.72.4.199")
    )
    await condition_of(cluster, "fixedaddresses", "cam", namespace=namespace)
    await condition_of(cluster, "dhcpranges", "pool", namespace=namespace)
    [obj] = fixed(simulator)
    await wapi_request(simulator, "PUT", obj["_ref"], {"mac": "00:50:56:99:99:99", "options": []})
    [pool] = ranges(simulator)
    await wapi_request(simulator, "DELETE", pool["_ref"])
    await eventually(
        lambda: (
            [(o["mac"], options(o)) for o in fixed(simulator)]
            == [("00:50:56:00:00:02", {"routers": "10.72.4.1"})]
        )
    )
    await eventually(lambda: [o["start_addr"] for o in ranges(simulator)] == ["10.72.4.100"])
    for kind in ("FixedAddress", "DHCPRange"):
        await eventually(
            lambda kind=kind: (
                metric_value(fast_operator, "ddisync_drift_repaired_total", kind=kind) or 0
            ) >= 1
        )  # fmt: skip


UNOWNED = [
    pytest.param(
        "FixedAddress", "fixedaddresses", "fixedaddress",
        {"ipv4addr": "10.72.5.10", "mac": "00:50:56:00:00:05"},
        {"address": "10.72.5.10", "mac": "00:50:56:00:00:05"},
        id="FixedAddress",
    ),
    pytest.param(
        "DHCPRange", "dhcpranges", "range",
        {"start_addr": "10.72.5.100", "end_addr": "10.72.5.120"},
        {"start": "10.72.5.100", "end": "10.72.5.120"},
        id="DHCPRange",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "plural", "objtype", "wire", "spec"), UNOWNED)
async def test_an_existing_object_is_refused_then_adopted_then_retained(
    cluster, simulator, operator, namespace, kind, plural, objtype, wire, spec
) -> None:
    await wapi_create(simulator, "network", {"network": "10.72.5.0/24"})
    ref = await wapi_create(simulator, objtype, {**wire, "comment": "theirs"})
    await cluster.apply(manifest(kind, "it", namespace, comment="theirs", **spec))
    refused = await condition_of(cluster, plural, "it", status="False", namespace=namespace)
    assert refused["reason"] == "NotOwned"
    assert "set spec.adopt: true" in refused["message"]
    assert "ddisync-uid" not in extattrs(simulator.grid.objects(objtype)[0])

    await cluster.patch(
        plural, namespace, "it", {"spec": {"adopt": True, "deletionPolicy": "Retain"}}
    )
    await condition_of(cluster, plural, "it", namespace=namespace)
    [obj] = simulator.grid.objects(objtype)
    assert obj["_ref"] == ref and extattrs(obj)["ddisync-owner"] == f"{namespace}/{kind}/it"

    # Retain: the resource goes, the object stays, released (no markers).
    await cluster.delete(plural, namespace, "it")

    async def gone() -> bool:
        return await cluster.get(plural, namespace, "it") is None

    await eventually(gone)
    [obj] = simulator.grid.objects(objtype)
    assert obj["_ref"] == ref and obj["comment"] == "theirs"
    assert not any(name.startswith("ddisync-") for name in extattrs(obj))


ERRORS = [
    pytest.param(
        "FixedAddress", {"mac": "00:50:56:00:00:06", "address": "10.99.99.10"},
        "ParentNotFound", "no network holds 10.99.99.10", id="fixed-address-outside-networks",
    ),
    pytest.param(
        "DHCPRange", {"start": "10.99.99.1", "end": "10.99.99.9"},
        "ParentNotFound", "holds the whole range 10.99.99.1-10.99.99.9",
        id="range-outside-networks",
    ),
    pytest.param(
        "DHCPRange", {"start": "10.72.6.150", "end": "10.72.6.160"},
        "Conflict", "overlaps an existing range", id="overlapping-range",
    ),
    pytest.param(
        "FixedAddress", {"mac": "00:50:56:00:00:07", "address": "10.72.6.20"},
        "Conflict", "already has the MAC address", id="mac-taken-in-the-network",
    ),
    pytest.param(
        "DHCPRange", {"start": "10.72.7.1", "end": "10.72.7.9", "networkRef": {"name": "lan"}},
        "InvalidSpec", "is not inside Network 'lan' (10.72.6.0/24)", id="range-outside-its-network",
    ),
    pytest.param(
        "FixedAddress",
        {"mac": "00:50:56:00:00:08", "addressFrom": {"networkRef": {"name": "nowhere"}}},
        "NetworkNotReady", "waiting for Network 'nowhere'", id="allocation-from-a-missing-network",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("kind", "spec", "reason", "message"), ERRORS)
async def test_each_error_has_its_reason(
    cluster, simulator, operator, namespace, kind, spec, reason, message
) -> None:
    """Against a network holding a range (.100-.199) and a reservation of 00:50:56:00:00:07."""
    await _network(cluster, namespace, "lan", "10.72.6.0/24")
    await wapi_create(simulator, "range", {"start_addr": "10.72.6.100", "end_addr": "10.72.6.199"})
    await wapi_create(
        simulator, "fixedaddress", {"ipv4addr": "10.72.6.10", "mac": "00:50:56:00:00:07"}
    )
    before = (len(fixed(simulator)), len(ranges(simulator)))
    plural = {"FixedAddress": "fixedaddresses", "DHCPRange": "dhcpranges"}[kind]
    await cluster.apply(manifest(kind, "bad", namespace, **spec))
    condition = await condition_of(cluster, plural, "bad", status="False", namespace=namespace)
    assert condition["reason"] == reason
    assert message in condition["message"], condition["message"]
    assert (len(fixed(simulator)), len(ranges(simulator))) == before


async def test_the_api_refuses_an_unknown_dhcp_option(cluster, operator, namespace) -> None:
    with pytest.raises(ApiError) as refused:
        await cluster.apply(
            manifest("FixedAddress", "cam", namespace, mac="00:50:56:00:00:09",
                     address="10.72.6.30", options=[{"name": "router", "value": "10.72.6.1"}])
        )  # fmt: skip
    assert refused.value.status == 422 and "routers" in refused.value.message


async def test_without_cel_the_operator_refuses_an_unknown_option_and_a_changed_network_view(
    lenient_cluster, simulator, settings, namespace
) -> None:
    cluster = lenient_cluster
    await wapi_create(simulator, "networkview", {"name": "lab"})
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await cluster.apply(
            manifest("FixedAddress", "cam", namespace, mac="00:50:56:00:00:09",
                     address="10.72.8.30", options=[{"name": "router", "value": "10.72.8.1"}])
        )  # fmt: skip
        condition = await condition_of(
            cluster, "fixedaddresses", "cam", status="False", namespace=namespace
        )
        assert condition["reason"] == "InvalidSpec"
        assert "spec.options.0.name: 'router' is not a DHCP option name" in condition["message"]
        await _network(cluster, namespace, "lan", "10.72.8.0/24")
        await cluster.apply(
            manifest("DHCPRange", "pool", namespace, start="10.72.8.100", end="10.72.8.199")
        )
        await condition_of(cluster, "dhcpranges", "pool", namespace=namespace)
        await cluster.patch("dhcpranges", namespace, "pool", {"spec": {"networkView": "lab"}})
        condition = await condition_of(
            cluster, "dhcpranges", "pool", status="False", namespace=namespace
        )
    assert condition["reason"] == "ImmutableField"
    assert "networkView is immutable" in condition["message"]
    assert [o["network_view"] for o in ranges(simulator)] == ["default"]
