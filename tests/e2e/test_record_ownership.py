"""Records ddisync does not own, DNS conflicts, a crash mid-create, and refused specs."""

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
    network_manifest,
    record_manifest,
    wapi_create,
)


async def test_a_cname_over_an_existing_a_record_is_a_conflict(
    cluster, simulator, operator, namespace
) -> None:
    await wapi_create(simulator, "record:a", {"name": "busy.example.com", "ipv4addr": "10.70.0.1"})
    await cluster.apply(
        record_manifest(
            "alias", namespace, type="CNAME", name="busy.example.com", canonical="web.example.org"
        )
    )
    condition = await condition_of(cluster, "records", "alias", status="False", namespace=namespace)
    assert condition["reason"] == "Conflict"
    assert "The record 'busy.example.com' already exists" in condition["message"]
    assert simulator.grid.objects("record:cname") == []


async def test_a_name_outside_every_zone_is_parent_not_found(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        record_manifest("lost", namespace, type="A", name="web.nowhere.test", address="10.70.0.2")
    )
    condition = await condition_of(cluster, "records", "lost", status="False", namespace=namespace)
    assert condition["reason"] == "ParentNotFound"
    assert "A parent was not found" in condition["message"]


async def test_an_unowned_record_is_left_alone_until_adopted(
    cluster, simulator, operator, namespace
) -> None:
    await wapi_create(
        simulator,
        "record:a",
        {
            "name": "legacy.example.com",
            "ipv4addr": "10.70.0.3",
            "comment": "by hand",
            "extattrs": {"Site": {"value": "lon"}},
        },
    )
    await cluster.apply(
        record_manifest(
            "legacy",
            namespace,
            type="A",
            name="legacy.example.com",
            address="10.70.0.3",
            comment="ours",
        )
    )
    condition = await condition_of(
        cluster, "records", "legacy", status="False", namespace=namespace
    )
    assert condition["reason"] == "NotOwned"
    assert "adopt" in condition["message"]
    assert simulator.grid.objects("record:a")[0]["comment"] == "by hand"

    await cluster.patch("records", namespace, "legacy", {"spec": {"adopt": True}})
    await condition_of(cluster, "records", "legacy", namespace=namespace)
    [adopted] = simulator.grid.objects("record:a")
    assert adopted["comment"] == "ours"
    assert extattrs(adopted)["Site"] == "lon"  # other teams' attributes survive adoption
    assert extattrs(adopted)["ddisync-owner"] == f"{namespace}/Record/legacy"


async def test_a_record_of_another_resource_is_a_conflict_naming_its_owner(
    cluster, simulator, operator, namespace
) -> None:
    await wapi_create(
        simulator,
        "record:cname",
        {
            "name": "shared.example.com",
            "canonical": "a.example.org",
            "extattrs": markers("0000-other", "team-b/Record/shared", cluster="prod"),
        },
    )
    await cluster.apply(
        record_manifest(
            "mine",
            namespace,
            type="CNAME",
            name="shared.example.com",
            canonical="b.example.org",
            adopt=True,
        )
    )
    condition = await condition_of(cluster, "records", "mine", status="False", namespace=namespace)
    assert condition["reason"] == "Conflict"
    assert "team-b/Record/shared in cluster prod" in condition["message"]
    assert simulator.grid.objects("record:cname")[0]["canonical"] == "a.example.org"


async def test_deleting_an_unowned_record_resource_leaves_infoblox_alone(
    cluster, simulator, operator, namespace
) -> None:
    await wapi_create(simulator, "record:txt", {"name": "keep.example.com", "text": "hello"})
    await cluster.apply(
        record_manifest("keep", namespace, type="TXT", name="keep.example.com", text="hello")
    )
    await condition_of(cluster, "records", "keep", status="False", namespace=namespace)
    await cluster.delete("records", namespace, "keep")

    async def gone() -> bool:
        return await cluster.get("records", namespace, "keep") is None

    await eventually(gone)
    assert len(simulator.grid.objects("record:txt")) == 1


async def test_a_create_interrupted_before_the_status_patch_is_not_repeated(
    cluster, simulator, settings, namespace
) -> None:
    """The operator crashed after Infoblox allocated and created the record but before the
    status was written: on restart it finds the record by its marker, keeps its address, and
    makes no second one."""
    await cluster.apply(network_manifest("pool", namespace, cidr="10.71.0.0/24"))
    await cluster.apply(
        record_manifest(
            "app",
            namespace,
            type="A",
            name="app.example.com",
            addressFrom={"networkRef": {"name": "pool"}},
        )
    )
    uid = (await cluster.get("records", namespace, "app"))["metadata"]["uid"]
    await wapi_create(
        simulator,
        "record:a",
        {
            "name": "app.example.com",
            "ipv4addr": "10.71.0.77",
            "extattrs": markers(uid, f"{namespace}/Record/app"),
        },
    )
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await condition_of(cluster, "records", "app", namespace=namespace)
    assert (await cluster.get("records", namespace, "app"))["status"]["address"] == "10.71.0.77"
    ours = [a for a in simulator.grid.objects("record:a") if extattrs(a).get("ddisync-uid") == uid]
    assert len(ours) == 1


