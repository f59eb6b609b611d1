"""The shared owned snapshots: one per grid and object type of every kind, made on first use.

Each is the paged read of the objects of one type that carry this cluster's marker
(``sync.snapshot``). The drift sweep judges resources against them and the orphan scan reads
the same pages, so a sweep reads ``ceil(N / page size)`` pages per type for N owned objects,
however many resources are checked. One snapshot per type (not per kind): a Record's PTR
carries the same uid as its A/AAAA record, so the two must not share one uid map.

The reconciles' lookups read the same snapshots first (``owned_lookup``; ``sync.lookup``): a
cold start reads the pages of each type once instead of one GET per resource.
"""

from __future__ import annotations

from typing import Any

import kopf

from ddisync.config import Settings
from ddisync.grids import Grid
from ddisync.handlers.shared import shared
from ddisync.sync.driver import Driver
from ddisync.sync.lookup import OwnedLookup
from ddisync.sync.snapshot import OwnedSnapshot


def max_age(settings: Settings) -> float:
    """A little under the resync interval: each sweep reads the pages about once."""
    return settings.resync_interval * 0.9


def owned_lookup(settings: Settings, grid: Grid) -> OwnedLookup:
    """The grid's owned snapshots as the reconciles' lookups read them: the same entries as
    the drift sweep's (same store, same return fields), so they share one paged read."""
    return OwnedLookup(grid.snapshots, max_age(settings))


def owned_snapshots(
    memo: kopf.Memo, settings: Settings, driver: Driver[Any, Any], grid: Grid
) -> dict[str, OwnedSnapshot]:
    """Object type → the grid's shared snapshot of it, for the driver's object types (made on
    first use; a grid whose connection was replaced gets new ones)."""
    every: dict[tuple[str, str, str], OwnedSnapshot] = shared(memo, "owned_snapshots", dict)
    for objtype in driver.objtypes:
        key = (grid.name, grid.digest, objtype)
        if key not in every:
            every[key] = OwnedSnapshot(
                grid.client,
                (objtype,),
                store=grid.snapshots,  # replicas sharing Redis make one paged read per sweep
                return_fields=driver.return_fields(objtype),
                max_age=max_age(settings),
            )
    return {objtype: every[(grid.name, grid.digest, objtype)] for objtype in driver.objtypes}
