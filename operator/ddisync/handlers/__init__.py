"""kopf wiring: the same thin handlers for every kind (``resources.py``), which parse, run
the pipeline (``ddisync.sync``), and write status.

``register_handlers`` fills an explicit registry from the settings (no import-time side
effects). Handlers return nothing: kopf would store return values under ``status``.
"""

from __future__ import annotations

from collections.abc import Sequence

import kopf

from ddisync.config import Settings
from ddisync.handlers.grids import register_grids
from ddisync.handlers.lifecycle import register_close, register_lifecycle
from ddisync.handlers.orphans import register_orphans
from ddisync.handlers.reconcile import AnyDriver
from ddisync.handlers.resources import register_kind
from ddisync.handlers.selectors import label_filter
from ddisync.handlers.sweep import recheck_forbidden, register_sweep
from ddisync.handlers.tenancy import register_tenancy
from ddisync.sync.kinds import DRIVERS


def register_handlers(
    registry: kopf.OperatorRegistry,
    settings: Settings,
    kinds: Sequence[AnyDriver] = DRIVERS,
) -> None:
    """``kinds``: the drivers of the kinds to reconcile (``sync.kinds``; a test adds one)."""
    labels = label_filter(settings.label_selector)
    register_lifecycle(registry, settings)  # first: the WAPI client the others use
    for driver in kinds:  # each kind's handlers and catalog (labels: see index.py)
        register_kind(registry, driver, settings, labels)
    register_grids(registry, settings)
    register_tenancy(registry, settings, lambda memo: recheck_forbidden(memo, settings, kinds))
    register_orphans(registry, settings, kinds)
    register_sweep(registry, settings, kinds)
    register_close(registry)  # last: kopf cleans up in this order, background tasks first


__all__ = ["register_handlers"]
