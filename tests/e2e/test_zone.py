"""A Zone resource, end to end: Kubernetes emulator → real operator → simulated Infoblox.

The simulator starts from the demo seed: zones example.com, example.org, the reverse zones
10.0.0.0/8 and 2001:db8::/32, and the name server group ``default`` (ns1/ns2.example.com).
"""

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


def zone_manifest(name: str, namespace: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "Zone",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def zones(simulator: Any, fqdn: str) -> list[dict[str, Any]]:
    return [z for z in simulator.grid.objects("zone_auth") if z["fqdn"] == fqdn]


def name_servers(simulator: Any, apex: str) -> list[str]:
    return sorted(
        ns["nameserver"] for ns in simulator.grid.objects("record:ns") if ns["name"] == apex
    )


async def test_a_zone_is_created_updated_and_deleted_with_its_name_servers(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        zone_manifest(
            "team", namespace, fqdn="Team-Z.example.com", nsGroup="default",
            comment="team z", extensibleAttributes={"Site": "ams1"},
        )
    )  # fmt: skip
    condition = await condition_of(cluster, "zones", "team", namespace=namespace)
    assert condition["message"] == "zone team-z.example.com is in sync with Infoblox"
    resource = await cluster.get("zones", namespace, "team")
    status = resource["status"]
    (zone,) = zones(simulator, "team-z.example.com")
    assert status["ref"] == zone["_ref"]
    assert (status["fqdn"], status["zoneFormat"], status["view"], status["nsGroup"]) == (
        "team-z.example.com", "FORWARD", "default", "default",
    )  # fmt: skip
    assert zone["comment"] == "team z"
    assert extattrs(zone) == {
        "Site": "ams1",
        "ddisync-cluster": "e2e",
        "ddisync-owner": f"{namespace}/Zone/team",
        "ddisync-uid": resource["metadata"]["uid"],
    }
    # NIOS serves it from the group's members: its apex NS records.
    assert name_servers(simulator, "team-z.example.com") == ["ns1.example.com", "ns2.example.com"]

    # Another group and comment: the same zone, updated.
    await wapi_create(
        simulator, "nsgroup", {"name": "solo", "grid_primary": [{"name": "ns9.example.net"}]}
    )
    await cluster.patch("zones", namespace, "team", {"spec": {"nsGroup": "solo", "comment": "z"}})
    await eventually(lambda: name_servers(simulator, "team-z.example.com") == ["ns9.example.net"])
    await eventually(lambda: zones(simulator, "team-z.example.com")[0].get("comment") == "z")
    assert zones(simulator, "team-z.example.com")[0]["_ref"] == zone["_ref"]

    await cluster.delete("zones", namespace, "team")

    async def gone() -> bool:
        return await cluster.get("zones", namespace, "team") is None

    await eventually(gone)
    assert zones(simulator, "team-z.example.com") == []
    assert name_servers(simulator, "team-z.example.com") == []


@pytest.mark.parametrize(
    ("cidr", "zone_format", "arpa"),
    [("10.64.0.0/16", "IPV4", "64.10.in-addr.arpa"),
     ("2001:db8:a::/48", "IPV6", "a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa")],
)  # fmt: skip
async def test_a_reverse_zone_is_given_by_its_network(
    cluster, simulator, operator, namespace, cidr: str, zone_format: str, arpa: str
) -> None:
    await cluster.apply(zone_manifest("reverse", namespace, fqdn=cidr))
    await condition_of(cluster, "zones", "reverse", namespace=namespace)
    status = (await cluster.get("zones", namespace, "reverse"))["status"]
    assert (status["fqdn"], status["zoneFormat"]) == (cidr, zone_format)
    (zone,) = zones(simulator, cidr)
    assert (zone["zone_format"], zone["dns_fqdn"]) == (zone_format, arpa)


async def test_a_zone_edited_in_infoblox_is_repaired(
    cluster, simulator, fast_operator, namespace
) -> None:
    await cluster.apply(zone_manifest("drift", namespace, fqdn="drift.example.com", comment="ours"))
    await condition_of(cluster, "zones", "drift", namespace=namespace)
    (zone,) = zones(simulator, "drift.example.com")
    await wapi_request(simulator, "PUT", zone["_ref"], {"comment": "edited by hand"})
    await eventually(lambda: zones(simulator, "drift.example.com")[0].get("comment") == "ours")


async def test_an_existing_zone_is_refused_then_adopted_and_retained(
    cluster, simulator, operator, namespace
) -> None:
    ref = await wapi_create(
        simulator, "zone_auth", {"fqdn": "legacy.example.com", "comment": "old"}
    )
    await cluster.apply(
        zone_manifest("legacy", namespace, fqdn="legacy.example.com", comment="old")
    )
    refused = await condition_of(cluster, "zones", "legacy", status="False", namespace=namespace)
    assert refused["reason"] == "NotOwned"
    assert "zone legacy.example.com in view default already exists" in refused["message"]
    assert "ddisync-uid" not in extattrs(zones(simulator, "legacy.example.com")[0])

    await cluster.patch(
        "zones", namespace, "legacy", {"spec": {"adopt": True, "deletionPolicy": "Retain"}}
    )
    await condition_of(cluster, "zones", "legacy", namespace=namespace)
    (zone,) = zones(simulator, "legacy.example.com")
    assert zone["_ref"] == ref and extattrs(zone)["ddisync-owner"] == f"{namespace}/Zone/legacy"

    # Retain: the resource goes, the zone stays, without ddisync's markers.
    await cluster.delete("zones", namespace, "legacy")

    async def gone() -> bool:
        return await cluster.get("zones", namespace, "legacy") is None

    await eventually(gone)
    (zone,) = zones(simulator, "legacy.example.com")
    assert zone["comment"] == "old" and extattrs(zone) == {}


@pytest.mark.parametrize(
    ("spec", "reason", "message"),
    [
        ({"fqdn": "nsless.example.com", "nsGroup": "nope"}, "ParentNotFound",
         "spec.nsGroup: no name server group 'nope' in Infoblox: create it there, or correct "
         "spec.nsGroup (Infoblox: Name server group nope not found)"),
        ({"fqdn": "viewless.example.com", "view": "nope"}, "InvalidSpec",
         "DNS view 'nope' does not exist in Infoblox"),
        ({"fqdn": "example.com"}, "NotOwned", "zone example.com in view default already exists"),
    ],
)  # fmt: skip
async def test_a_zone_infoblox_cannot_take_says_why(
    cluster, simulator, operator, namespace, spec: dict[str, Any], reason: str, message: str
) -> None:
    await cluster.apply(zone_manifest("bad", namespace, **spec))
    condition = await condition_of(cluster, "zones", "bad", status="False", namespace=namespace)
    assert condition["reason"] == reason
    assert message in condition["message"]


@pytest.mark.parametrize(
    ("fqdn", "message"),
    [
        ("10.64.0.0/12", "spec.fqdn: '10.64.0.0/12': a reverse zone's prefix length must be a "
         "multiple of 8 (IPv4 reverse names have one label per 8 bits)"),
        ("10.64.1.0/16", "spec.fqdn: '10.64.1.0/16' has host bits set; did you mean 10.64.0.0/16?"),
        ("bad name.example.com", "spec.fqdn: 'bad name.example.com' contains characters not "
         "allowed in DNS names: ' '"),
    ],
)  # fmt: skip
async def test_an_invalid_zone_spec_is_refused_by_the_api_server_and_the_operator(
    lenient_cluster, simulator, settings, quick_stop, namespace, fqdn: str, message: str
) -> None:
    manifest = zone_manifest("invalid", namespace, fqdn=fqdn)
    condition = await refused_by_the_operator(lenient_cluster, settings, manifest)
    assert (condition["reason"], condition["message"]) == ("InvalidSpec", message)


async def test_a_zone_waits_for_the_records_in_it(cluster, simulator, operator, namespace) -> None:
    await cluster.apply(zone_manifest("apps", namespace, fqdn="apps.example.org"))
    await cluster.apply(zone_manifest("rev", namespace, fqdn="10.65.0.0/16"))
    await condition_of(cluster, "zones", "apps", namespace=namespace)
    await condition_of(cluster, "zones", "rev", namespace=namespace)
    await cluster.apply(
        record_manifest(
            "web", namespace, type="A", name="web.apps.example.org", address="10.65.0.5",
            createPTR=True,
        )
    )  # fmt: skip
    await cluster.apply(
        record_manifest("out", namespace, type="A", name="out.example.org", address="10.1.0.5")
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    await condition_of(cluster, "records", "out", namespace=namespace)

    await cluster.delete("zones", namespace, "apps")
    await cluster.delete("zones", namespace, "rev")
    for zone in ("apps", "rev"):
        waiting = await condition_of(cluster, "zones", zone, status="False", namespace=namespace)
        assert (waiting["reason"], waiting["message"]) == (
            "Deleting", f"waiting to delete: in use by Record {namespace}/web",
        )  # fmt: skip
    assert zones(simulator, "apps.example.org") and zones(simulator, "10.65.0.0/16")

    await cluster.delete("records", namespace, "web")

    async def both_gone() -> bool:
        left = [await cluster.get("zones", namespace, z) for z in ("apps", "rev")]
        return left == [None, None]

    await eventually(both_gone, timeout=30)
    assert zones(simulator, "apps.example.org") == [] and zones(simulator, "10.65.0.0/16") == []
    # The record outside them is untouched.
    assert [a["name"] for a in simulator.grid.objects("record:a")] == ["out.example.org"]


ZONE_GRANT = {
    "apiVersion": "ddisync.io/v1alpha1",
    "kind": "DDIGrant",
    "metadata": {"name": "team-z"},
    "spec": {
        "grid": "default",
        "namespaces": ["team-z"],
        "dns": {"views": ["default"], "zones": ["team-z.example.com"]},
        "ipam": {"networkViews": ["default"], "containers": ["10.64.0.0/12"]},
    },
}


@pytest.mark.whole_cluster
async def test_zones_outside_the_grant_are_forbidden_before_any_wapi_call(
    cluster, simulator, settings, quick_stop
) -> None:
    from ddisync.runtime import running_operator
    from ddisync.tenancy import Enforcement

    await cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-z"}})
    await cluster.apply(ZONE_GRANT)
    enforcing = settings.model_copy(update={"tenancy": Enforcement.ON})
    async with running_operator(enforcing, connection=cluster.connection, post_events=False):
        await cluster.apply(zone_manifest("inside", "team-z", fqdn="lab.team-z.example.com"))
        await cluster.apply(zone_manifest("rev-inside", "team-z", fqdn="10.66.0.0/16"))
        await condition_of(cluster, "zones", "inside", namespace="team-z")
        await condition_of(cluster, "zones", "rev-inside", namespace="team-z")
        simulator.counters.reset()
        await cluster.apply(zone_manifest("parent", "team-z", fqdn="example.com", adopt=True))
        await cluster.apply(zone_manifest("rev-outside", "team-z", fqdn="10.1.0.0/16"))
        parent = await condition_of(cluster, "zones", "parent", "False", namespace="team-z")
        outside = await condition_of(cluster, "zones", "rev-outside", "False", namespace="team-z")
    assert (parent["reason"], parent["message"]) == (
        "Forbidden",
        "`example.com` is outside the zones granted to namespace team-z on grid default: "
        "team-z.example.com",
    )
    assert (outside["reason"], outside["message"]) == (
        "Forbidden",
        "address `10.1.0.0/16` is outside the containers granted to namespace team-z on grid "
        "default: 10.64.0.0/12",
    )
    assert simulator.counters.total(objtype="zone_auth") == 0
    assert zones(simulator, "10.1.0.0/16") == []


async def test_the_api_refuses_a_changed_fqdn_and_without_cel_the_operator_does(
    cluster, lenient_cluster, simulator, settings, quick_stop, namespace
) -> None:
    from ddisync.runtime import running_operator
    from ddisync_emulator.objects import ApiError

    await cluster.apply(zone_manifest("moved", namespace, fqdn="one.example.org"))
    with pytest.raises(ApiError) as refused:
        await cluster.patch("zones", namespace, "moved", {"spec": {"fqdn": "two.example.org"}})
    assert refused.value.status == 422
    assert "fqdn is immutable: create a new Zone instead" in refused.value.message

    async with running_operator(settings, connection=lenient_cluster.connection, post_events=False):
        await lenient_cluster.apply(zone_manifest("moved", namespace, fqdn="one.example.org"))
        await condition_of(lenient_cluster, "zones", "moved", namespace=namespace)
        patch = {"spec": {"fqdn": "two.example.org"}}
        await lenient_cluster.patch("zones", namespace, "moved", patch)
        condition = await condition_of(
            lenient_cluster, "zones", "moved", status="False", namespace=namespace
        )
    assert condition["reason"] == "ImmutableField"
    assert condition["message"].startswith(
        "spec.fqdn is two.example.org but the zone in Infoblox is one.example.org"
    )
    assert zones(simulator, "two.example.org") == []
