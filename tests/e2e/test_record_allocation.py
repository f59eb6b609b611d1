"""``addressFrom``: the next free address of a Network, allocated inside the create call."""

from __future__ import annotations

import asyncio
import ipaddress
from typing import Any

from ddisync.runtime import running_operator
from ddisync_emulator.objects import ApiError
from tests.e2e.helpers import (
    condition_of,
    eventually,
    extattrs,
    network_manifest,
    ready,
    record_manifest,
)


def _from(network: str) -> dict[str, Any]:
    return {"networkRef": {"name": network}}


async def _network(cluster: Any, namespace: str, name: str, cidr: str) -> None:
    await cluster.apply(network_manifest(name, namespace, cidr=cidr))
    await condition_of(cluster, "networks", name, namespace=namespace)


async def _claim_at_once(cluster: Any, namespace: str, network: str, names: list[str]) -> None:
    """One A Record per name, each allocating from ``network``, all applied concurrently."""
    await asyncio.gather(
        *(
            cluster.apply(
                record_manifest(
                    n, namespace, type="A", name=f"{n}.example.com", addressFrom=_from(network)
                )
            )
            for n in names
        )
    )


async def _conditions(cluster: Any, namespace: str, names: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for name in names:
        condition = ready(await cluster.get("records", namespace, name))
        if condition is not None:
            found[name] = condition
    return found


def _addresses(simulator: Any) -> list[str]:
    return [a["ipv4addr"] for a in simulator.grid.objects("record:a")]


async def test_a_record_takes_the_next_free_address_of_its_network(
    cluster, simulator, operator, namespace
) -> None:
    await _network(cluster, namespace, "lab", "10.50.0.0/24")
    await cluster.apply(
        record_manifest(
            "app", namespace, type="A", name="app.example.com", addressFrom=_from("lab")
        )
    )
    await condition_of(cluster, "records", "app", namespace=namespace)
    status = (await cluster.get("records", namespace, "app"))["status"]
    assert ipaddress.ip_address(status["address"]) in ipaddress.ip_network("10.50.0.0/24")
    assert _addresses(simulator) == [status["address"]]


async def test_aaaa_and_host_records_allocate_too(cluster, simulator, operator, namespace) -> None:
    await _network(cluster, namespace, "v6", "2001:db8:50::/64")
    await _network(cluster, namespace, "hosts", "10.50.9.0/24")
    await cluster.apply(
        record_manifest(
            "app6", namespace, type="AAAA", name="app.example.com", addressFrom=_from("v6")
        )
    )
    await cluster.apply(
        record_manifest(
            "box", namespace, type="Host", name="box.example.com", addressFrom=_from("hosts")
        )
    )
    await condition_of(cluster, "records", "app6", namespace=namespace)
    await condition_of(cluster, "records", "box", namespace=namespace)
    [aaaa] = simulator.grid.objects("record:aaaa")
    assert ipaddress.ip_address(aaaa["ipv6addr"]) in ipaddress.ip_network("2001:db8:50::/64")
    [host] = simulator.grid.objects("record:host")
    assert host["ipv4addrs"][0]["ipv4addr"].startswith("10.50.9.")
    box = (await cluster.get("records", namespace, "box"))["status"]
    assert box["address"] == host["ipv4addrs"][0]["ipv4addr"]


async def test_concurrent_records_from_a_small_network_get_distinct_addresses(
    cluster, simulator, operator, namespace
) -> None:
    await _network(cluster, namespace, "small", "10.50.1.0/28")  # 14 usable addresses
    names = [f"worker-{i}" for i in range(10)]
    await _claim_at_once(cluster, namespace, "small", names)

    async def all_ready() -> bool:
        found = await _conditions(cluster, namespace, names)
        return len(found) == 10 and all(c["status"] == "True" for c in found.values())

    await eventually(all_ready)
    addresses = _addresses(simulator)
    assert len(addresses) == 10
    assert len(set(addresses)) == 10
    assert all(ipaddress.ip_address(a) in ipaddress.ip_network("10.50.1.0/28") for a in addresses)


async def test_claimants_beyond_a_full_network_get_no_free_address(
    cluster, simulator, operator, namespace
) -> None:
    await _network(cluster, namespace, "tiny", "10.50.2.0/29")  # 6 usable addresses
    names = [f"claim-{i}" for i in range(8)]
    await _claim_at_once(cluster, namespace, "tiny", names)

    async def settled() -> dict[str, dict[str, Any]] | None:
        found = await _conditions(cluster, namespace, names)
        return found if len(found) == 8 else None

    found = await eventually(settled)
    reasons = sorted(c["reason"] for c in found.values())
    assert reasons == ["NoFreeAddress"] * 2 + ["Synced"] * 6
    refused = next(c for c in found.values() if c["reason"] == "NoFreeAddress")
    assert "available IP address" in refused["message"]  # the grid's own words
    assert len(set(_addresses(simulator))) == 6


async def test_a_record_waits_for_its_network_and_allocates_once_it_is_ready(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "early", namespace, type="A", name="early.example.com", addressFrom=_from("later")
        )
    )
    waiting = await condition_of(cluster, "records", "early", status="False", namespace=namespace)
    assert waiting["reason"] == "NetworkNotReady"
    assert "'later'" in waiting["message"]
    await cluster.apply(network_manifest("later", namespace, cidr="10.50.3.0/24"))
    await condition_of(cluster, "records", "early", namespace=namespace)
    [address] = _addresses(simulator)
    assert address.startswith("10.50.3.")


