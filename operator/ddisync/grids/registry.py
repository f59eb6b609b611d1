"""The operator's grids by name: ``default`` from its settings, the others from InfobloxGrids.

A reconcile asks ``Grids.get(spec.grid)`` for its grid's client; a grid that is unknown, not
checked yet, or whose Secret is missing gives ``GridNotReady`` naming why, before any WAPI
call. A connection whose source changed (a rotated password, a new CA, a new URL) is replaced:
new reconciles use the new client at once, and the old one is closed once the calls it carries
had time to finish (its total timeout), so a rotation needs no restart and cuts no call short.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ddisync.api.conditions import Reason
from ddisync.api.grid import DEFAULT_GRID
from ddisync.cache import SnapshotStore
from ddisync.grids.connection import GridSource, wapi_settings
from ddisync.sync.eadefs import MarkerDefinitions
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.client import WapiClient
from ddisync.wapi.settings import WapiSettings

logger = logging.getLogger(__name__)


@dataclass
class Grid:
    """One grid's connection and what is kept per grid."""

    name: str
    client: WapiClient
    snapshots: SnapshotStore  # its owned snapshots (``ddisync.cache``), told of every write
    markers: MarkerDefinitions = field(default_factory=MarkerDefinitions)
    digest: str = ""  # of the ``GridSource`` it was made from ("" for the default grid)
    ca_file: str | None = None


#: Opens a client (and its snapshot store) for a grid: (name, settings) -> Grid
OpenGrid = Callable[[str, WapiSettings], Awaitable[Grid]]


class Grids:
    def __init__(self, default: Grid, open_grid: OpenGrid, base: WapiSettings) -> None:
        self._grids: dict[str, Grid] = {DEFAULT_GRID: default}
        self._problems: dict[str, str] = {}
        self._open = open_grid
        self._base = base
        self._retired: dict[asyncio.Task[None], Grid] = {}
        self._ca_dir = tempfile.mkdtemp(prefix="ddisync-ca-")

    @property
    def default(self) -> Grid:
        return self._grids[DEFAULT_GRID]

    def names(self) -> list[str]:
        return sorted(self._grids)

    def all(self) -> list[Grid]:
        return [self._grids[name] for name in self.names()]

    def get(self, name: str) -> Grid:
        """The grid's connection; ``SyncRefused(GridNotReady)`` saying why there is none."""
        grid = self._grids.get(name)
        if grid is not None:
            return grid
        why = self._problems.get(name, "no InfobloxGrid of that name has been seen (yet)")
        raise SyncRefused(Reason.GRID_NOT_READY, f"grid {name!r} is not ready: {why}")

    def fail(self, name: str, why: str) -> None:
        """Say why ``name`` has no connection now (kept until it connects)."""
        self._problems[name] = why

    async def connect(self, name: str, source: GridSource) -> Grid:
        """The grid's connection for ``source``: the current one if nothing changed, else a
        new one replacing it."""
        current = self._grids.get(name)
        if current is not None and current.digest == source.digest:
            return current
        ca_file = self._write_ca(name, source) if source.ca_pem else None
        grid = await self._open(name, wapi_settings(source, self._base, ca_file))
        grid.digest, grid.ca_file = source.digest, ca_file
        self._grids[name] = grid
        self._problems.pop(name, None)
        if current is not None:
            logger.info("Grid %s: connection settings changed; new client in use", name)
            self._retire(current)
        return grid

    async def replace_default(self, wapi: WapiSettings) -> Grid:
        """A new connection for the default grid (its credential files changed); the old one
        is closed once the calls it carries had their time."""
        current = self.default
        grid = await self._open(DEFAULT_GRID, wapi)
        grid.markers = current.markers
        self._grids[DEFAULT_GRID] = grid
        logger.info("Grid default: credentials changed; new client in use")
        self._retire(current)
        return grid

    def remove(self, name: str, why: str) -> None:
        """No connection for ``name`` any more (``why`` is what its resources are told); its
        client is closed once the calls it carries had their time."""
        grid = self._grids.pop(name, None) if name != DEFAULT_GRID else None
        self._problems[name] = why
        if grid is not None:
            self._retire(grid)

    def _write_ca(self, name: str, source: GridSource) -> str:
        fd, path = tempfile.mkstemp(prefix=f"{name}-", suffix=".pem", dir=self._ca_dir)
        with os.fdopen(fd, "w") as file:
            file.write(source.ca_pem or "")
        return path

    def _retire(self, grid: Grid) -> None:
        """Close ``grid`` once the calls it carries had their time (its total timeout)."""

        async def later() -> None:
            await asyncio.sleep(self._base.total_timeout)
            await _close(grid)

        task = asyncio.create_task(later(), name=f"ddisync-retire-{grid.name}")
        self._retired[task] = grid
        task.add_done_callback(lambda done: self._retired.pop(done, None))

    async def aclose(self) -> None:
        retired = list(self._retired.items())
        for task, _ in retired:
            task.cancel()
        for _, grid in retired:
            await _close(grid)
        for grid in self._grids.values():
            await _close(grid)
        with contextlib.suppress(OSError):
            for entry in os.scandir(self._ca_dir):
                os.unlink(entry.path)
            os.rmdir(self._ca_dir)


async def _close(grid: Grid) -> None:
    await grid.snapshots.aclose()
    await grid.client.aclose()
