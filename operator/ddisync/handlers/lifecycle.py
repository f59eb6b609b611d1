"""Operator start and stop: open the WAPI client once, keep it in ``memo``, close it at the end
(``register_close``: after every background task has stopped).

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

from ddisync.cache import SnapshotStore, TrackingClient, open_snapshot_store
from ddisync.config import Settings
from ddisync.handlers.background import register_background
from ddisync.handlers.shared import shared
from ddisync.metrics import FanOutObserver
from ddisync.sync.eadefs import MarkerDefinitions
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.errors import WapiError

logger = logging.getLogger(__name__)


def marker_definitions(memo: kopf.Memo) -> MarkerDefinitions:
    """The operator's one ``MarkerDefinitions`` (made at start, or on first use)."""
    return shared(memo, "marker_definitions", MarkerDefinitions)


async def _check_markers(memo: kopf.Memo) -> None:
    try:
        await marker_definitions(memo).ensure(memo.wapi)
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
        # The snapshot store first: the client records every write it makes in it (interim,
        # until the applier of plan actions calls the store itself: ddisync.cache.tracking).
        memo.snapshots = await open_snapshot_store(settings, memo.metrics, memo.health)
        observer = FanOutObserver(memo.metrics.wapi_observer(), memo.health.wapi_observer())
        client = TrackingClient(settings.wapi_settings(), memo.snapshots, observer=observer)
        await client.__aenter__()
        memo.wapi = client
        memo.health.infoblox_probe = client.ping
        memo.health.mark_running()
        logger.info("WAPI client ready for %s (WAPI %s)", settings.wapi_url, settings.wapi_version)

    @kopf.on.cleanup(registry=registry)
    async def mark_stopping(memo: kopf.Memo, **_: Any) -> None:
        # First of the clean-up handlers: the probes say so as soon as the operator stops.
        memo.health.mark_running(False)
        memo.health.infoblox_probe = None

    register_background(registry, "marker-check", _check_markers)


def register_close(registry: kopf.OperatorRegistry) -> None:
    """Close the WAPI client and the snapshot store. Register it last: kopf runs the clean-up
    handlers in the order they were registered, so every background task has stopped by then."""

    @kopf.on.cleanup(registry=registry)
    async def close_wapi_client(memo: kopf.Memo, **_: Any) -> None:
        client = getattr(memo, "wapi", None)
        if client is not None:
            await client.aclose()
        snapshots: SnapshotStore | None = getattr(memo, "snapshots", None)
        if snapshots is not None:
            await snapshots.aclose()
