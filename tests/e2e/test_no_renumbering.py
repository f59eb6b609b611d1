"""Once allocated, a Network's cidr never changes by itself, and a Network is never created
inside another network (NIOS would turn that one into a container, with a new ref)."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync_emulator.cluster import Cluster
from tests.e2e.helpers import (
    condition_of,
    eventually,
    extattrs,
    metric_value,
    network_manifest,
    wapi_create,
)

# Resources in fixed namespaces (and cluster-scoped kinds): a cluster of its own, and an
# operator watching every namespace (tests/e2e/conftest.py).
pytestmark = pytest.mark.whole_cluster


def owned_by(simulator: Any, uid: str) -> list[tuple[str, str]]:
    """(object type, cidr) of every network or container carrying this resource's marker."""
    return [
        (objtype, obj["network"])
        for objtype in ("network", "networkcontainer")
        for obj in simulator.grid.objects(objtype)
        if extattrs(obj).get("ddisync-uid") == uid
    ]


async def test_a_network_inside_another_is_refused_naming_it_and_its_owner(
    cluster: Cluster, simulator: Any, operator: object
) -> None:
    alloc = {"fromContainer": "10.0.0.0/8", "prefixLength": 26}
    await cluster.apply(network_manifest("batch-workers", allocate=alloc))
    await condition_of(cluster, "networks", "batch-workers")
    workers = await cluster.get("networks", "default", "batch-workers")
    assert workers is not None
    cidr = workers["status"]["cidr"]
    inside = cidr.replace("/26", "/27").replace(".0/", ".32/")

    await cluster.apply(network_manifest("inside", cidr=inside))
    refused = await condition_of(cluster, "networks", "inside", status="False")
    assert refused["reason"] == "Conflict"
    assert f"would lie inside network {cidr}" in refused["message"]
    assert "default/Network/batch-workers" in refused["message"]
    uid = workers["metadata"]["uid"]
    assert owned_by(simulator, uid) == [("network", cidr)]  # still a network, still there


async def test_a_network_made_a_container_is_reported_never_reallocated_and_an_orphan_later(
    cluster: Cluster, simulator: Any, fast_operator: object
) -> None:
    alloc = {"fromContainer": "10.0.0.0/8", "prefixLength": 26}
    await cluster.apply(network_manifest("batch-workers", allocate=alloc))
    await condition_of(cluster, "networks", "batch-workers")
    workers = await cluster.get("networks", "default", "batch-workers")
    assert workers is not None
    cidr, uid = workers["status"]["cidr"], workers["metadata"]["uid"]

    # Someone creates a network inside it, out of band: NIOS makes ours a container.
    await wapi_create(simulator, "network", {"network": cidr.replace("/26", "/28")})
    assert owned_by(simulator, uid) == [("networkcontainer", cidr)]

    condition = await condition_of(cluster, "networks", "batch-workers", status="False")
    assert condition["reason"] == "NetworkBecameContainer"
    assert cidr in condition["message"]
    again = await cluster.get("networks", "default", "batch-workers")
    assert again is not None and again["status"]["cidr"] == cidr  # never renumbered

    async def announced() -> list[str]:
        events = await cluster.list("v1/events", "default")
        return [
            e["message"]
            for e in events
            if e["involvedObject"]["name"] == "batch-workers"
            and e["reason"] == "NetworkBecameContainer"
        ]

    assert await eventually(announced)
    assert owned_by(simulator, uid) == [("networkcontainer", cidr)]  # no new allocation

    # Deleted, the resource leaves the container (it holds others' networks): an orphan.
    await cluster.delete("networks", "default", "batch-workers")
    assert await eventually(
        lambda: metric_value(fast_operator, "ddisync_orphans", kind="Network") == 1
    )
