"""Operator start and stop: open the WAPI client once, keep it in ``memo``, close it at the end."""

from __future__ import annotations

import logging
from typing import Any

import kopf

from ddisync.config import Settings
from ddisync.metrics import FanOutObserver
from ddisync.wapi.client import WapiClient

logger = logging.getLogger(__name__)


def register_lifecycle(registry: kopf.OperatorRegistry, settings: Settings) -> None:
    @kopf.on.startup(registry=registry)
    async def open_wapi_client(memo: kopf.Memo, **_: Any) -> None:
        observer = FanOutObserver(memo.metrics.wapi_observer(), memo.health.wapi_observer())
        client = WapiClient(settings.wapi_settings(), observer=observer)
        await client.__aenter__()
        memo.wapi = client
        memo.health.infoblox_probe = client.ping
        memo.health.mark_running()
        logger.info("WAPI client ready for %s (WAPI %s)", settings.wapi_url, settings.wapi_version)

    @kopf.on.cleanup(registry=registry)
    async def close_wapi_client(memo: kopf.Memo, **_: Any) -> None:
        memo.health.mark_running(False)
        memo.health.infoblox_probe = None
        client = getattr(memo, "wapi", None)
        if client is not None:
            await client.aclose()
