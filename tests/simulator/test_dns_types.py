"""The DNS types the Zone kind and the CAA/NS record types use, as the official client sees them.

infoblox-client 0.6.2 (generated from the WAPI 2.12.1 schema) creates, searches, updates and
deletes ``nsgroup``, ``zone_auth`` with ``ns_group``, ``record:caa`` and ``record:ns`` over
HTTP, unchanged; the errors NIOS gives for them are checked with raw calls.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from infoblox_client import connector, objects
from infoblox_client.exceptions import InfobloxCannotCreateObject

from ddisync_simulator import Simulator

from .conftest import PASSWORD, USER, Wapi


def _connector(sim_url: str) -> connector.Connector:
    return connector.Connector(
        {
            "host": sim_url.removeprefix("http://"),
            "username": USER,
            "password": PASSWORD,
            "ssl_verify": False,
            "wapi_version": "2.12",
            "http_request_timeout": 10,
        }
    )


def client_scenario(sim_url: str) -> dict[str, Any]:
    """Through the official client: a group, a zone it serves, a CAA and a delegation NS."""
    sim_url = sim_url.replace("https://", "http://")
    conn = _connector(sim_url)
    conn.wapi_url = f"{sim_url}/wapi/v2.12/"  # plain HTTP, as the suite's simulator serves
    out: dict[str, Any] = {}
    objects.Nsgroup.create(conn, name="team", grid_primary=[{"name": "ns1.team.example"}])
    zone = objects.DNSZone.create(conn, view="default", fqdn="caa.example.com", ns_group="team")
    out["zone"] = (zone.fqdn, zone.ns_group)
    apex_ns = conn.get_object("record:ns", {"name": "caa.example.com"})
    out["apex_ns"] = [(ns["nameserver"], ns["view"]) for ns in apex_ns]
    caa = objects.CaaRecord.create(
        conn,
        view="default",
        name="caa.example.com",
        ca_flag=0,
        ca_tag="issue",
        ca_value="letsencrypt.org",
        extattrs=objects.EA({"Site": "ams"}),
    )
    found = objects.CaaRecord.search(
        conn, name="caa.example.com", ca_tag="issue",
        return_fields=["ca_flag", "ca_tag", "ca_value", "extattrs"],
    )  # fmt: skip
    out["caa"] = (found.ca_flag, found.ca_tag, found.ca_value, found.extattrs.get("Site"))
    caa.ca_value = "pki.example.net"
    caa.update()  # a CAA's ref names its value, as a TXT's its text: search it again
    (read,) = conn.get_object("record:caa", {"name": "caa.example.com"}, ["ca_value", "zone"])
    out["caa_updated"] = (read["ca_value"], read["zone"])
    ns = objects.NsRecord.create(
        conn,
        view="default",
        name="lab.caa.example.com",
        nameserver="ns.lab.example.net",
        addresses=[{"address": "192.0.2.53", "auto_create_ptr": False}],
    )
    found_ns = objects.NsRecord.search(
        conn, name="lab.caa.example.com", view="default", return_fields=["nameserver", "addresses"]
    )
    out["ns"] = (found_ns.nameserver, [a.address for a in found_ns.addresses or []])
    read_ns = conn.get_object(ns.ref, return_fields=["addresses", "creator", "zone"])
    out["ns_read"] = (read_ns["creator"], read_ns["zone"], read_ns["addresses"])
    try:
        objects.CaaRecord.create(
            conn, check_if_exists=False, view="default", name="caa.example.com",
            ca_flag=0, ca_tag="issue", ca_value="pki.example.net",
        )  # fmt: skip
    except InfobloxCannotCreateObject as error:
        out["duplicate"] = str(error)
    # The zone goes with everything in it: its CAA, the delegation and the apex NS records.
    zone.delete()
    out["left"] = sum(len(conn.get_object(t, {"view": "default"}) or []) for t in (
        "record:caa", "record:ns"))  # fmt: skip
    return out


async def test_the_official_client_manages_zones_with_name_server_groups_caa_and_ns(
    simulator: Simulator,
) -> None:
    out = await asyncio.to_thread(client_scenario, simulator.url)
    assert out["zone"] == ("caa.example.com", "team")
    assert out["apex_ns"] == [("ns1.team.example", "default")]
    assert out["caa"] == (0, "issue", "letsencrypt.org", "ams")
    assert out["caa_updated"] == ("pki.example.net", "caa.example.com")
    assert out["ns"] == ("ns.lab.example.net", ["192.0.2.53"])
    assert out["ns_read"] == (
        "STATIC",
        "caa.example.com",
        [{"address": "192.0.2.53", "auto_create_ptr": False}],
    )
    assert "already exists" in out["duplicate"]
    assert out["left"] == 0


async def test_a_zone_follows_its_name_server_group_and_the_group_in_use_stays(
    wapi: Wapi,
) -> None:
    await wapi.create("nsgroup", {"name": "pair", "grid_primary": [{"name": "a.ns.example"}]})
    zone = await wapi.create("zone_auth", {"fqdn": "pair.example.com", "ns_group": "pair"})
    group = (await wapi.get("nsgroup", {"name": "pair"})).json[0]["_ref"]
    answer = await wapi.put(group, {"grid_secondaries": [{"name": "b.ns.example"}]})
    assert answer.status == 200, answer.text
    found = (await wapi.get("record:ns", {"name": "pair.example.com"})).json
    assert sorted(ns["nameserver"] for ns in found) == ["a.ns.example", "b.ns.example"]
    refused = await wapi.delete(group)
    assert refused.status == 400
    assert refused.json["code"] == "Client.Ibap.Data.Conflict"
    assert "assigned to zone pair.example.com" in refused.error_text
    # Without a group, the zone has no generated NS records any more.
    assert (await wapi.put(zone, {"ns_group": None})).status == 200
    assert (await wapi.get("record:ns", {"name": "pair.example.com"})).json == []
    assert (await wapi.delete(group)).status == 200


@pytest.mark.parametrize(
    ("objtype", "body", "status", "text"),
    [
        ("zone_auth", {"fqdn": "x.example.com", "ns_group": "nope"}, 404,
         "Name server group nope not found"),
        ("zone_auth", {"fqdn": "example.com"}, 400, "The zone 'example.com' already exists."),
        ("record:caa", {"name": "nowhere.test", "ca_flag": 0, "ca_tag": "issue",
                        "ca_value": "ca.example"}, 400,
         "The action is not allowed. A parent was not found."),
        ("record:caa", {"name": "example.com", "ca_flag": 256, "ca_tag": "issue",
                        "ca_value": "ca.example"}, 400,
         "Invalid value for ca_flag: 256: Must be 0 to 255"),
        ("record:caa", {"name": "example.com", "ca_flag": 0, "ca_tag": "is sue",
                        "ca_value": "ca.example"}, 400,
         'Invalid value for ca_tag: "is sue": Must be letters and digits'),
        ("record:caa", {"name": "example.com", "ca_tag": "issue", "ca_value": "ca.example"},
         400, "field for create missing: ca_flag"),
        ("record:ns", {"name": "d.example.com", "nameserver": "ns.example.net"}, 400,
         "field for create missing: addresses"),
        ("record:ns", {"name": "d.example.com", "nameserver": "ns.example.net",
                       "addresses": [{"address": "192.0.2.1"}], "comment": "x"}, 400,
         "Unknown argument/field: 'comment'"),
        ("record:ns", {"name": "d.example.com", "nameserver": "ns.example.net",
                       "addresses": [{"address": "192.0.2.1"}], "extattrs": {}}, 400,
         "Unknown argument/field: 'extattrs'"),
    ],
)  # fmt: skip
async def test_dns_errors_are_the_ones_nios_gives(
    wapi: Wapi, objtype: str, body: dict[str, Any], status: int, text: str
) -> None:
    answer = await wapi.post(objtype, body)
    assert (answer.status, answer.error_text) == (status, text)


async def test_caa_and_ns_are_searched_by_their_searchable_fields_only(wapi: Wapi) -> None:
    caa = {"name": "example.com", "ca_flag": 128, "ca_tag": "iodef", "ca_value": "mailto:x@y"}
    await wapi.create("record:caa", caa)
    found = (await wapi.get("record:caa", {"ca_flag>": "100", "ca_tag": "iodef"})).json
    # Base fields: name and view only [C IBC CaaRecord._return_fields].
    assert [sorted(o) for o in found] == [["_ref", "name", "view"]]
    answer = await wapi.get("record:ns", {"addresses": "192.0.2.1"})
    assert (answer.status, answer.error_text) == (400, "Field is not searchable: addresses")
