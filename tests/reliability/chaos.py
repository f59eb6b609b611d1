"""Helpers of the chaos test: the resources to sync, and an inventory of what the simulated grid
holds. (The operator process it kills and restarts is ``tests.stack.OperatorProcess``.)
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator
from tests.e2e.helpers import extattrs, network_manifest, ready, record_manifest
from tests.stack import CLUSTER_ID

RECORD_TYPES = ("record:a", "record:cname", "record:txt", "record:ptr")
"""Every WAPI type the chaos resources make (Networks make ``network``)."""


def manifests(networks: int) -> list[dict[str, Any]]:
    """``networks`` Networks and four Records per Network: an A record with a fixed address,
    an A record whose address comes from the Network, a CNAME and a TXT; every third A record
    also has a PTR (createPTR)."""
    made: list[dict[str, Any]] = []
    for i in range(networks):
        made.append(network_manifest(f"net-{i}", cidr=f"10.60.{i}.0/24", comment=f"chaos {i}"))
    for i in range(networks):
        made += [
            record_manifest(
                f"fixed-{i}", type="A", name=f"fixed-{i}.example.com",
                address=f"10.60.{i}.10", createPTR=i % 3 == 0,
            ),
            record_manifest(
                f"alloc-{i}", type="A", name=f"alloc-{i}.example.com",
                addressFrom={"networkRef": {"name": f"net-{i}"}}, createPTR=i % 3 == 1,
            ),
            record_manifest(
                f"alias-{i}", type="CNAME", name=f"alias-{i}.example.com",
                canonical=f"fixed-{i}.example.com",
            ),
            record_manifest(
                f"text-{i}", type="TXT", name=f"text-{i}.example.org",
                text=f"chaos={i}; owner=team-{i % 7}",
            ),
        ]  # fmt: skip
    return made


def plural(manifest: dict[str, Any]) -> str:
    return "networks" if manifest["kind"] == "Network" else "records"


def expected_counts(chosen: list[dict[str, Any]]) -> Counter[str]:
    """How many objects of each WAPI type the resources ``chosen`` should make."""
    counts: Counter[str] = Counter()
    for manifest in chosen:
        spec = manifest["spec"]
        if manifest["kind"] == "Network":
            counts["network"] += 1
            continue
        counts[f"record:{spec['type'].lower()}"] += 1
        if spec.get("createPTR"):
            counts["record:ptr"] += 1
    return counts


def marked(simulator: Simulator, objtype: str) -> list[dict[str, Any]]:
    """The objects of a type that carry this cluster's ownership marker."""
    return [
        obj
        for obj in simulator.grid.objects(objtype)
        if extattrs(obj).get("ddisync-cluster") == CLUSTER_ID
    ]


def inventory(simulator: Simulator) -> dict[str, list[dict[str, Any]]]:
    return {objtype: marked(simulator, objtype) for objtype in ("network", *RECORD_TYPES)}


def ref_key(ref: str) -> str:
    """``record:a/ZG5z...:name/view`` → ``record:a/ZG5z...`` (the part a lookup uses)."""
    objtype, _, rest = ref.partition("/")
    return f"{objtype}/{rest.split(':', 1)[0]}"


def duplicates(found: dict[str, list[dict[str, Any]]]) -> list[tuple[str, Any, int]]:
    """(type, uid, count) for every uid that more than one object of a type carries."""
    return [
        (objtype, uid, n)
        for objtype, objects in found.items()
        for uid, n in Counter(extattrs(o).get("ddisync-uid") for o in objects).items()
        if n > 1
    ]


async def ready_names(cluster: Cluster) -> set[tuple[str, str]]:
    """(plural, name) of every resource whose Ready condition is True for its generation."""
    names: set[tuple[str, str]] = set()
    for kind in ("networks", "records"):
        for resource in await cluster.list(kind, "default"):
            if (ready(resource) or {}).get("status") == "True":
                names.add((kind, resource["metadata"]["name"]))
    return names
