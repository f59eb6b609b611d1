"""next_available_ip / next_available_network in all their forms (spec §3)."""

from __future__ import annotations

import asyncio

from ddisync_simulator import Simulator

from .conftest import Wapi


async def test_function_call_returns_ips_without_reserving(wapi: Wapi) -> None:
    ref = await wapi.create("network", {"network": "10.8.0.0/29"})
    await wapi.create("record:a", {"name": "x.example.com", "ipv4addr": "10.8.0.1"})
    first = await wapi.post(ref, {"num": 3}, {"_function": "next_available_ip"})
    assert first.status == 200 and first.json == {"ips": ["10.8.0.2", "10.8.0.3", "10.8.0.4"]}
    again = await wapi.post(
        ref, None, {"_function": "next_available_ip", "num": "1", "exclude": ["10.8.0.2"]}
    )
    assert again.json == {"ips": ["10.8.0.3"]}


async def test_exhausted_network_gives_the_nios_data_error(wapi: Wapi) -> None:
    ref = await wapi.create("network", {"network": "10.8.1.0/30"})
    await wapi.create("fixedaddress", {"ipv4addr": "10.8.1.1", "mac": "00:00:00:00:00:01"})
    await wapi.create(
        "record:host", {"name": "f.example.com", "ipv4addrs": [{"ipv4addr": "10.8.1.2"}]}
    )
    answer = await wapi.post(ref, {"num": 1}, {"_function": "next_available_ip"})
    assert answer.status == 400
    assert answer.json == {
        "Error": "AdmConDataError: None (IBDataError: IB.Data:Cannot find 1 available IP "
        "address(es) in this network.)",
        "code": "Client.Ibap.Data",
        "text": "Cannot find 1 available IP address(es) in this network.",
    }


async def test_ranges_are_skipped_by_network_allocation(wapi: Wapi) -> None:
    ref = await wapi.create("network", {"network": "10.8.2.0/24"})
    rng = await wapi.create("range", {"start_addr": "10.8.2.1", "end_addr": "10.8.2.10"})
    net = await wapi.post(ref, {"num": 1}, {"_function": "next_available_ip"})
    assert net.json == {"ips": ["10.8.2.11"]}
    inside = await wapi.post(rng, {"num": 1}, {"_function": "next_available_ip"})
    assert inside.json == {"ips": ["10.8.2.1"]}


async def test_next_available_network(wapi: Wapi) -> None:
    container = (await wapi.get("networkcontainer", {"network": "10.0.0.0/8"})).json[0]["_ref"]
    await wapi.create("network", {"network": "10.0.0.0/24"})
    answer = await wapi.post(
        container, {"cidr": 24, "num": 2}, {"_function": "next_available_network"}
    )
    assert answer.json == {"networks": ["10.0.1.0/24", "10.0.2.0/24"]}
    wrong = await wapi.get(container, {"_function": "next_available_network"})
    assert wrong.status == 400
    assert wrong.error_text == "Function next_available_network illegal with this method"


async def test_inline_string_forms(wapi: Wapi) -> None:
    net = await wapi.post(
        "network",
        {"network": "func:nextavailablenetwork:10.0.0.0/8,default,26"},
        {"_return_fields": "network"},
    )
    assert net.json["network"] == "10.0.0.0/26"
    a = await wapi.post(
        "record:a",
        {"name": "n1.example.com", "ipv4addr": "func:nextavailableip:10.0.0.0/26,default"},
        {"_return_fields": "ipv4addr"},
    )
    assert a.json["ipv4addr"] == "10.0.0.1"
    inline_ref = f"func:nextavailableip:{net.json['_ref']}"
    by_ref = await wapi.post(
        "fixedaddress",
        {"ipv4addr": inline_ref, "mac": "00:11:22:33:44:55"},
        {"_return_fields": "ipv4addr"},
    )
    assert by_ref.json["ipv4addr"] == "10.0.0.2"
    host = await wapi.post(
        "record:host",
        {
            "name": "n2.example.com",
            "ipv4addrs": [
                {"ipv4addr": "func:nextavailableip:10.0.0.0/26,default"},
                {"ipv4addr": "func:nextavailableip:10.0.0.0/26,default"},
            ],
        },
        {"_return_fields": "ipv4addrs"},
    )
    assert [i["ipv4addr"] for i in host.json["ipv4addrs"]] == ["10.0.0.3", "10.0.0.4"]
    assert host.json["ipv4addrs"][0]["_ref"].startswith("record:host_ipv4addr/")
    six = await wapi.post("ipv6network", {"network": "2001:db8:1::/64"})
    assert six.status == 201
    aaaa = await wapi.post(
        "record:aaaa",
        {"name": "n3.example.com", "ipv6addr": "func:nextavailableip:2001:db8:1::/64"},
        {"_return_fields": "ipv6addr"},
    )
    assert aaaa.json["ipv6addr"] == "2001:db8:1::1"
    nomatch = await wapi.post(
        "record:a",
        {"name": "n4.example.com", "ipv4addr": "func:nextavailableip:172.18.67.16/29,default"},
    )
    assert nomatch.status == 400 and nomatch.error_text == (
        "172.18.67.16/29,default does not match any unique networks/ranges (ipv4addr)"
    )


async def test_inline_struct_forms(wapi: Wapi) -> None:
    net = await wapi.post(
        "network",
        {
            "network": {
                "_object_function": "next_available_network",
                "_result_field": "networks",
                "_object": "networkcontainer",
                "_object_parameters": {"network": "10.0.0.0/8", "network_view": "default"},
                "_parameters": {"cidr": 24},
            },
            "network_view": "default",
        },
        {"_return_fields": "network"},
    )
    assert net.json["network"] == "10.0.0.0/24"
    a = await wapi.post(
        "record:a",
        {
            "name": "s1.example.com",
            "ipv4addr": {
                "_object_function": "next_available_ip",
                "_result_field": "ips",
                "_object_ref": net.json["_ref"],
                "_parameters": {"num": 1, "exclude": ["10.0.0.1"]},
            },
        },
        {"_return_fields": "ipv4addr"},
    )
    assert a.json["ipv4addr"] == "10.0.0.2"
    missing = await wapi.post(
        "record:a",
        {
            "name": "s2.example.com",
            "ipv4addr": {
                "_object_function": "next_available_ip",
                "_result_field": "ips",
                "_object": "network",
                "_object_parameters": {"network": "10.99.0.0/24"},
            },
        },
    )
    assert missing.status == 400 and missing.error_text == (
        'The search parameters {"network": "10.99.0.0/24"} for object network did not return '
        "any result"
    )


async def test_concurrent_allocations_never_share_an_address(
    simulator: Simulator, wapi: Wapi
) -> None:
    simulator.faults.latency_ms = 5  # every request waits, so they really overlap
    await wapi.create("network", {"network": "10.9.0.0/24"})
    answers = await asyncio.gather(
        *(
            wapi.post(
                "record:a",
                {
                    "name": f"c{i}.example.com",
                    "ipv4addr": "func:nextavailableip:10.9.0.0/24,default",
                },
                {"_return_fields": "ipv4addr"},
            )
            for i in range(40)
        )
    )
    ips = [a.json["ipv4addr"] for a in answers]
    assert len(set(ips)) == 40
    assert simulator.grid.count("record:a") == 40