async def test_the_api_refuses_a_changed_type(cluster, simulator, operator, namespace) -> None:
    await cluster.apply(
        record_manifest("web", namespace, type="A", name="web.example.com", address="10.70.0.4")
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    with pytest.raises(ApiError) as refused:
        await cluster.patch(
            "records", namespace, "web", {"spec": {"type": "AAAA", "address": "2001:db8::4"}}
        )
    assert refused.value.status == 422
    assert "type is immutable" in refused.value.message


async def test_without_cel_the_operator_refuses_a_changed_type(
    lenient_cluster, simulator, settings, namespace
) -> None:
    cluster = lenient_cluster
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await cluster.apply(
            record_manifest("web", namespace, type="A", name="web.example.com", address="10.70.0.5")
        )
        await condition_of(cluster, "records", "web", namespace=namespace)
        await cluster.patch(
            "records",
            namespace,
            "web",
            {"spec": {"type": "CNAME", "address": None, "canonical": "x.example.org"}},
        )
        condition = await condition_of(
            cluster, "records", "web", status="False", namespace=namespace
        )
    assert condition["reason"] == "ImmutableField"
    assert "type is immutable" in condition["message"]
    assert simulator.grid.objects("record:cname") == []
    assert len(simulator.grid.objects("record:a")) == 1


BAD_SPECS: list[tuple[str, dict[str, Any], str]] = [
    ("bad-ip", {"type": "A", "name": "w.example.com", "address": "10.1.2.300"}, "spec.address:"),
    ("v6-in-a", {"type": "A", "name": "w.example.com", "address": "2001:db8::1"}, "use AAAA"),
    ("no-target", {"type": "CNAME", "name": "w.example.com"}, "needs spec.canonical"),
    (
        "stray-field",
        {"type": "A", "name": "w.example.com", "address": "10.1.2.3", "canonical": "x.example.com"},
        "spec.canonical: is not used by an A record",
    ),
    ("non-ascii", {"type": "TXT", "name": "t.example.com", "text": "caf\u00e9"}, "spec.text:"),
    (
        "srv-name",
        {
            "type": "SRV",
            "name": "sip.example.com",
            "target": "s.example.com",
            "port": 1,
            "priority": 1,
            "weight": 1,
        },
        "spec.name: 'sip.example.com' must be of the form _service._proto.domain",
    ),
    (
        "dot",
        {"type": "MX", "name": "example.com", "mailExchanger": "mx.example.com.", "preference": 1},
        "spec.mailExchanger: 'mx.example.com.' ends with a dot: drop the trailing dot",
    ),
    ("no-address", {"type": "A", "name": "w.example.com"}, "spec.address or spec.addressFrom"),
    ("ttl", {"type": "A", "name": "w.example.com", "address": "10.1.2.3", "ttl": -5}, "spec.ttl:"),
    ("type", {"type": "SPF", "name": "w.example.com"}, "spec.type:"),
    (
        "marker",
        {
            "type": "A",
            "name": "w.example.com",
            "address": "10.1.2.3",
            "extensibleAttributes": {"ddisync-uid": "x"},
        },
        "spec.extensibleAttributes: 'ddisync-uid'",
    ),
    ("label", {"type": "A", "name": "w..example.com", "address": "10.1.2.3"}, "empty label"),
    (
        "reverse",
        {
            "type": "PTR",
            "address": "10.1.2.3",
            "name": "4.2.1.10.in-addr.arpa",
            "ptrdname": "x.example.com",
        },
        "is not the reverse name of spec.address",
    ),
]


async def test_each_bad_spec_is_refused_naming_the_field(
    lenient_cluster, simulator, settings, namespace
) -> None:
    """Without CEL in the API server (an old CRD), the operator's own validation refuses each
    bad spec with InvalidSpec and a message naming the field; nothing reaches Infoblox."""
    cluster = lenient_cluster
    before = {t: len(simulator.grid.objects(t)) for t in ("record:a", "record:txt", "record:mx")}
    async with running_operator(settings, connection=cluster.connection, post_events=False):
        for resource, spec, _ in BAD_SPECS:
            await cluster.apply(record_manifest(resource, namespace, **spec))
        for resource, _, expected in BAD_SPECS:
            condition = await condition_of(
                cluster, "records", resource, status="False", namespace=namespace
            )
            assert condition["reason"] == "InvalidSpec", resource
            assert expected in condition["message"], (resource, condition["message"])
    assert before == {t: len(simulator.grid.objects(t)) for t in before}
