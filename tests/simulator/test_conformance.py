"""Conformance with NIOS WAPI as the simulator's README describes it, one row per behaviour.

Each row: a request against a grid holding the demo seed plus ``POPULATE``, the HTTP status
expected and, for errors, the exact ``text`` (and ``code``) NIOS sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from .conftest import Wapi

POPULATE: list[tuple[str, dict[str, Any]]] = [
    (
        "network",
        {"network": "10.1.0.0/24", "comment": "lab", "extattrs": {"Site": {"value": "ams"}}},
    ),
    ("record:a", {"name": "a.example.com", "ipv4addr": "10.1.0.5"}),
    ("record:host", {"name": "h.example.com", "ipv4addrs": [{"ipv4addr": "10.1.0.6"}]}),
    ("record:cname", {"name": "c.example.com", "canonical": "a.example.com"}),
    ("record:txt", {"name": "t.example.com", "text": "v=spf1 -all"}),
    ("record:mx", {"name": "example.com", "mail_exchanger": "mx.example.com", "preference": 10}),
    ("range", {"start_addr": "10.1.0.100", "end_addr": "10.1.0.150", "comment": "pool"}),
    ("fixedaddress", {"ipv4addr": "10.1.0.20", "mac": "AA:BB:CC:00:00:20"}),
]

CONFLICT = "Client.Ibap.Data.Conflict"
PROTO = "Client.Ibap.Proto"


@dataclass
class Case:
    id: str
    method: str
    path: str
    status: int
    text: str | None = None  # exact error text
    code: str | None = None
    params: Any = None
    body: Any = None
    count: int | None = None  # expected list length for searches
    fields: dict[str, Any] = field(default_factory=dict)  # expected values in the first result


CASES = [
    # --- reads: default fields, return fields, modifiers
    Case(
        "default fields of a network",
        "GET",
        "network",
        200,
        params={"network": "10.1.0.0/24"},
        fields={"comment": "lab", "network": "10.1.0.0/24", "network_view": "default"},
    ),
    Case(
        "unset fields are omitted",
        "GET",
        "record:a",
        200,
        params={"name": "a.example.com"},
        fields={"name": "a.example.com", "ipv4addr": "10.1.0.5", "view": "default"},
    ),
    Case(
        "_return_fields gives exactly those",
        "GET",
        "network",
        200,
        params={"_return_fields": "comment"},
        fields={"comment": "lab"},
    ),
    Case(
        "extattrs returned as {} when empty",
        "GET",
        "record:a",
        200,
        params={"_return_fields+": "extattrs"},
        fields={"extattrs": {}},
    ),
    Case(
        "unknown return field",
        "GET",
        "network",
        400,
        "Unknown argument/field: 'bogus'",
        PROTO,
        params={"_return_fields": "bogus"},
    ),
    Case(
        "search-only field is not readable",
        "GET",
        "network",
        400,
        "Field is not readable: contains_address",
        params={"_return_fields": "contains_address"},
    ),
    Case("regex on name", "GET", "record:a", 200, params={"name~": "^a\\."}, count=1),
    Case(
        "case-insensitive match", "GET", "record:a", 200, params={"name:": "A.Example.COM"}, count=1
    ),
    Case(
        "exact name is lower-cased",
        "GET",
        "record:a",
        200,
        params={"name": "A.EXAMPLE.COM"},
        count=1,
    ),
    Case(
        "ordering modifier on an address",
        "GET",
        "record:a",
        200,
        params={"ipv4addr>": "10.1.0.4"},
        count=1,
    ),
    Case(
        "ordering modifier refused on a name",
        "GET",
        "record:a",
        400,
        "Search modifier '<' is not allowed for field: name",
        params={"name<": "x"},
    ),
    Case(
        "network accepts = and ~= only",
        "GET",
        "network",
        400,
        "Search modifier ':' is not allowed for field: network",
        params={"network:": "10.1.0.0/24"},
    ),
    Case(
        "network~= matches the address part",
        "GET",
        "network",
        200,
        params={"network~": "^10\\.1\\."},
        count=1,
    ),
    Case(
        "non-searchable field",
        "GET",
        "record:a",
        400,
        "Field is not searchable: ttl",
        params={"ttl": "5"},
    ),
    Case(
        "unknown search field",
        "GET",
        "record:a",
        400,
        "Unknown argument/field: 'bogus'",
        params={"bogus": "1"},
    ),
    Case(
        "no match is an empty list",
        "GET",
        "record:a",
        200,
        params={"name": "nope.example.com"},
        count=0,
    ),
    Case(
        "search spans views unless view= is given",
        "GET",
        "record:a",
        200,
        params={"view": "default"},
        count=1,
    ),
    Case("zone= on records", "GET", "record:txt", 200, params={"zone": "example.com"}, count=1),
    Case(
        "contains_address finds the network",
        "GET",
        "network",
        200,
        params={"contains_address": "10.1.0.77"},
        fields={"network": "10.1.0.0/24"},
    ),
    Case(
        "network_container lists children",
        "GET",
        "network",
        200,
        params={"network_container": "10.0.0.0/8"},
        count=1,
    ),
    Case(
        "host searched by address",
        "GET",
        "record:host",
        200,
        params={"ipv4addr": "10.1.0.6"},
        count=1,
    ),
    Case(
        "host address sub-object search",
        "GET",
        "record:host_ipv4addr",
        200,
        params={"ipv4addr": "10.1.0.6"},
        fields={"host": "h.example.com", "configure_for_dhcp": False},
    ),
    Case(
        "search by a func: value matches nothing",
        "GET",
        "record:host",
        200,
        params={"name": "h.example.com", "ipv4addr": "func:nextavailableip:10.1.0.0/24,default"},
        count=0,
    ),
    Case("EA search", "GET", "network", 200, params={"*Site": "ams"}, count=1),
    Case("EA search with negation", "GET", "network", 200, params={"*Site!": "ams"}, count=0),
    Case("EA search case-insensitive", "GET", "network", 200, params={"*Site:": "AMS"}, count=1),
    Case(
        "EA search on an undefined EA",
        "GET",
        "network",
        400,
        "Unknown extensible attribute: Nope",
        params={"*Nope": "x"},
    ),
    Case("unknown object type", "GET", "record", 400, "Unknown object type (record)", PROTO),
    Case("_return_as_object wraps", "GET", "network", 200, params={"_return_as_object": "1"}),
    Case(
        "positive _max_results truncates",
        "GET",
        "zone_auth",
        200,
        params={"_max_results": "2"},
        count=2,
    ),
    Case(
        "negative _max_results errors past the limit",
        "GET",
        "zone_auth",
        400,
        "Result set too large (> 2)",
        PROTO,
        params={"_max_results": "-2"},
    ),
    Case(
        "paging needs _return_as_object",
        "GET",
        "zone_auth",
        400,
        "_return_as_object needs to be enabled for paging requests.",
        params={"_paging": "1"},
    ),
    Case(
        "unknown underscore argument",
        "GET",
        "network",
        400,
        "Unknown argument: _bogus=",
        params={"_bogus": "1"},
    ),
    Case(
        "_proxy_search is accepted and ignored",
        "GET",
        "network",
        200,
        params={"_proxy_search": "GM"},
        count=1,
    ),
    Case(
        "function on GET is illegal",
        "GET",
        "network",
        400,
        "Function next_available_network illegal with this method",
        params={"_function": "next_available_network"},
    ),
    Case("read-only grid object", "GET", "grid", 200, count=1),
    # --- writes
    Case(
        "create missing a required field",
        "POST",
        "record:a",
        400,
        "field for create missing: ipv4addr",
        PROTO,
        body={"name": "x.example.com"},
    ),
    Case(
        "unknown field on create",
        "POST",
        "record:a",
        400,
        "Unknown argument/field: 'bogus'",
        body={"name": "x.example.com", "ipv4addr": "10.9.9.9", "bogus": 1},
    ),
    Case(
        "read-only field on create",
        "POST",
        "record:a",
        400,
        "Field is not writable: zone",
        body={"name": "x.example.com", "ipv4addr": "10.9.9.9", "zone": "example.com"},
    ),
    Case(
        "wrong value type",
        "POST",
        "record:a",
        400,
        "Invalid value for comment: 5: Must be string type",
        body={"name": "x.example.com", "ipv4addr": "10.9.9.9", "comment": 5},
    ),
    Case(
        "bad address",
        "POST",
        "record:a",
        400,
        'Invalid value for ipv4addr: "300.1.1.1": Invalid IPv4 address',
        body={"name": "x.example.com", "ipv4addr": "300.1.1.1"},
    ),
    Case(
        "record without a parent zone",
        "POST",
        "record:a",
        400,
        "The action is not allowed. A parent was not found.",
        CONFLICT,
        body={"name": "x.nozone.test", "ipv4addr": "10.9.9.9"},
    ),
    Case(
        "record in an unknown view",
        "POST",
        "record:a",
        404,
        "View nope not found",
        "Client.Ibap.Data.NotFound",
        body={"name": "x.example.com", "ipv4addr": "10.9.9.9", "view": "nope"},
    ),
    Case(
        "duplicate A record",
        "POST",
        "record:a",
        400,
        "The record 'a.example.com' already exists.",
        CONFLICT,
        body={"name": "a.example.com", "ipv4addr": "10.1.0.5"},
    ),
    Case(
        "A records share a name with other addresses",
        "POST",
        "record:a",
        201,
        body={"name": "a.example.com", "ipv4addr": "10.1.0.9"},
    ),
    Case(
        "CNAME where an A record is",
        "POST",
        "record:cname",
        400,
        "The record 'a.example.com' already exists.",
        CONFLICT,
        body={"name": "a.example.com", "canonical": "x.example.org"},
    ),
    Case(
        "A record where a CNAME is",
        "POST",
        "record:a",
        400,
        "The record 'c.example.com' already exists.",
        CONFLICT,
        body={"name": "c.example.com", "ipv4addr": "10.1.0.10"},
    ),
    Case(
        "CNAME at the apex",
        "POST",
        "record:cname",
        400,
        "Zone 'example.com' cannot have an empty CNAME.",
        CONFLICT,
        body={"name": "example.com", "canonical": "x.example.org"},
    ),
    Case(
        "duplicate host",
        "POST",
        "record:host",
        400,
        "The record 'h.example.com' already exists.",
        body={"name": "h.example.com", "ipv4addrs": [{"ipv4addr": "10.1.0.20"}]},
    ),
    Case(
        "TXT coexists with a CNAME name",
        "POST",
        "record:txt",
        201,
        body={"name": "c.example.com", "text": "hello"},
    ),
    Case(
        "duplicate TXT",
        "POST",
        "record:txt",
        400,
        "The record 't.example.com' already exists.",
        body={"name": "t.example.com", "text": "v=spf1 -all"},
    ),
    Case(
        "duplicate network",
        "POST",
        "network",
        400,
        "The network 10.1.0.0/24 already exists.  Select another network.",
        CONFLICT,
        body={"network": "10.1.0.0/24"},
    ),
    Case(
        "undefined EA on create",
        "POST",
        "network",
        400,
        "Unknown extensible attribute: VM Name",
        body={"network": "10.2.0.0/24", "extattrs": {"VM Name": {"value": "x"}}},
    ),
    Case(
        "fixed address outside any network",
        "POST",
        "fixedaddress",
        400,
        "The action is not allowed. A parent was not found.",
        body={"ipv4addr": "192.0.2.1", "mac": "aa:bb:cc:dd:ee:ff"},
    ),
    Case(
        "fixed address on a used address",
        "POST",
        "fixedaddress",
        400,
        "The IP address 10.1.0.5 is already in use.",
        body={"ipv4addr": "10.1.0.5", "mac": "aa:bb:cc:dd:ee:ff"},
    ),
    Case(
        "a MAC already reserved in the network",
        "POST",
        "fixedaddress",
        400,
        "The fixed address 10.1.0.20 already has the MAC address aa:bb:cc:00:00:20 in network "
        "10.1.0.0/24.",
        CONFLICT,
        body={"ipv4addr": "10.1.0.21", "mac": "aa-bb-cc-00-00-20"},
    ),
    Case(
        "a MAC is stored lower-case with colons",
        "GET",
        "fixedaddress",
        200,
        params={"mac": "aa:bb:cc:00:00:20", "_return_fields": "ipv4addr,mac,match_client"},
        count=1,
        fields={"ipv4addr": "10.1.0.20", "mac": "aa:bb:cc:00:00:20", "match_client": "MAC_ADDRESS"},
    ),
    Case(
        "an invalid MAC",
        "POST",
        "fixedaddress",
        400,
        'Invalid value for mac: "aa:bb:cc": Invalid MAC address',
        PROTO,
        body={"ipv4addr": "10.1.0.22", "mac": "aa:bb:cc"},
    ),
    Case(
        "an unknown DHCP option",
        "POST",
        "fixedaddress",
        400,
        'Invalid value for options.name: "router": Unknown DHCP option',
        PROTO,
        body={
            "ipv4addr": "10.1.0.22",
            "mac": "aa:bb:cc:00:00:22",
            "options": [{"name": "router", "value": "10.1.0.1"}],
        },
    ),
    Case(
        "options are returned whole",
        "POST",
        "fixedaddress",
        201,
        params={"_return_fields": "options"},
        body={
            "ipv4addr": "10.1.0.23",
            "mac": "aa:bb:cc:00:00:23",
            "options": [{"num": 3, "value": "10.1.0.1", "use_option": True}],
        },
        fields={
            "options": [
                {
                    "name": "routers",
                    "num": 3,
                    "value": "10.1.0.1",
                    "vendor_class": "DHCP",
                    "use_option": True,
                }
            ]
        },
    ),
    Case(
        "overlapping ranges",
        "POST",
        "range",
        400,
        "The range 10.1.0.150-10.1.0.160 overlaps an existing range.",
        CONFLICT,
        body={"start_addr": "10.1.0.150", "end_addr": "10.1.0.160"},
    ),
    Case(
        "a range leaving its network",
        "POST",
        "range",
        400,
        "The action is not allowed. A parent was not found.",
        CONFLICT,
        body={"start_addr": "10.1.0.200", "end_addr": "10.1.1.10"},
    ),
    Case(
        "a range ending before it starts",
        "POST",
        "range",
        400,
        'Invalid value for end_addr: "10.1.0.160": End address is before the start address',
        PROTO,
        body={"start_addr": "10.1.0.170", "end_addr": "10.1.0.160"},
    ),
    Case(
        "default fields of a range",
        "GET",
        "range",
        200,
        params={"network": "10.1.0.0/24"},
        count=1,
        fields={
            "start_addr": "10.1.0.100",
            "end_addr": "10.1.0.150",
            "network": "10.1.0.0/24",
            "network_view": "default",
            "comment": "pool",
        },
    ),
    Case(
        "create by query arguments",
        "POST",
        "network",
        201,
        params={"network": "10.3.0.0/24", "comment": "q"},
    ),
    Case("bad JSON", "POST", "network", 400, code="Client.Ibap.Proto.JSONDecoding", body=None),
    Case("PUT on a type", "PUT", "network", 400),
    Case(
        "missing ref",
        "GET",
        "network/ZG5zLm5ldHdvcmskMTAuOS45LjAvMjQvMA:10.9.9.0%2F24/default",
        404,
        "Reference network/ZG5zLm5ldHdvcmskMTAuOS45LjAvMjQvMA:10.9.9.0/24/default not found",
        "Client.Ibap.Data.NotFound",
    ),
]


async def _populate(wapi: Wapi) -> None:
    for objtype, body in POPULATE:
        await wapi.create(objtype, body)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_behaviour_matches_the_spec(wapi: Wapi, case: Case) -> None:
    await _populate(wapi)
    if case.id == "bad JSON":
        async with wapi.session.post(
            wapi.base + "network", data="{nope", headers=wapi.headers
        ) as resp:
            status, text = resp.status, await resp.text()
        assert status == 400
        assert '"code": "Client.Ibap.Proto.JSONDecoding"' in text
        return
    answer = await wapi.call(case.method, case.path, case.params, case.body)
    assert answer.status == case.status, answer.text
    if case.status >= 400 and case.text is not None:
        body = answer.json
        assert body["text"] == case.text
        assert body["Error"].endswith(case.text if body["code"] != CONFLICT else case.text + ")")
        if case.code:
            assert body["code"] == case.code
    if case.count is not None:
        assert len(answer.json) == case.count, answer.text
    if case.fields:
        result = answer.json
        first = result[0] if isinstance(result, list) else result
        for key, value in case.fields.items():
            assert first[key] == value, answer.text
        if not case.params or "_return_fields" not in case.params:
            assert "_ref" in first
        else:
            assert set(first) == {"_ref", *case.params["_return_fields"].split(",")}


async def test_return_as_object_wraps_reads_and_writes(wapi: Wapi) -> None:
    listed = await wapi.get("networkcontainer", {"network": "10.0.0.0/8", "_return_as_object": "1"})
    assert list(listed.json) == ["result"] and len(listed.json["result"]) == 1
    created = await wapi.post("network", {"network": "10.4.0.0/24"}, {"_return_as_object": "1"})
    assert created.status == 201 and created.json["result"].startswith("network/")
    read = await wapi.get(created.json["result"], {"_return_as_object": "1"})
    assert read.json["result"]["network"] == "10.4.0.0/24"


async def test_error_bodies_are_laid_out_as_nios_does(wapi: Wapi) -> None:
    answer = await wapi.get("record")
    assert answer.text == (
        '{ "Error": "AdmConProtoError: Unknown object type (record)", \n'
        '  "code": "Client.Ibap.Proto", \n  "text": "Unknown object type (record)"\n}'
    )
    assert answer.headers["Content-Type"].startswith("application/json")


async def test_success_bodies_are_pretty_json_with_ref_first(wapi: Wapi) -> None:
    answer = await wapi.get("networkview")
    assert answer.text.startswith('[\n    {\n        "_ref": "networkview/')


async def test_a_create_answers_201_with_a_json_string(wapi: Wapi) -> None:
    answer = await wapi.post("record:a", {"name": "N.Example.COM.", "ipv4addr": "10.1.0.30"})
    assert answer.status == 201 and answer.text.startswith('"record:a/')
    assert answer.headers["Content-Type"].startswith("application/json")
    stored = await wapi.get(answer.json)
    assert stored.json["name"] == "n.example.com"


async def test_update_changes_only_sent_fields_and_renames_give_new_refs(wapi: Wapi) -> None:
    ref = await wapi.create(
        "record:a",
        {
            "name": "u.example.com",
            "ipv4addr": "10.1.0.40",
            "comment": "keep",
            "ttl": 60,
            "use_ttl": True,
        },
    )
    same = await wapi.put(ref, {"ttl": 120})
    assert same.status == 200 and same.json == ref
    renamed = await wapi.put(ref, {"name": "v.example.com"}, {"_return_fields+": "comment,ttl"})
    assert renamed.json["_ref"] != ref and renamed.json["comment"] == "keep"
    assert renamed.json["ttl"] == 120
    gone = await wapi.get(ref)
    assert gone.status == 404


async def test_immutable_fields_are_refused_on_update(wapi: Wapi) -> None:
    ref = await wapi.create("record:a", {"name": "i.example.com", "ipv4addr": "10.1.0.41"})
    unchanged = await wapi.put(ref, {"view": "default"})
    assert unchanged.status == 200
    changed = await wapi.put(ref, {"view": "other"})
    assert changed.status == 400 and changed.error_text == "Field is not writable: view"


async def test_extattrs_plus_and_minus(wapi: Wapi) -> None:
    ref = await wapi.create(
        "network", {"network": "10.5.0.0/24", "extattrs": {"Site": {"value": "a"}}}
    )
    await wapi.put(ref, {"extattrs+": {"Tenant": {"value": "t"}}})
    both = await wapi.get(ref, {"_return_fields": "extattrs"})
    assert both.json["extattrs"] == {"Site": {"value": "a"}, "Tenant": {"value": "t"}}
    await wapi.put(ref, {"extattrs-": {"Site": {}}})
    one = await wapi.get(ref, {"_return_fields": "extattrs"})
    assert one.json["extattrs"] == {"Tenant": {"value": "t"}}
    await wapi.put(ref, {"extattrs": {}})
    none = await wapi.get(ref, {"_return_fields": "extattrs"})
    assert none.json["extattrs"] == {}


async def test_delete_answers_the_ref_and_the_object_is_gone(wapi: Wapi) -> None:
    ref = await wapi.create("record:txt", {"name": "d.example.com", "text": "x"})
    answer = await wapi.delete(ref)
    assert answer.status == 200 and answer.json == ref
    again = await wapi.delete(ref)
    assert again.status == 404 and again.error_text == f"Reference {ref} not found"


async def test_ipv6_values_are_normalised(wapi: Wapi) -> None:
    ref = await wapi.create(
        "record:aaaa",
        {"name": "six.example.com", "ipv6addr": "2001:0db8:0000:0000:0000:ff00:0042:8329"},
    )
    assert (await wapi.get(ref)).json["ipv6addr"] == "2001:db8::ff00:42:8329"
    found = await wapi.get("record:aaaa", {"ipv6addr": "2001:db8:0::ff00:42:8329"})
    assert len(found.json) == 1


async def test_a_network_inside_a_network_turns_the_parent_into_a_container(wapi: Wapi) -> None:
    parent = await wapi.create("network", {"network": "10.20.0.0/16"})
    await wapi.create("network", {"network": "10.20.1.0/24"})
    assert (await wapi.get(parent)).status == 404
    containers = await wapi.get("networkcontainer", {"network": "10.20.0.0/16"})
    assert len(containers.json) == 1 and containers.json[0]["_ref"].startswith("networkcontainer/")
    child = await wapi.get(
        "network", {"network": "10.20.1.0/24", "_return_fields+": "network_container"}
    )
    assert child.json[0]["network_container"] == "10.20.0.0/16"


async def test_a_network_around_existing_networks_is_refused(wapi: Wapi) -> None:
    await wapi.create("network", {"network": "10.30.1.0/24"})
    answer = await wapi.post("network", {"network": "10.30.0.0/16"})
    assert answer.status == 400 and answer.json["code"] == CONFLICT


async def test_reverse_zones_follow_nios(wapi: Wapi) -> None:
    zones = await wapi.get(
        "zone_auth", {"fqdn": "10.0.0.0/8", "_return_fields+": "zone_format,dns_fqdn"}
    )
    zone = zones.json[0]
    assert zone["zone_format"] == "IPV4" and zone["dns_fqdn"] == "10.in-addr.arpa"
    assert zone["_ref"].endswith(":10.0.0.0%2F8/default")
    six = await wapi.get("zone_auth", {"fqdn": "2001:db8::/32", "_return_fields+": "dns_fqdn"})
    assert six.json[0]["dns_fqdn"] == "8.b.d.0.1.0.0.2.ip6.arpa"
    ptr = await wapi.post(
        "record:ptr",
        {"ipv4addr": "10.1.0.5", "ptrdname": "a.example.com"},
        {"_return_fields+": "name,zone"},
    )
    assert ptr.status == 201 and ptr.json["name"] == "5.0.1.10.in-addr.arpa"
    assert ptr.json["zone"] == "10.0.0.0/8"


async def test_a_networkview_brings_its_dns_view_and_deletes_with_it(wapi: Wapi) -> None:
    ref = await wapi.create("networkview", {"name": "lab"})
    views = await wapi.get("view", {"name": "default.lab", "_return_fields+": "network_view"})
    assert views.json[0]["network_view"] == "lab"
    await wapi.create("network", {"network": "10.1.0.0/24", "network_view": "lab"})
    assert (await wapi.delete(ref)).status == 200
    assert (await wapi.get("view", {"name": "default.lab"})).json == []
    assert (await wapi.get("network", {"network_view": "lab"})).json == []


async def test_schema_answers(wapi: Wapi) -> None:
    top = await wapi.get("", {"_schema": "1"})
    assert top.json["requested_version"] == "2.12"
    assert "record:host" in top.json["supported_objects"]
    assert "2.13" in top.json["supported_versions"]
    schema = await wapi.get("network", {"_schema": "1"})
    network = next(f for f in schema.json["fields"] if f["name"] == "network")
    assert network["searchable_by"] == "=~" and network["standard_field"] is True


async def test_deleting_a_zone_deletes_its_records(wapi: Wapi) -> None:
    zone = await wapi.create("zone_auth", {"fqdn": "gone.example.org"})
    await wapi.create("record:a", {"name": "x.gone.example.org", "ipv4addr": "10.1.0.50"})
    await wapi.create("record:a", {"name": "y.example.org", "ipv4addr": "10.1.0.51"})
    assert (await wapi.delete(zone)).status == 200
    left = await wapi.get("record:a", {"name~": "example.org$"})
    assert [r["name"] for r in left.json] == ["y.example.org"]


async def test_deleting_a_container_deletes_its_networks(wapi: Wapi) -> None:
    container = await wapi.create("networkcontainer", {"network": "10.60.0.0/16"})
    await wapi.create("network", {"network": "10.60.1.0/24"})
    await wapi.create("range", {"start_addr": "10.60.1.10", "end_addr": "10.60.1.20"})
    assert (await wapi.delete(container)).status == 200
    assert (await wapi.get("network", {"network": "10.60.1.0/24"})).json == []
    assert (await wapi.get("range")).json == []


async def test_host_addresses_are_replaced_whole_and_freed(wapi: Wapi) -> None:
    await wapi.create("network", {"network": "10.1.0.0/24"})
    ref = await wapi.create(
        "record:host", {"name": "hh.example.com", "ipv4addrs": [{"ipv4addr": "10.1.0.70"}]}
    )
    new_addrs = [{"ipv4addr": "10.1.0.71", "mac": "aa:aa:aa:aa:aa:aa"}]
    updated = await wapi.put(ref, {"ipv4addrs": new_addrs}, {"_return_fields": "ipv4addrs"})
    assert [i["ipv4addr"] for i in updated.json["ipv4addrs"]] == ["10.1.0.71"]
    assert updated.json["ipv4addrs"][0]["mac"] == "aa:aa:aa:aa:aa:aa"
    fixed = await wapi.post("fixedaddress", {"ipv4addr": "10.1.0.70", "mac": "00:00:00:00:00:70"})
    assert fixed.status == 201  # the old host address is free again


async def test_default_views_cannot_be_deleted(wapi: Wapi) -> None:
    default = (await wapi.get("view", {"name": "default"})).json[0]["_ref"]
    answer = await wapi.delete(default)
    assert answer.status == 400 and answer.json["code"] == "Client.Ibap.Data"


async def test_grid_is_read_only(wapi: Wapi) -> None:
    grid = (await wapi.get("grid")).json[0]["_ref"]
    assert (await wapi.put(grid, {"name": "x"})).status == 400
    assert (await wapi.post(grid, None, {"_function": "restartservices"})).status == 200


async def test_a_ptr_moved_to_another_address_takes_the_new_reverse_name(wapi) -> None:
    created = await wapi.post(
        "record:ptr", {"ptrdname": "host.example.com", "ipv4addr": "10.1.2.3"}
    )
    assert created.status == 201, created.text
    moved = await wapi.put(
        created.json, {"ipv4addr": "10.1.2.4"}, params={"_return_fields": "name,ipv4addr"}
    )
    assert moved.status == 200, moved.text
    assert moved.json["name"] == "4.2.1.10.in-addr.arpa"
