"""Operator start and stop: open the default grid's WAPI client and the grid registry once
(``memo.grids``, whose ``default`` is the operator's own connection), close them at the end
(``register_close``: after every background task has stopped).

The default grid's credentials may come from files (``DDISYNC_WAPI_*_FILE``, the chart's
mounted Secret): they are read again every ``grid_check_interval`` and a change replaces the
default grid's client (``ddisync.grids.files``), with no restart.

At start the operator also makes sure the grid defines the extensible attributes it marks its
objects with (``ddisync.sync.eadefs``). That check runs as a background task (``background.py``)
and never stops the operator from starting: when the grid is down or the definitions cannot be
created, the error goes to the log, and every reconcile checks again before its first write (the
condition of the resource then names what an administrator must create).
"""

from __future__ import annotations

import logging
from typing import Any

import kopf

from ddisync.api.grid import DEFAULT_GRID
from ddisync.cache import TrackingClient, open_snapshot_store
from ddisync.config import Settings
from ddisync.grids import Grid, Grids
from ddisync.grids.files import CredentialFiles
from ddisync.handlers.background import register_background, register_periodic
from ddisync.handlers.shared import shared
from ddisync.metrics import FanOutObserver
from ddisync.sync.eadefs import MarkerDefinitions
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.errors import WapiError
from ddisync.wapi.settings import WapiSettings

logger = logging.getLogger(__name__)


def marker_definitions(memo: kopf.Memo) -> MarkerDefinitions:
    """The operator's one ``MarkerDefinitions`` (made at start, or on first use)."""
    return shared(memo, "marker_definitions", MarkerDefinitions)


async def _check_markers(memo: kopf.Memo) -> None:
    try:
        await marker_definitions(memo).ensure(memo.grids.default.client)
    except SyncRefused:
        pass  # logged as an error where it is found; resources say it in their conditions
    except WapiError as error:
        logger.warning(
            "Could not check the extensible attribute definitions ddisync needs (%s); "
            "checking again before the first write",
            error,
        )


def register_lifecycle(registry: kopf.OperatorRegistry, settings: Settings) -> None:
    @kopf.on.startup(registry=registry)
    async def open_wapi_client(memo: kopf.Memo, **_: Any) -> None:
        async def open_grid(name: str, wapi: WapiSettings) -> Grid:
            observer = FanOutObserver(memo.metrics.wapi_observer(name), memo.health.wapi_observer())
            # Each grid its own snapshot store (its own Redis keyspace, from its URL and user).
            store = await open_snapshot_store(settings, wapi, memo.metrics, memo.health)
            client = TrackingClient(wapi, store, observer=observer)  # its writes reach store
            await client.__aenter__()
            return Grid(name, client, store)

        default = await open_grid(DEFAULT_GRID, settings.wapi_settings())
        default.markers = marker_definitions(memo)
        memo.grids = Grids(default, open_grid, settings.wapi_settings())
        # Through the registry: the default grid's client is replaced when its files change.
        memo.health.infoblox_probe = lambda: memo.grids.default.client.ping()
        memo.health.mark_running()
        logger.info("WAPI client ready for %s (WAPI %s)", settings.wapi_url, settings.wapi_version)

    @kopf.on.cleanup(registry=registry)
    async def mark_stopping(memo: kopf.Memo, **_: Any) -> None:
        # First of the clean-up handlers: the probes say so as soon as the operator stops.
        memo.health.mark_running(False)
        memo.health.infoblox_probe = None

    register_background(registry, "marker-check", _check_markers)
    files = CredentialFiles(settings)
    if files.watched:

        async def reread_files(memo: kopf.Memo) -> None:
            wapi = files.changed()
            if wapi is not None:
                await memo.grids.replace_default(wapi)

        register_periodic(registry, "credential-files", settings.grid_check_interval, reread_files)


def register_close(registry: kopf.OperatorRegistry) -> None:
    """Close the WAPI client and the snapshot store. Register it last: kopf runs the clean-up
    handlers in the order they were registered, so every background task has stopped by then."""

    @kopf.on.cleanup(registry=registry)
    async def close_wapi_client(memo: kopf.Memo, **_: Any) -> None:
        grids: Grids | None = getattr(memo, "grids", None)
        if grids is not None:
            await grids.aclose()  # every grid's client and snapshot store, the default's too
