"""POST /request: single and list forms, state, substitution, discard, atomicity (spec §4)."""

from __future__ import annotations

from ddisync_simulator import Simulator

from .conftest import Wapi


async def test_single_form_answers_like_the_operation(wapi: Wapi) -> None:
    answer = await wapi.post(
        "request",
        {
            "method": "POST",
            "object": "record:a",
            "data": {"name": "m.example.com", "ipv4addr": "10.1.1.1"},
        },
    )
    assert answer.status == 201 and answer.json.startswith("record:a/")
    got = await wapi.post(
        "request",
        {
            "method": "GET",
            "object": "record:a",
            "data": {"name": "m.example.com"},
            "args": {"_return_fields": "ipv4addr"},
        },
    )
    assert got.status == 200 and got.json[0]["ipv4addr"] == "10.1.1.1"


async def test_list_form_with_state_substitution_and_discard(wapi: Wapi) -> None:
    body = [
        {"method": "STATE:ASSIGN", "data": {"site": "ams"}},
        {
            "method": "POST",
            "object": "network",
            "data": {"network": "10.6.0.0/24"},
            "assign_state": {"net": "_ref"},
            "discard": True,
        },
        {
            "method": "PUT",
            "object": "##STATE:net:##",
            "enable_substitution": True,
            "data": {
                "comment": "site ##STATE:site:##",
                "extattrs": {"Site": {"value": "##STATE:site:##"}},
            },
        },
        {
            "method": "GET",
            "object": "network",
            "data": {"network": "10.6.0.0/24"},
            "args": {"_return_fields+": "extattrs"},
            "assign_state": {"where": "*Site"},
            "discard": True,
        },
        {"method": "STATE:DISPLAY"},
    ]
    answer = await wapi.post("request", body)
    assert answer.status == 200
    put_ref, state = answer.json
    assert put_ref.startswith("network/")
    assert state == {"site": "ams", "net": put_ref, "where": "ams"}
    stored = await wapi.get(put_ref, {"_return_fields": "comment"})
    assert stored.json["comment"] == "site ams"


async def test_a_failure_rolls_back_everything(simulator: Simulator, wapi: Wapi) -> None:
    before = simulator.grid.count("record:a")
    body = [
        {
            "method": "POST",
            "object": "record:a",
            "data": {"name": "r1.example.com", "ipv4addr": "10.1.2.1"},
        },
        {"method": "POST", "object": "network", "data": {"network": "10.6.1.0/24"}},
        {
            "method": "POST",
            "object": "record:a",
            "data": {"name": "r1.example.com", "ipv4addr": "10.1.2.1"},
        },  # duplicate
    ]
    answer = await wapi.post("request", body)
    assert answer.status == 400
    assert answer.error_text == "The record 'r1.example.com' already exists."
    assert simulator.grid.count("record:a") == before
    assert (await wapi.get("network", {"network": "10.6.1.0/24"})).json == []


async def test_assign_state_on_an_empty_get_aborts(wapi: Wapi) -> None:
    body = [
        {"method": "POST", "object": "record:txt", "data": {"name": "l.example.com", "text": "x"}},
        {
            "method": "GET",
            "object": "record:a",
            "data": {"name": "none.example.com"},
            "assign_state": {"ref": "_ref"},
        },
    ]
    answer = await wapi.post("request", body)
    assert answer.status == 400
    assert (await wapi.get("record:txt", {"name": "l.example.com"})).json == []


async def test_lock_test_and_set_like_the_go_client(wapi: Wapi) -> None:
    await wapi.create("extensibleattributedef", {"name": "Lock", "type": "STRING"})
    await wapi.put(
        (await wapi.get("networkview")).json[0]["_ref"],
        {"extattrs": {"Lock": {"value": "Available"}}},
    )
    body = [
        {
            "method": "GET",
            "object": "networkview",
            "data": {"name": "default", "*Lock": "Available"},
            "assign_state": {"nv": "_ref"},
            "discard": True,
        },
        {
            "method": "PUT",
            "object": "##STATE:nv:##",
            "enable_substitution": True,
            "data": {"extattrs+": {"Lock": {"value": "Locked"}}},
            "discard": True,
        },
        {
            "method": "GET",
            "object": "##STATE:nv:##",
            "enable_substitution": True,
            "args": {"_return_fields": "extattrs"},
            "assign_state": {"lock": "*Lock"},
            "discard": True,
        },
        {"method": "STATE:DISPLAY"},
    ]
    first = await wapi.post("request", body)
    assert first.status == 200 and first.json[0]["lock"] == "Locked"
    second = await wapi.post("request", body)  # the lock is taken: the GET finds nothing
    assert second.status == 400


async def test_request_takes_post_only(wapi: Wapi) -> None:
    assert (await wapi.get("request")).status == 400
