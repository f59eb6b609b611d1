"""Orphans: Infoblox objects this cluster's ddisync made that no resource claims any more.

They appear when a resource vanished without its finalizer running (force-removed, the CRD
deleted, a restore from backup). Found in the owned snapshots the drift checks read anyway;
reported always, deleted only when ``delete_orphans`` is set.

Which snapshot objects count (``find_orphans``), first failing row wins:

==========================================  ===============================================
the object's markers                        counted?
==========================================  ===============================================
ddisync-cluster is not this cluster's       no: another cluster's (or nobody's) object
ddisync-owner is not ``ns/<Kind>/name``     no: what cannot be attributed is never touched
owner namespace outside the watched ones    no: another shard (namespaces) owns it
ddisync-uid is a live resource's            no: claimed (uids of every label shard)
otherwise                                   yes
==========================================  ===============================================

Deleting (``delete_orphan``) re-reads the object first and deletes it only if it still
carries this cluster's marker and the same uid, and that uid is still not live: a stale
snapshot can never cost a live object or someone else's. An orphaned claim (an NS Record's
TXT, ``Driver.claimed``) that says its NS record is held deletes that NS record first, found by
the identity the fresh claim names; a claim not held deletes only itself.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ddisync.api.meta import DeletionPolicy
from ddisync.reconcile.ownership import CLUSTER_EA, OWNER_EA, UID_EA, ea_values
from ddisync.sync.driver import Claimed
from ddisync.sync.pipeline import delete_claimed
from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.errors import NotFoundError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Orphan:
    ref: str
    owner: str  # namespace/Kind/name, as the marker says
    uid: str


@dataclass(frozen=True)
class NamespaceScope:
    """The namespaces an operator watches: all when ``patterns`` is empty, else those that
    match a pattern (globs, as kopf takes them) and no ``!pattern``."""

    patterns: tuple[str, ...] = ()

    def __contains__(self, namespace: object) -> bool:
        if not isinstance(namespace, str):
            return False
        positive = [p for p in self.patterns if not p.startswith("!")]
        if any(fnmatch.fnmatchcase(namespace, p[1:]) for p in self.patterns if p[:1] == "!"):
            return False
        return not positive or any(fnmatch.fnmatchcase(namespace, p) for p in positive)


def find_orphans(
    objects: Iterable[Mapping[str, Any]],
    *,
    kind: str,
    cluster: str,
    live_uids: Container[str],
    namespaces: Container[str],
) -> list[Orphan]:
    """The objects among ``objects`` that are orphans of ``kind`` (see the module's table)."""
    orphans: list[Orphan] = []
    for obj in objects:
        markers = ea_values(obj.get("extattrs"))
        if markers.get(CLUSTER_EA) != cluster:
            continue
        owner, uid = markers.get(OWNER_EA, ""), markers.get(UID_EA, "")
        parts = owner.split("/")
        if len(parts) != 3 or parts[1] != kind or not uid:
            continue
        if parts[0] not in namespaces or uid in live_uids:
            continue
        orphans.append(Orphan(str(obj["_ref"]), owner, uid))
    return orphans


async def delete_orphan(
    client: WapiClient,
    orphan: Orphan,
    *,
    cluster: str,
    live_uids: Container[str],
    fields: Sequence[str] = (),
    claimed: Callable[[WapiObject], Claimed | None] = lambda _: None,
) -> bool:
    """Delete ``orphan`` after a fresh read proves it still is one; whether it was deleted.
    An orphaned claim (``claimed``; ``fields``: what it needs read) takes the object it says is
    ours with it, first: that object cannot carry markers, so nothing else would ever find it."""
    try:
        fresh = await client.get_ref(orphan.ref, return_fields=("extattrs", *fields))
    except NotFoundError:
        return False
    markers = ea_values(fresh.get("extattrs"))
    if markers.get(CLUSTER_EA) != cluster or markers.get(UID_EA) != orphan.uid:
        return False
    if orphan.uid in live_uids:
        return False
    claim = claimed(fresh)
    if claim is not None:
        logger.warning(
            "Orphaned claim %s (%s): %s",
            orphan.ref,
            orphan.owner,
            await delete_claimed(client, claim, DeletionPolicy.DELETE),
        )
    try:
        await client.delete(orphan.ref)
    except NotFoundError:
        return False
    return True
