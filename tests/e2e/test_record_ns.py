"""NS records (a delegation), owned through a TXT claim since NIOS keeps no extensible
attributes on NS records: created, updated, repaired, adopted, retained, deleted and refused,
and never a duplicate nor someone else's NS record touched."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync.runtime import running_operator
from ddisync_emulator.objects import ApiError
from tests.e2e.helpers import (
    condition_of,
    eventually,
    extattrs,
    markers,
    metric_value,
    record_manifest,
    refused_by_the_operator,
    wapi_create,
    wapi_request,
)

NAME = "sub.example.com"
CLAIM = "_ddisync-ns-sub.example.com"


def ns_records(simulator: Any) -> dict[str, list[str]]:
    """The NS records of sub.example.com: nameserver → its addresses."""
    return {
        o["nameserver"]: sorted(a["address"] for a in o["addresses"])
        for o in simulator.grid.objects("record:ns")
        if o["name"] == NAME
    }


def claims(simulator: Any) -> dict[str, tuple[str, str]]:
    """The claims of sub.example.com: text → (owner marker, uid marker)."""
    return {
        o["text"].strip('"'): (
            extattrs(o).get("ddisync-owner", ""),
            extattrs(o).get("ddisync-uid", ""),
        )
        for o in simulator.grid.objects("record:txt")
        if o["name"] == CLAIM
    }


def claim_text(nameserver: str, state: str) -> str:
    return f"ddisync ns claim: name={NAME} nameserver={nameserver} state={state}"


def delegation(resource: str, namespace: str, nameserver: str, /, **spec: Any) -> dict[str, Any]:
    fields = {"type": "NS", "name": NAME, "nameserver": nameserver}
    return record_manifest(resource, namespace, **{**fields, **spec})


async def drift_events(cluster: Any, namespace: str, name: str) -> list[str]:
    events = await cluster.list("v1/events", namespace)
    return [
        e["message"]
        for e in events
        if e["involvedObject"]["name"] == name and e["reason"] == "DriftRepaired"
    ]


async def test_an_ns_record_is_created_updated_and_deleted_leaving_a_foreign_one(
    cluster, simulator, operator, namespace
) -> None:
    foreign = await wapi_create(
        simulator, "record:ns", {"name": NAME, "nameserver": "ns9.example.net", "addresses": []}
    )
    glue = [{"address": "10.0.0.53"}]
    await cluster.apply(delegation("sub", namespace, "ns1.sub.example.com", addresses=glue))
    condition = await condition_of(cluster, "records", "sub", namespace=namespace)
    assert condition["message"] == (
        "NS record sub.example.com (ns1.sub.example.com (10.0.0.53)) is in sync with Infoblox"
    )
    assert ns_records(simulator) == {"ns1.sub.example.com": ["10.0.0.53"], "ns9.example.net": []}
    [ns] = [o for o in simulator.grid.objects("record:ns") if o["_ref"] != foreign]
    assert ns["addresses"] == [{"address": "10.0.0.53", "auto_create_ptr": False}]
    owner = f"{namespace}/Record/sub"
    uid = (await cluster.get("records", namespace, "sub"))["metadata"]["uid"]
    assert claims(simulator) == {claim_text("ns1.sub.example.com", "held"): (owner, uid)}
    status = (await cluster.get("records", namespace, "sub"))["status"]
    [claim] = [o for o in simulator.grid.objects("record:txt") if o["name"] == CLAIM]
    assert (status["ref"], status["claimRef"]) == (ns["_ref"], claim["_ref"])
    assert (status["fqdn"], status["value"]) == (NAME, "ns1.sub.example.com (10.0.0.53)")
    assert simulator.grid.objects("record:ptr") == []  # no automatic PTR for glue

    # Addresses are updated in place: same NS record, IPv4 and IPv6 mixed.
    glue = [{"address": "2001:db8::53"}, {"address": "10.0.0.54"}]
    await cluster.patch("records", namespace, "sub", {"spec": {"addresses": glue}})
    await eventually(
        lambda: ns_records(simulator)["ns1.sub.example.com"] == ["10.0.0.54", "2001:db8::53"]
    )
    await condition_of(cluster, "records", "sub", namespace=namespace)
    assert ns["_ref"] in {o["_ref"] for o in simulator.grid.objects("record:ns")}

    await cluster.delete("records", namespace, "sub")
    await eventually(lambda: list(ns_records(simulator)) == ["ns9.example.net"])
    assert claims(simulator) == {}


async def test_two_name_servers_of_one_delegation_each_have_their_claim(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(delegation("ns1", namespace, "ns1.example.net"))
    await cluster.apply(delegation("ns2", namespace, "ns2.example.net"))
    await condition_of(cluster, "records", "ns1", namespace=namespace)
    await condition_of(cluster, "records", "ns2", namespace=namespace)
    assert ns_records(simulator) == {"ns1.example.net": [], "ns2.example.net": []}
    assert set(claims(simulator)) == {
        claim_text("ns1.example.net", "held"),
        claim_text("ns2.example.net", "held"),
    }
    await cluster.delete("records", namespace, "ns1")
    # The NS record goes first, then its claim: wait for both (and for the resource).
    await eventually(lambda: list(ns_records(simulator)) == ["ns2.example.net"])
    await eventually(lambda: set(claims(simulator)) == {claim_text("ns2.example.net", "held")})

    async def gone() -> bool:
        return await cluster.get("records", namespace, "ns1") is None

    await eventually(gone)


@pytest.mark.slow  # two sweeps in step, then two repairs
async def test_an_ns_record_deleted_or_edited_in_infoblox_is_repaired_and_announced(
    cluster, simulator, fast_operator, namespace
) -> None:
    glue = [{"address": "10.0.0.53"}]
    await cluster.apply(delegation("sub", namespace, "ns1.example.net", addresses=glue))
    await condition_of(cluster, "records", "sub", namespace=namespace)

    def swept() -> float:
        count = "ddisync_drift_sweep_duration_seconds_count"
        return metric_value(fast_operator, count, kind="Record") or 0

    def repaired() -> float:
        return metric_value(fast_operator, "ddisync_drift_repaired_total", kind="Record") or 0

    # Sweeps that recheck it and find it in step say nothing and count nothing.
    after = swept() + 2
    await eventually(lambda: swept() >= after)
    assert await drift_events(cluster, namespace, "sub") == []
    assert repaired() == 0

    [ns] = simulator.grid.objects("record:ns")
    await wapi_request(simulator, "DELETE", ns["_ref"])
    await eventually(lambda: ns_records(simulator) == {"ns1.example.net": ["10.0.0.53"]})
    [message] = await eventually(lambda: drift_events(cluster, namespace, "sub"))
    assert "its NS record: created" in message
    await eventually(lambda: repaired() == 1)

    [ns] = simulator.grid.objects("record:ns")
    edit = {"addresses": [{"address": "10.0.0.99", "auto_create_ptr": False}]}
    await wapi_request(simulator, "PUT", ns["_ref"], edit)
    await eventually(lambda: ns_records(simulator) == {"ns1.example.net": ["10.0.0.53"]})

    async def two_events() -> bool:
        return len(await drift_events(cluster, namespace, "sub")) == 2

    await eventually(two_events)
    await eventually(lambda: repaired() == 2)
    assert set(claims(simulator)) == {claim_text("ns1.example.net", "held")}


async def test_an_existing_ns_record_is_refused_then_adopted_and_retained(
    cluster, simulator, operator, namespace
) -> None:
    existing = {"address": "10.0.0.7", "auto_create_ptr": False}
    ref = await wapi_create(
        simulator,
        "record:ns",
        {"name": NAME, "nameserver": "ns1.example.net", "addresses": [existing]},
    )
    glue = [{"address": "10.0.0.8"}]
    await cluster.apply(delegation("sub", namespace, "ns1.example.net", addresses=glue))
    refused = await condition_of(cluster, "records", "sub", "False", namespace=namespace)
    assert refused["reason"] == "NotOwned"
    assert (
        "NS record sub.example.com -> ns1.example.net in view default already exists"
        in (refused["message"])
    )
    assert "set spec.adopt: true to take it over" in refused["message"]
    assert ns_records(simulator) == {"ns1.example.net": ["10.0.0.7"]}  # untouched
    assert set(claims(simulator)) == {claim_text("ns1.example.net", "pending")}

    patch = {"spec": {"adopt": True, "deletionPolicy": "Retain"}}
    await cluster.patch("records", namespace, "sub", patch)
    await condition_of(cluster, "records", "sub", namespace=namespace)
    assert ns_records(simulator) == {"ns1.example.net": ["10.0.0.8"]}
    assert set(claims(simulator)) == {claim_text("ns1.example.net", "held")}
    assert (await cluster.get("records", namespace, "sub"))["status"]["ref"] == ref

    simulator.counters.reset()
    await cluster.delete("records", namespace, "sub")
    await eventually(lambda: claims(simulator) == {})
    assert ns_records(simulator) == {"ns1.example.net": ["10.0.0.8"]}  # kept
    # Kept as it is, so not even read: the claim alone is looked up and deleted.
    assert not any(objtype == "record:ns" for _, objtype in simulator.counters.operations)


async def _resource_before_the_operator(cluster: Any, namespace: str) -> str:
    """Apply the NS Record with no operator running and return its uid."""
    await cluster.apply(delegation("sub", namespace, "ns1.example.net"))
    uid: str = (await cluster.get("records", namespace, "sub"))["metadata"]["uid"]
    return uid


async def _pending_claim(simulator: Any, namespace: str, uid: str) -> None:
    """The claim a crash left: created, the NS record's outcome unknown."""
    await wapi_create(
        simulator,
        "record:txt",
        {
            "name": CLAIM,
            "text": f'"{claim_text("ns1.example.net", "pending")}"',  # as ddisync writes it
            "extattrs": markers(uid, f"{namespace}/Record/sub"),
        },
    )