async def test_a_network_of_the_wrong_family_is_an_invalid_spec(
    cluster, simulator, operator, namespace
) -> None:
    await _network(cluster, namespace, "v6only", "2001:db8:51::/64")
    await cluster.apply(
        record_manifest(
            "wrong", namespace, type="A", name="wrong.example.com", addressFrom=_from("v6only")
        )
    )
    condition = await condition_of(cluster, "records", "wrong", status="False", namespace=namespace)
    assert condition["reason"] == "InvalidSpec"
    assert "spec.addressFrom.networkRef" in condition["message"]
    assert "IPv4" in condition["message"]


async def test_the_api_refuses_to_change_address_from(
    cluster, simulator, operator, namespace
) -> None:
    await _network(cluster, namespace, "one", "10.50.4.0/24")
    await cluster.apply(
        record_manifest(
            "fixed", namespace, type="A", name="fixed.example.com", addressFrom=_from("one")
        )
    )
    await condition_of(cluster, "records", "fixed", namespace=namespace)
    try:
        await cluster.patch("records", namespace, "fixed", {"spec": {"addressFrom": _from("two")}})
    except ApiError as error:
        assert error.status == 422
        assert "addressFrom is immutable" in error.message
    else:
        raise AssertionError("the API accepted a changed addressFrom")


async def test_an_allocated_address_survives_a_restart_and_a_lost_status(
    cluster, simulator, settings, namespace
) -> None:
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await _network(cluster, namespace, "keep", "10.50.5.0/24")
        await cluster.apply(
            record_manifest(
                "sticky", namespace, type="A", name="sticky.example.com", addressFrom=_from("keep")
            )
        )
        await condition_of(cluster, "records", "sticky", namespace=namespace)
    body = await cluster.get("records", namespace, "sticky")
    first = body["status"]["address"]
    # The status is lost (restored from a backup without it), and the operator restarts.
    await cluster.patch_status(
        "records", namespace, "sticky", {"ref": None, "address": None, "conditions": None}
    )
    async with running_operator(settings, connection=cluster.connection, post_events=False):

        async def readdressed() -> str | None:
            status = (await cluster.get("records", namespace, "sticky")).get("status") or {}
            return status.get("address")

        assert await eventually(readdressed) == first
    uid = body["metadata"]["uid"]
    ours = [a for a in simulator.grid.objects("record:a") if extattrs(a).get("ddisync-uid") == uid]
    assert [a["ipv4addr"] for a in ours] == [first]
