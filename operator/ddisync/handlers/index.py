"""What the operator knows of the watched resources, kept from their watch events: cross-resource
lookups that cost no API call.

============================  =======================================  ========================
catalog field                 key → value                              used by
============================  =======================================  ========================
``statuses``                  kind → (namespace, name) → status        ``Resolver.status_of``:
                                                                       a Record's ``addressFrom``
``uids``                      kind → uid → ``namespace/name``          orphan scan
``users``                     (kind, namespace, name) → the            deletion: a Network in
                              resources using it (``Kind ns/name``)    use is not deleted, nor
                              (a Zone: its key, ``sync.zone``)         a Zone records lie in
``bodies``                    kind → uid → the latest body, for the    drift sweep
                              resources this shard reconciles (not
                              being deleted)
``resources``                 kind → the kopf resource (API paths)     drift sweep (status)
============================  =======================================  ========================

Why not ``@kopf.index``: kopf holds every handler until all indexes are filled, with one
toggle per object whose every change wakes every waiting worker — quadratic in the number of
objects at start (measured: most of the CPU of a 3,000-object cold start). A plain map kept by
``@kopf.on.event`` costs a dict update per event. The price: right after a start, a Record
could be handled before its Network was seen; so at start ``statuses`` is filled from one paged
listing per kind before kopf starts (``listed_catalog``). The orphan scan first runs
one resync interval after the start, when every resource has long been listed.

``statuses`` and ``uids`` take no label filter: a Record may allocate from a Network another
shard reconciles, and an object owned by a resource of another label shard is not an orphan.
``bodies`` holds only what this shard reconciles (``selectors.selects``). The catalog keeps
references to the bodies kopf parsed from the events, no copies.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import kopf

from ddisync.api.meta import GROUP, VERSION
from ddisync.handlers.selectors import selects
from ddisync.handlers.shared import shared
from ddisync.kopf_internals import hand_over_event_queue
from ddisync.kube import KubeApi, KubeApiError

logger = logging.getLogger(__name__)

Body = Mapping[str, Any]
#: A driver's ``references``: the (kind, name) of the resources a raw spec uses.
References = Callable[[Mapping[str, Any]], tuple[tuple[str, str], ...]]


@dataclass
class Catalog:
    statuses: dict[str, dict[tuple[str, str], Mapping[str, Any]]] = field(default_factory=dict)
    uids: dict[str, dict[str, str]] = field(default_factory=dict)
    bodies: dict[str, dict[str, Body]] = field(default_factory=dict)
    resources: dict[str, kopf.Resource] = field(default_factory=dict)
    users: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    _uses: dict[str, tuple[tuple[str, str, str], ...]] = field(default_factory=dict)

    def users_of(self, kind: str, namespace: str, name: str) -> list[str]:
        """The resources that use this one (``Kind namespace/name``), sorted."""
        return sorted(self.users.get((kind, namespace, name), ()))

    def _keep_uses(self, uid: str, user: str, uses: tuple[tuple[str, str, str], ...]) -> None:
        if self._uses.get(uid, ()) == uses:
            return  # most events (status, annotations) change nothing a resource uses
        for used in self._uses.pop(uid, ()):
            found = self.users.get(used)
            if found is not None:
                found.discard(user)
                if not found:
                    del self.users[used]
        if uses:
            self._uses[uid] = uses
            for used in uses:
                self.users.setdefault(used, set()).add(user)

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
        self,
        kind: str,
        resource: kopf.Resource,
        event: kopf.RawEvent,
        reconciled: bool,
        references: References = lambda _: (),
    ) -> None:
        """Everything one watch event tells: the body, the status by name, the uid, and which
        resources it uses (``references``: the driver's, from the raw spec)."""
        self.keep_body(kind, resource, event, reconciled)
        body = event["object"]
        meta = body["metadata"]
        key = (str(meta.get("namespace") or ""), str(meta["name"]))
        uid, user = str(meta["uid"]), f"{kind} {key[0]}/{key[1]}"
        if event.get("type") == "DELETED":
            self.statuses.get(kind, {}).pop(key, None)
            self.uids.get(kind, {}).pop(uid, None)
            self._keep_uses(uid, user, ())
        else:
            self.statuses.setdefault(kind, {})[key] = body.get("status") or {}
            self.uids.setdefault(kind, {})[uid] = "/".join(key)
            spec = body.get("spec")
            used = references(spec) if isinstance(spec, Mapping) else ()
            self._keep_uses(uid, user, tuple((k, key[0], name) for k, name in used))


def catalog(memo: kopf.Memo) -> Catalog:
    """The operator's one catalog."""
    return shared(memo, "catalog", Catalog)


#: Objects per page of the start-up listing (bounds the memory of one answer).
_PAGE = 500


async def listed_catalog(
    api: KubeApi, plurals: Mapping[str, str], namespaces: Sequence[str]
) -> Catalog:
    """A catalog whose ``statuses`` come from one paged listing per kind (``plurals``: kind →
    plural) in ``namespaces`` (exact names; none: the whole cluster), made before kopf starts.

    Without it a Record handled right after a start may find its Network not seen yet and wait
    (``NetworkNotReady``, retried after 1, 2, 4 ... s), which is what a new leader does for
    every resource at once after a failover: measured, it added up to 10 s to the first
    reconcile of a spec change. Only statuses: the watch events fill the rest, and replace a
    status listed here with the newer one of their first event. Before kopf starts because
    kopf's own client has no credentials until its start-up handlers have run. A listing that
    fails is only logged: the watch fills the catalog in.
    """
    found = Catalog()
    try:
        for kind, plural in plurals.items():
            statuses = found.statuses.setdefault(kind, {})
            for scope in [f"/namespaces/{ns}" for ns in namespaces] or [""]:
                async for item in _listed(api, f"/apis/{GROUP}/{VERSION}{scope}/{plural}"):
                    meta = item.get("metadata") or {}
                    key = (str(meta.get("namespace") or ""), str(meta.get("name")))
                    statuses[key] = item.get("status") or {}
    except KubeApiError as error:
        logger.warning("Could not list resources at start (%s); the watch fills them in", error)
    return found


async def _listed(api: KubeApi, path: str) -> AsyncIterator[Mapping[str, Any]]:
    """The items of a list, page by page (``limit`` and ``continue``)."""
    token = ""
    while True:
        query = f"?limit={_PAGE}" + (f"&continue={token}" if token else "")
        answer = await api.request("GET", path + query) or {}
        for item in answer.get("items") or []:
            yield item
        token = (answer.get("metadata") or {}).get("continue") or ""
        if not token:
            return


def register_catalog(
    registry: kopf.OperatorRegistry,
    kind: str,
    plural: str,
    labels: Mapping[str, Any],
    references: References,
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
        reconciled = selects(labels, body.metadata.labels)
        catalog(memo).keep(kind, resource, event, reconciled, references)