async def test_a_crash_after_the_claim_creates_one_ns_record(
    cluster, simulator, settings, quick_stop, namespace
) -> None:
    uid = await _resource_before_the_operator(cluster, namespace)
    await _pending_claim(simulator, namespace, uid)
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await condition_of(cluster, "records", "sub", namespace=namespace)
    assert ns_records(simulator) == {"ns1.example.net": []}
    owner = f"{namespace}/Record/sub"
    assert claims(simulator) == {claim_text("ns1.example.net", "held"): (owner, uid)}


async def test_a_crash_after_the_ns_record_needs_adopt(
    cluster, simulator, settings, quick_stop, namespace
) -> None:
    """The claim still pending and the NS record there: it cannot be told from someone
    else's, so it is refused rather than taken over."""
    uid = await _resource_before_the_operator(cluster, namespace)
    await _pending_claim(simulator, namespace, uid)
    await wapi_create(
        simulator, "record:ns", {"name": NAME, "nameserver": "ns1.example.net", "addresses": []}
    )
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        refused = await condition_of(cluster, "records", "sub", "False", namespace=namespace)
    assert refused["reason"] == "NotOwned"
    assert ns_records(simulator) == {"ns1.example.net": []}
    assert set(claims(simulator)) == {claim_text("ns1.example.net", "pending")}


