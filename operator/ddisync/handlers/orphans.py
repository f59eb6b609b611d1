"""The orphan scan: every ``resync_interval``, per kind, objects no resource claims any more.

It runs as one background task per operator (``background.py``), like the drift sweep, not
as a per-resource timer: orphans matter most when no resource of the kind is left at all.
It reads the same owned snapshots as the drift checks (paged, filtered by this cluster's
marker), so it costs no extra WAPI calls when the drift sweep runs anyway.

Safety, besides the rules in ``ddisync.sync.orphans``:

- the first scan waits one interval: kopf has filled the uid indexes long before;
- with ``delete_orphans`` an object is deleted only when two consecutive scans found it
  orphaned, and only after a fresh read shows it still carries this cluster's marker.
"""

from __future__ import annotations

import logging
from collections.abc import Container, Mapping, Sequence

import kopf

from ddisync.config import Settings
from ddisync.grids import Grid, Grids
from ddisync.handlers.background import register_periodic
from ddisync.handlers.index import catalog
from ddisync.handlers.reconcile import AnyDriver
from ddisync.handlers.shared import shared
from ddisync.handlers.snapshots import owned_snapshots
from ddisync.sync.orphans import NamespaceScope, delete_orphan, find_orphans
from ddisync.sync.snapshot import OwnedSnapshot
from ddisync.wapi.errors import WapiError
from ddisync.wapi.query import objtype_of

logger = logging.getLogger(__name__)

_SHOWN = 10  # orphans named in one log line; the metric has the count


async def scan_orphans(
    grid: Grid,
    settings: Settings,
    driver: AnyDriver,
    snapshots: Sequence[OwnedSnapshot],
    live_uids: Container[str],
    suspects: Container[str],
) -> tuple[set[str], int]:
    """One scan of ``kind`` on ``grid``: report (and maybe delete) orphans. Returns their
    refs, for the next scan, and how many are left."""
    kind = driver.kind
    objects = [obj for snapshot in snapshots for obj in (await snapshot.by_uid()).values()]
    orphans = find_orphans(
        objects,
        kind=kind,
        cluster=settings.cluster_id,
        live_uids=live_uids,
        namespaces=NamespaceScope(tuple(settings.namespaces)),
    )
    if orphans:
        shown = ", ".join(f"{o.ref} ({o.owner})" for o in orphans[:_SHOWN])
        more = f" and {len(orphans) - _SHOWN} more" if len(orphans) > _SHOWN else ""
        advice = "" if settings.delete_orphans else "; set DDISYNC_DELETE_ORPHANS=true to delete"
        logger.warning(
            "%d Infoblox object(s) of cluster %r on grid %s are claimed by no %s resource: "
            "%s%s%s",
            len(orphans), settings.cluster_id, grid.name, kind, shown, more, advice,
        )  # fmt: skip
    deleted = 0
    if settings.delete_orphans:
        for orphan in orphans:
            if orphan.ref not in suspects:
                continue  # confirmed by the next scan first
            if await delete_orphan(
                grid.client,
                orphan,
                cluster=settings.cluster_id,
                live_uids=live_uids,
                fields=driver.return_fields(objtype_of(orphan.ref)),
                claimed=driver.claimed,
            ):
                deleted += 1
                logger.warning("Deleted orphan %s (owner %s gone)", orphan.ref, orphan.owner)
    return {orphan.ref for orphan in orphans}, len(orphans) - deleted


async def scan_all(
    memo: kopf.Memo,
    settings: Settings,
    live: Mapping[str, Container[str]],
    suspects: dict[str, set[str]],
    kinds: Sequence[AnyDriver],
) -> None:
    """One scan of each kind on each grid; ``suspects`` carries each kind's orphans to the
    next scan."""
    grids: Grids = memo.grids
    for driver in kinds:
        kind, left = driver.kind, 0
        for grid in grids.all():
            key = f"{grid.name}/{kind}"
            try:
                suspects[key], count = await scan_orphans(
                    grid,
                    settings,
                    driver,
                    list(owned_snapshots(memo, settings, driver, grid).values()),
                    live.get(kind, {}),
                    suspects.get(key, set()),
                )
                left += count
            except WapiError as error:
                logger.warning("Orphan scan of %s on grid %s skipped: %s", kind, grid.name, error)
            except Exception:  # a bug must not end the scans for good
                logger.exception("Orphan scan of %s on grid %s failed", kind, grid.name)
        memo.metrics.set_orphans(kind, left)


def register_orphans(
    registry: kopf.OperatorRegistry, settings: Settings, kinds: Sequence[AnyDriver]
) -> None:
    async def one_pass(memo: kopf.Memo) -> None:
        live = catalog(memo).uids
        await scan_all(memo, settings, live, shared(memo, "orphan_suspects", dict), kinds)

    register_periodic(registry, "orphan-scan", settings.resync_interval, one_pass)
