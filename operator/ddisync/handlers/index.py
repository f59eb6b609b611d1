"""What the operator knows of the watched resources, kept from their watch events: cross-resource
lookups that cost no API call.

============================  =======================================  ========================
catalog field                 key → value                              used by
============================  =======================================  ========================
``networks``                  (namespace, name) → ``NetworkFacts``     Record ``addressFrom``
``network_uids``              Network uid → ``namespace/name``         orphan scan (Network)
``record_uids``               Record uid → ``namespace/name``          orphan scan (Record)
``bodies``                    kind → uid → the latest body, for the    drift sweep
                              resources this shard reconciles (not
                              being deleted)
``resources``                 kind → the kopf resource (API paths)     drift sweep (status)
============================  =======================================  ========================

Why not ``@kopf.index``: kopf holds every handler until all indexes are filled, with one
toggle per object whose every change wakes every waiting worker — quadratic in the number of
objects at start (measured: most of the CPU of a 3,000-object cold start). A plain map kept by
``@kopf.on.event`` costs a dict update per event. The price: right after a start, a Record may
be handled before its Network was seen; it then waits (NetworkNotReady) and retries within a
second or two. The orphan scan first runs one resync interval after the start, when every
resource has long been listed.

The uid and Network maps take no label filter: a Record may allocate from a Network another
shard reconciles, and an object owned by a resource of another label shard is not an orphan.
``bodies`` holds only what this shard reconciles (``selectors.selects``). It keeps a reference
to the body kopf parsed from the event, no copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import kopf

from ddisync.api.meta import GROUP, VERSION
from ddisync.handlers.drift import ready_condition
from ddisync.handlers.posting import hand_over
from ddisync.handlers.selectors import selects
from ddisync.handlers.shared import shared


@dataclass(frozen=True)
class NetworkFacts:
    """What a Record needs to know about a Network, read from the Network's status."""

    cidr: str | None
    network_view: str
    ready: bool
    reason: str  # the Ready condition's reason, for "waiting for ..." messages


def network_facts(status: Mapping[str, Any] | None) -> NetworkFacts:
    status = status or {}
    ready = ready_condition(status)
    return NetworkFacts(
        cidr=status.get("cidr"),
        network_view=status.get("networkView") or "default",
        ready=bool(ready and ready.get("status") == "True" and status.get("cidr")),
        reason=str(ready.get("reason")) if ready else "not reconciled yet",
    )


@dataclass
class Catalog:
    networks: dict[tuple[str, str], NetworkFacts] = field(default_factory=dict)
    network_uids: dict[str, str] = field(default_factory=dict)
    record_uids: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, dict[str, Mapping[str, Any]]] = field(default_factory=dict)
    resources: dict[str, kopf.Resource] = field(default_factory=dict)

    def lookup_network(self, namespace: str, name: str) -> NetworkFacts | None:
        return self.networks.get((namespace, name))

    def keep_body(
        self, kind: str, resource: kopf.Resource, event: kopf.RawEvent, reconciled: bool
    ) -> None:
        """Keep the newest body of a resource this shard reconciles; forget a deleted one."""
        body = event["object"]
        uid = str(body["metadata"]["uid"])
        known = self.bodies.setdefault(kind, {})
        gone = event.get("type") == "DELETED" or body["metadata"].get("deletionTimestamp")
        if gone or not reconciled:
            known.pop(uid, None)
        else:
            known[uid] = body
            self.resources.setdefault(kind, resource)


def catalog(memo: kopf.Memo) -> Catalog:
    """The operator's one catalog."""
    return shared(memo, "catalog", Catalog)


def _key(body: Mapping[str, Any]) -> tuple[str, str]:
    return str(body["metadata"].get("namespace") or ""), str(body["metadata"]["name"])


def register_indexes(registry: kopf.OperatorRegistry, labels: Mapping[str, Any]) -> None:
    """``labels``: this shard's filter, for ``bodies`` only (see the module's docstring)."""

    # The ids name them in kopf's log lines; their every-event "succeeded" is not logged
    # (CATALOG_HANDLERS in ddisync/logging.py).
    @kopf.on.event(GROUP, VERSION, "networks", registry=registry, id="catalog.networks")
    async def network_seen(
        event: kopf.RawEvent,
        body: kopf.Body,
        memo: kopf.Memo,
        resource: kopf.Resource,
        **_: Any,
    ) -> None:
        hand_over(memo)  # kopf's Event queue, for the drift sweep (handlers/posting.py)
        known, key, uid = catalog(memo), _key(body), str(body["metadata"]["uid"])
        known.keep_body("Network", resource, event, selects(labels, body.metadata.labels))
        if event.get("type") == "DELETED":
            known.networks.pop(key, None)
            known.network_uids.pop(uid, None)
        else:
            known.networks[key] = network_facts(body.get("status"))
            known.network_uids[uid] = "/".join(key)

    @kopf.on.event(GROUP, VERSION, "records", registry=registry, id="catalog.records")
    async def record_seen(
        event: kopf.RawEvent,
        body: kopf.Body,
        memo: kopf.Memo,
        resource: kopf.Resource,
        **_: Any,
    ) -> None:
        hand_over(memo)
        known, uid = catalog(memo), str(body["metadata"]["uid"])
        known.keep_body("Record", resource, event, selects(labels, body.metadata.labels))
        if event.get("type") == "DELETED":
            known.record_uids.pop(uid, None)
        else:
            known.record_uids[uid] = "/".join(_key(body))