async def test_the_api_refuses_a_changed_nameserver(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(delegation("sub", namespace, "ns1.example.net"))
    await condition_of(cluster, "records", "sub", namespace=namespace)
    with pytest.raises(ApiError) as refused:
        await cluster.patch(
            "records", namespace, "sub", {"spec": {"nameserver": "ns2.example.net"}}
        )
    assert refused.value.status == 422
    assert "name and nameserver of an NS record are immutable" in refused.value.message


async def test_without_cel_the_operator_refuses_a_changed_nameserver(
    lenient_cluster, simulator, settings, quick_stop, namespace
) -> None:
    cluster = lenient_cluster
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await cluster.apply(delegation("sub", namespace, "ns1.example.net"))
        await condition_of(cluster, "records", "sub", namespace=namespace)
        await cluster.patch(
            "records", namespace, "sub", {"spec": {"nameserver": "ns2.example.net"}}
        )
        condition = await condition_of(cluster, "records", "sub", "False", namespace=namespace)
    assert condition["reason"] == "ImmutableField"
    assert "an NS record's name and nameserver are immutable" in condition["message"]
    assert ns_records(simulator) == {"ns1.example.net": []}


async def test_a_duplicate_resource_for_one_ns_record_is_a_conflict(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(delegation("first", namespace, "ns1.example.net"))
    await condition_of(cluster, "records", "first", namespace=namespace)
    await cluster.apply(delegation("second", namespace, "ns1.example.net", adopt=True))
    refused = await condition_of(cluster, "records", "second", "False", namespace=namespace)
    assert refused["reason"] == "Conflict"
    assert f"{namespace}/Record/first" in refused["message"]
    assert len(simulator.grid.objects("record:ns")) == 1


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"ttl": 300}, "spec.ttl: is not used by an NS record: NIOS has no TTL on NS records"),
        ({"comment": "x"}, "spec.comment: is not used by an NS record: NIOS has no comment"),
        (
            {"extensibleAttributes": {"Site": "ams"}},
            "spec.extensibleAttributes: is not used by an NS record: NIOS has no extensible",
        ),
        ({"nameserver": None}, "spec: an NS record needs spec.nameserver"),
        ({"nameserver": "ns_1.example.net"}, "spec.nameserver: 'ns_1.example.net' must be"),
        (
            {"addresses": [{"address": "10.0.0.1", "mac": "00:50:56:aa:bb:cc"}]},
            "spec.addresses: 10.0.0.1: an NS record's addresses are its glue addresses",
        ),
        ({"createPTR": True}, "spec.createPTR: is only for A, AAAA and Host records"),
    ],
)  # fmt: skip
async def test_an_invalid_ns_spec_says_which_field(
    lenient_cluster, simulator, settings, quick_stop, namespace, spec: dict[str, Any], message: str
) -> None:
    manifest = delegation("bad", namespace, "ns1.example.net", **spec)
    condition = await refused_by_the_operator(lenient_cluster, settings, manifest)
    assert condition["reason"] == "InvalidSpec"
    assert condition["message"].startswith(message)
    assert simulator.grid.objects("record:ns") == []
    assert simulator.grid.objects("record:txt") == []


