"""What the operator knows of the watched resources, kept from their watch events: cross-resource
lookups that cost no API call.

============================  =======================================  ========================
catalog field                 key → value                              used by
============================  =======================================  ========================
``statuses``                  kind → (namespace, name) → status        ``Resolver.status_of``:
                                                                       a Record's ``addressFrom``
``uids``                      kind → uid → ``namespace/name``          orphan scan
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

``statuses`` and ``uids`` take no label filter: a Record may allocate from a Network another
shard reconciles, and an object owned by a resource of another label shard is not an orphan.
``bodies`` holds only what this shard reconciles (``selectors.selects``). The catalog keeps
references to the bodies kopf parsed from the events, no copies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import kopf

from ddisync.api.meta import GROUP, VERSION
from ddisync.handlers.selectors import selects
from ddisync.handlers.shared import shared
from ddisync.kopf_internals import hand_over_event_queue

Body = Mapping[str, Any]


@dataclass
class Catalog:
    statuses: dict[str, dict[tuple[str, str], Mapping[str, Any]]] = field(default_factory=dict)
    uids: dict[str, dict[str, str]] = field(default_factory=dict)
    bodies: dict[str, dict[str, Body]] = field(default_factory=dict)
    resources: dict[str, kopf.Resource] = field(default_factory=dict)

    def status_of(self, kind: str, namespace: str, name: str) -> Mapping[str, Any] | None:
        """``Resolver.status_of``: the resource's status (``{}`` before its first reconcile)."""
        return self.statuses.get(kind, {}).get((namespace, name))

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

    def keep(
        self, kind: str, resource: kopf.Resource, event: kopf.RawEvent, reconciled: bool
    ) -> None:
        """Everything one watch event tells: the body, the status by name, the uid."""
        self.keep_body(kind, resource, event, reconciled)
        body = event["object"]
        meta = body["metadata"]
        key = (str(meta.get("namespace") or ""), str(meta["name"]))
        uid = str(meta["uid"])
        if event.get("type") == "DELETED":
            self.statuses.get(kind, {}).pop(key, None)
            self.uids.get(kind, {}).pop(uid, None)
        else:
            self.statuses.setdefault(kind, {})[key] = body.get("status") or {}
            self.uids.setdefault(kind, {})[uid] = "/".join(key)


def catalog(memo: kopf.Memo) -> Catalog:
    """The operator's one catalog."""
    return shared(memo, "catalog", Catalog)


def register_catalog(
    registry: kopf.OperatorRegistry, kind: str, plural: str, labels: Mapping[str, Any]
) -> None:
    """Keep the catalog of ``kind`` from its watch events. ``labels``: this shard's filter,
    for ``bodies`` only (see the module's docstring)."""

    # The id names it in kopf's log lines; its every-event "succeeded" is not logged
    # (CATALOG_HANDLERS in ddisync/logging.py).
    @kopf.on.event(GROUP, VERSION, plural, registry=registry, id=f"catalog.{plural}")
    async def seen(
        event: kopf.RawEvent,
        body: kopf.Body,
        memo: kopf.Memo,
        resource: kopf.Resource,
        **_: Any,
    ) -> None:
        hand_over_event_queue(memo)  # for the drift sweep's Events (ddisync.kopf_internals)
        catalog(memo).keep(kind, resource, event, selects(labels, body.metadata.labels))
