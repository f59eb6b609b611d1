"""One registration for every kind: create/resume, spec change, delete, and the catalog.

Handlers are thin: they open the observability scope and call ``reconcile``/``finalize``
(``reconcile.py``) with the kind's driver. Their ids are the ones earlier releases used
(``network_created``, ``record_changed``, ...), so kopf's progress annotations on existing
resources stay valid across an upgrade.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import kopf

from ddisync.api.meta import GROUP, VERSION
from ddisync.config import Settings
from ddisync.correlation import reconcile_context
from ddisync.handlers.context import context_of
from ddisync.handlers.index import register_catalog
from ddisync.handlers.locks import resource_lock
from ddisync.handlers.observe import forget_resource, observed
from ddisync.handlers.reconcile import AnyDriver, finalize, reconcile
from ddisync.handlers.specs import attribute_names


def register_kind(
    registry: kopf.OperatorRegistry,
    driver: AnyDriver,
    settings: Settings,
    labels: Mapping[str, Any],
) -> None:
    kind, plural, singular = driver.kind, driver.info.plural, driver.info.singular
    register_catalog(registry, kind, plural, labels, driver.references)
    scope: dict[str, Any] = {"registry": registry, "labels": dict(labels)}

    @kopf.on.create(GROUP, VERSION, plural, id=f"{singular}_created", **scope)
    @kopf.on.resume(GROUP, VERSION, plural, id=f"{singular}_created", **scope)
    async def created(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **kwargs: Any
    ) -> None:
        ctx = context_of(memo, settings)
        with observed(memo, kind, body):
            async with resource_lock(memo, body["metadata"]["uid"]):
                await reconcile(driver, body, patch, ctx, logger, retry=kwargs.get("retry", 0))

    @kopf.on.update(GROUP, VERSION, plural, field="spec", id=f"{singular}_changed", **scope)
    async def changed(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **kwargs: Any
    ) -> None:
        # Extensible attributes removed from the spec are removed from Infoblox too.
        forget = attribute_names(kwargs.get("old")) - attribute_names(kwargs.get("new"))
        ctx = context_of(memo, settings)
        with observed(memo, kind, body):
            async with resource_lock(memo, body["metadata"]["uid"]):
                await reconcile(
                    driver, body, patch, ctx, logger, forget=forget, retry=kwargs.get("retry", 0)
                )

    @kopf.on.delete(GROUP, VERSION, plural, id=f"{singular}_deleted", **scope)
    async def deleted(
        body: kopf.Body, patch: kopf.Patch, memo: kopf.Memo, logger: Any, **kwargs: Any
    ) -> None:
        with reconcile_context(kind, body["metadata"]["namespace"], body["metadata"]["name"]):
            ctx, retry = context_of(memo, settings), kwargs.get("retry", 0)
            async with resource_lock(memo, body["metadata"]["uid"]):
                await finalize(driver, body, patch, ctx, logger, retry=retry)
        forget_resource(memo, kind, body)
