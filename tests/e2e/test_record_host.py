"""Host records as people use them: several addresses (IPv4 and IPv6), DHCP reservations by MAC,
and aliases. Adding or removing one address leaves the others' sub-objects as they were."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import (
    condition_of,
    eventually,
    extattrs,
    record_manifest,
    refused_by_the_operator,
    wapi_create,
    wapi_request,
)

DB_ADDRESSES = [
    {"address": "10.1.7.10", "mac": "00:50:56:AA:BB:CC", "configureForDHCP": True},
    {"address": "2001:db8:7::10"},
]


def host(simulator: Any, name: str = "db.example.com") -> dict[str, Any]:
    (found,) = [h for h in simulator.grid.objects("record:host") if h["name"] == name]
    return found


def items(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The host's address items by address, as Infoblox holds them (ref, mac, DHCP)."""
    return {
        item.get("ipv4addr") or item["ipv6addr"]: item
        for key in ("ipv4addrs", "ipv6addrs")
        for item in obj.get(key) or []
    }


async def test_a_host_with_two_addresses_and_an_alias_changes_one_address_at_a_time(
    cluster, simulator, fast_operator, namespace
) -> None:
    manifest = record_manifest(
        "db", namespace, type="Host", name="db.example.com", addresses=DB_ADDRESSES,
        aliases=["Mysql.example.com"],
    )  # fmt: skip
    await cluster.apply(manifest)
    condition = await condition_of(cluster, "records", "db", namespace=namespace)
    assert condition["message"] == (
        "Host record db.example.com (10.1.7.10, 2001:db8:7::10) is in sync with Infoblox"
    )
    before = items(host(simulator))
    assert before["10.1.7.10"]["mac"] == "00:50:56:aa:bb:cc"
    assert before["10.1.7.10"]["configure_for_dhcp"] is True
    assert before["2001:db8:7::10"]["configure_for_dhcp"] is False
    assert host(simulator)["aliases"] == ["mysql.example.com"]
    status = (await cluster.get("records", namespace, "db"))["status"]
    assert (status["address"], status["value"]) == ("10.1.7.10", "10.1.7.10, 2001:db8:7::10")

    # One address more: the existing entries keep their sub-objects and DHCP settings.
    simulator.counters.reset()
    added = [*DB_ADDRESSES, {"address": "10.1.7.11"}]
    await cluster.patch("records", namespace, "db", {"spec": {"addresses": added}})
    await eventually(lambda: "10.1.7.11" in items(host(simulator)))
    now = items(host(simulator))
    for address, item in before.items():
        assert now[address] == item, address
    assert simulator.counters.total(method="PUT", objtype="record:host") == 1

    # One address less: only that one goes.
    await cluster.patch("records", namespace, "db", {"spec": {"addresses": added[1:]}})
    await eventually(lambda: "10.1.7.10" not in items(host(simulator)))
    now = items(host(simulator))
    assert set(now) == {"2001:db8:7::10", "10.1.7.11"}
    assert now["2001:db8:7::10"] == before["2001:db8:7::10"]

    # An alias removed by hand is put back by the drift sweep.
    await wapi_request(simulator, "PUT", host(simulator)["_ref"], {"aliases": []})
    await eventually(lambda: host(simulator).get("aliases") == ["mysql.example.com"])

    await cluster.delete("records", namespace, "db")
    await eventually(lambda: simulator.grid.objects("record:host") == [])


async def test_an_existing_host_with_several_addresses_is_refused_then_adopted(
    cluster, simulator, operator, namespace
) -> None:
    await wapi_create(simulator, "record:host", {
        "name": "legacy.example.com", "aliases": ["old.example.com"],
        "ipv4addrs": [{"ipv4addr": "10.1.8.1", "mac": "00:50:56:00:00:01"},
                      {"ipv4addr": "10.1.8.2"}],
    })  # fmt: skip
    addresses = [{"address": "10.1.8.1", "mac": "00:50:56:00:00:01"}, {"address": "10.1.8.2"}]
    spec = {"type": "Host", "name": "legacy.example.com", "addresses": addresses,
            "aliases": ["old.example.com"]}  # fmt: skip
    await cluster.apply(record_manifest("legacy", namespace, **spec))
    refused = await condition_of(cluster, "records", "legacy", "False", namespace=namespace)
    assert refused["reason"] == "NotOwned"
    before = items(host(simulator, "legacy.example.com"))

    await cluster.patch("records", namespace, "legacy", {"spec": {"adopt": True}})
    await condition_of(cluster, "records", "legacy", namespace=namespace)
    adopted = host(simulator, "legacy.example.com")
    assert extattrs(adopted)["ddisync-owner"] == f"{namespace}/Record/legacy"
    assert items(adopted) == before  # adoption wrote the markers and nothing else


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"addresses": [{"address": "2001:db8::1", "mac": "00:50:56:aa:bb:cc"}]},
         "spec.addresses.0: 2001:db8::1: mac and configureForDHCP are for IPv4 addresses"),
        ({"addresses": [{"address": "10.1.9.1", "configureForDHCP": True}]},
         "spec.addresses.0: 10.1.9.1: configureForDHCP needs a mac"),
        ({"addresses": [{"address": "10.1.9.1"}, {"address": "10.1.9.1"}]},
         "spec.addresses: 10.1.9.1 is listed twice"),
        ({"address": "10.1.9.1", "addresses": [{"address": "10.1.9.2"}]},
         "spec.addresses: set exactly one of spec.address and spec.addresses, not both"),
        ({"address": "10.1.9.1", "aliases": ["bad_alias.example.com"]},
         "spec.aliases: 'bad_alias.example.com' must be a hostname"),
    ],
)  # fmt: skip
async def test_an_invalid_host_spec_says_which_field(
    lenient_cluster, simulator, settings, quick_stop, namespace, spec: dict[str, Any], message: str
) -> None:
    manifest = record_manifest("bad", namespace, type="Host", name="bad.example.com", **spec)
    condition = await refused_by_the_operator(lenient_cluster, settings, manifest)
    assert condition["reason"] == "InvalidSpec"
    assert condition["message"].startswith(message), condition["message"]
    assert simulator.grid.objects("record:host") == []
