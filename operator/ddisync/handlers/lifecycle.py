"""Operator start and stop: open the WAPI client once, keep it in ``memo``, close it at the end."""

from __future__ import annotations

import logging
from typing import Any

import kopf

from ddisync.config import Settings
from ddisync.wapi.client import WapiClient

logger = logging.getLogger(__name__)


def register_lifecycle(registry: kopf.OperatorRegistry, settings: Settings) -> None:
    @kopf.on.startup(registry=registry)
    async def open_wapi_client(memo: kopf.Memo, **_: Any) -> None:
        client = WapiClient(settings.wapi_settings())
        await client.__aenter__()
        memo.wapi = client
        logger.info("WAPI client ready for %s (WAPI %s)", settings.wapi_url, settings.wapi_version)

    @kopf.on.cleanup(registry=registry)
    async def close_wapi_client(memo: kopf.Memo, **_: Any) -> None:
        client = getattr(memo, "wapi", None)
        if client is not None:
            await client.aclose()
