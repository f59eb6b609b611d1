"""The official Python client (infoblox-client 0.6.2) drives the simulator over HTTPS, unchanged.

The client is synchronous (requests), so it runs in a worker thread while the simulator serves
on the test's event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from infoblox_client import connector, objects

from ddisync_simulator import Simulator, SimulatorOptions, running_simulator

from .conftest import PASSWORD, USER


@pytest.fixture
async def tls_simulator() -> AsyncIterator[Simulator]:
    options = SimulatorOptions(username=USER, password=PASSWORD, tls=True)
    async with running_simulator(options) as sim:
        yield sim


def scenario(sim_url: str, ca_file: str) -> dict[str, Any]:
    host = sim_url.removeprefix("https://")
    conn = connector.Connector(
        {
            "host": host,
            "username": USER,
            "password": PASSWORD,
            "ssl_verify": ca_file,
            "wapi_version": "2.12",
            "paging": True,
            "http_request_timeout": 10,
        }
    )
    out: dict[str, Any] = {}
    network = objects.Network.create(
        conn, network_view="default", cidr="10.42.0.0/24", comment="ibc"
    )
    out["network"] = network.network
    zone = objects.DNSZone.create(conn, view="default", fqdn="ibc.example.com")
    out["zone"] = zone.fqdn
    # the string form: oslo's JSON encoder cannot serialise an IPAllocation on an A record
    ip = objects.IPAllocation.next_available_ip_from_cidr("default", "10.42.0.0/24")
    a = objects.ARecord.create(
        conn, view="default", name="www.ibc.example.com", ip=ip.next_available_ip
    )
    out["a_ip"] = a.ipv4addr
    host_ip = objects.IP.create(
        ip=objects.IPAllocation.next_available_ip_from_cidr("default", "10.42.0.0/24")
    )
    host_record = objects.HostRecord.create(
        conn, view="default", name="h.ibc.example.com", ip=host_ip
    )
    out["host_ip"] = host_record.ipv4addrs[0].ip
    found = objects.ARecord.search(conn, name="www.ibc.example.com", view="default")
    out["found"] = found.ipv4addr
    everything = conn.get_object("record:a", {"name~": "ibc"}, paging=True, max_results=1)
    out["paged"] = len(everything)
    a.comment = "updated"
    a.update()
    # a ref read must not page: NIOS refuses that (infoblox-client#186), and so do we
    read = conn.get_object(a.ref, return_fields=["comment"], paging=False)
    out["comment"] = read["comment"]
    ea = objects.EA({"Site": "ams"})
    network.extattrs = ea
    network.update()
    by_ea = objects.Network.search_all(conn, search_extattrs=objects.EA({"Site": "ams"}))
    out["by_ea"] = [n.network for n in by_ea]
    host_record.delete()
    a.delete()
    out["left"] = conn.get_object("record:a", {"name": "www.ibc.example.com"})
    out["host_left"] = objects.HostRecord.search(conn, name="h.ibc.example.com")
    out["cookie"] = "ibapauth" in conn.session.cookies.get_dict()
    return out


async def test_infoblox_client_works_unchanged_over_https(tls_simulator: Simulator) -> None:
    assert tls_simulator.url.startswith("https://") and tls_simulator.ca_file is not None
    out = await asyncio.to_thread(scenario, tls_simulator.url, str(tls_simulator.ca_file))
    assert out["network"] == "10.42.0.0/24" and out["zone"] == "ibc.example.com"
    assert out["a_ip"] == "10.42.0.1" and out["host_ip"] == "10.42.0.2"
    assert out["found"] == "10.42.0.1"
    assert out["paged"] == 1
    assert out["comment"] == "updated"
    assert out["by_ea"] == ["10.42.0.0/24"]
    assert out["left"] == [] and out["host_left"] is None
    assert out["cookie"]
    # after the first call the client sends the cookie alone, without Basic
    assert tls_simulator.counters.total(status=401) == 0


def dhcp_scenario(sim_url: str, ca_file: str) -> dict[str, Any]:
    """Reservations and ranges as the official client makes them (objects.FixedAddress,
    objects.IPRange): creation, search, next_available_ip beside them, update, delete."""
    conn = connector.Connector(
        {
            "host": sim_url.removeprefix("https://"),
            "username": USER,
            "password": PASSWORD,
            "ssl_verify": ca_file,
            "wapi_version": "2.12",
            "http_request_timeout": 10,
        }
    )
    out: dict[str, Any] = {}
    network = objects.Network.create(conn, network_view="default", cidr="10.43.0.0/24")
    ip_range = objects.IPRange.create(
        conn, network_view="default", start_addr="10.43.0.1", end_addr="10.43.0.9"
    )
    out["range_network"] = conn.get_object(ip_range.ref, return_fields=["network"])["network"]
    routers = objects.DhcpOption(name="routers", value="10.43.0.254", use_option=True)
    reservation = objects.FixedAddress.create(
        conn, network_view="default", ip="10.43.0.10", mac="AA-BB-CC-DD-EE-01", options=[routers]
    )
    out["mac"] = reservation.mac
    found = objects.FixedAddress.search(conn, network_view="default", mac="aa:bb:cc:dd:ee:01")
    out["found"] = found.ip
    stored = conn.get_object(found.ref, return_fields=["options"])["options"]
    out["options"] = [(o["name"], o["num"], o["value"], o["use_option"]) for o in stored]
    # allocation skips the range and the reservation
    out["next"] = conn.call_func("next_available_ip", network.ref, {"num": 2})["ips"]
    allocated = objects.FixedAddress.create(
        conn, network_view="default", mac="aa:bb:cc:dd:ee:02",
        ip=objects.IPAllocation.next_available_ip_from_cidr("default", "10.43.0.0/24"),
    )  # fmt: skip
    out["allocated"] = allocated.ip
    reservation.comment = "moved"
    reservation.update()
    out["comment"] = conn.get_object(reservation.ref, return_fields=["comment"])["comment"]
    ranges = objects.IPRange.search_all(conn, network_view="default", network="10.43.0.0/24")
    out["ranges"] = [(r.start_addr, r.end_addr) for r in ranges]
    ip_range.delete()
    reservation.delete()
    allocated.delete()
    out["left"] = (
        conn.get_object("range", {"network": "10.43.0.0/24"}),
        conn.get_object("fixedaddress", {"network": "10.43.0.0/24"}),
    )
    return out


async def test_infoblox_client_manages_reservations_and_ranges(tls_simulator: Simulator) -> None:
    assert tls_simulator.ca_file is not None
    out = await asyncio.to_thread(dhcp_scenario, tls_simulator.url, str(tls_simulator.ca_file))
    assert out["range_network"] == "10.43.0.0/24"
    assert out["mac"] == "aa:bb:cc:dd:ee:01" and out["found"] == "10.43.0.10"
    assert out["options"] == [("routers", 3, "10.43.0.254", True)]
    assert out["next"] == ["10.43.0.11", "10.43.0.12"]
    assert out["allocated"] == "10.43.0.11"
    assert out["comment"] == "moved"
    assert out["ranges"] == [("10.43.0.1", "10.43.0.9")]
    assert out["left"] == ([], [])