async def test_an_orphaned_held_claim_takes_its_ns_record_with_it(
    cluster, simulator, fast_settings, namespace
) -> None:
    held = f'"{claim_text("ns1.example.net", "held")}"'
    await wapi_create(
        simulator,
        "record:txt",
        {"name": CLAIM, "text": held, "extattrs": markers("uid-gone", f"{namespace}/Record/gone")},
    )
    pending = f'"{claim_text("ns2.example.net", "pending")}"'
    await wapi_create(
        simulator,
        "record:txt",
        {"name": CLAIM, "text": pending, "extattrs": markers("uid-x", f"{namespace}/Record/x")},
    )
    for nameserver in ("ns1.example.net", "ns2.example.net", "ns3.example.net"):
        await wapi_create(
            simulator, "record:ns", {"name": NAME, "nameserver": nameserver, "addresses": []}
        )
    settings = fast_settings.model_copy(update={"delete_orphans": True})
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await eventually(lambda: claims(simulator) == {}, timeout=10)
    # The held claim's NS record went with it; a pending claim's and an unclaimed one stay.
    assert ns_records(simulator) == {"ns2.example.net": [], "ns3.example.net": []}


async def test_a_claim_deleted_by_hand_leaves_the_ns_record_to_adopt(
    cluster, simulator, fast_operator, namespace
) -> None:
    await cluster.apply(delegation("sub", namespace, "ns1.example.net"))
    await condition_of(cluster, "records", "sub", namespace=namespace)
    [claim] = [o for o in simulator.grid.objects("record:txt") if o["name"] == CLAIM]
    await wapi_request(simulator, "DELETE", claim["_ref"])
    refused = await condition_of(cluster, "records", "sub", "False", namespace=namespace)
    assert refused["reason"] == "NotOwned"
    assert ns_records(simulator) == {"ns1.example.net": []}  # never deleted nor duplicated
    await cluster.patch("records", namespace, "sub", {"spec": {"adopt": True}})
    await condition_of(cluster, "records", "sub", namespace=namespace)
    assert set(claims(simulator)) == {claim_text("ns1.example.net", "held")}
    [ns] = simulator.grid.objects("record:ns")

    async def adopted() -> list[str]:
        events = await cluster.list("v1/events", namespace)
        return [e["message"] for e in events if e["reason"] == "Adopted"]

    assert await eventually(adopted) == [f"took over the existing Infoblox NS record {ns['_ref']}"]


async def test_a_delegation_with_no_parent_zone_names_the_zone_to_create(
    cluster, simulator, operator, namespace
) -> None:
    manifest = record_manifest(
        "far", namespace, type="NS", name="sub.nowhere.test", nameserver="ns1.example.net"
    )
    await cluster.apply(manifest)
    refused = await condition_of(cluster, "records", "far", "False", namespace=namespace)
    assert refused["reason"] == "ParentNotFound"
    assert "_ddisync-ns-sub.nowhere.test" in refused["message"]
    assert "create its zone in Infoblox (for instance nowhere.test)" in refused["message"]
    assert simulator.grid.objects("record:ns") == []
