"""In-memory indexes of the watched resources (``@kopf.index``): cross-resource lookups that
cost no API call.

============================  =======================================  ========================
index (handler kwarg)         key → value                              used by
============================  =======================================  ========================
``network_index``             (namespace, name) → ``NetworkFacts``     Record ``addressFrom``
``network_uids``              Network uid → ``namespace/name``         orphan scan (Network)
``record_uids``               Record uid → ``namespace/name``          orphan scan (Record)
============================  =======================================  ========================

The indexes take no label filter: a Record may allocate from a Network another shard
reconciles, and an object owned by a resource of another label shard is not an orphan. kopf
fills every index before it runs the first other handler.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import kopf

from ddisync.api.meta import GROUP, VERSION

NETWORK_INDEX = "network_index"
NETWORK_UIDS = "network_uids"
RECORD_UIDS = "record_uids"


@dataclass(frozen=True)
class NetworkFacts:
    """What a Record needs to know about a Network, read from the Network's status."""

    cidr: str | None
    network_view: str
    ready: bool
    reason: str  # the Ready condition's reason, for "waiting for ..." messages


def network_facts(status: Mapping[str, Any] | None) -> NetworkFacts:
    status = status or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    return NetworkFacts(
        cidr=status.get("cidr"),
        network_view=status.get("networkView") or "default",
        ready=bool(ready and ready.get("status") == "True" and status.get("cidr")),
        reason=str(ready.get("reason")) if ready else "not reconciled yet",
    )


def lookup_network(index: kopf.Index[Any, Any], namespace: str, name: str) -> NetworkFacts | None:
    store = index.get((namespace, name))
    return next(iter(store), None) if store is not None else None


def _key(body: kopf.Body) -> tuple[str, str]:
    return str(body["metadata"].get("namespace") or ""), str(body["metadata"]["name"])


def register_indexes(registry: kopf.OperatorRegistry) -> None:
    @kopf.index(GROUP, VERSION, "networks", registry=registry, id=NETWORK_INDEX)
    async def networks_by_name(body: kopf.Body, **_: Any) -> dict[tuple[str, str], NetworkFacts]:
        return {_key(body): network_facts(body.get("status"))}

    @kopf.index(GROUP, VERSION, "networks", registry=registry, id=NETWORK_UIDS)
    async def network_uids(body: kopf.Body, **_: Any) -> dict[str, str]:
        return {str(body["metadata"]["uid"]): "/".join(_key(body))}

    @kopf.index(GROUP, VERSION, "records", registry=registry, id=RECORD_UIDS)
    async def record_uids(body: kopf.Body, **_: Any) -> dict[str, str]:
        return {str(body["metadata"]["uid"]): "/".join(_key(body))}
