"""kopf wiring: thin handlers that parse, call ``ddisync.sync``, and write status.

``register_handlers`` fills an explicit registry from the settings (no import-time side
effects). Handlers return nothing: kopf would store return values under ``status``.
"""

from __future__ import annotations

import kopf

from ddisync.config import Settings
from ddisync.handlers.index import register_indexes
from ddisync.handlers.lifecycle import register_close, register_lifecycle
from ddisync.handlers.network import register_network
from ddisync.handlers.orphans import register_orphans
from ddisync.handlers.record import register_record
from ddisync.handlers.selectors import label_filter
from ddisync.handlers.sweep import register_sweep


def register_handlers(registry: kopf.OperatorRegistry, settings: Settings) -> None:
    labels = label_filter(settings.label_selector)
    register_lifecycle(registry, settings)  # first: the WAPI client the others use
    register_indexes(registry, labels)  # the filter for the drift sweep only: see index.py
    register_network(registry, settings, labels)
    register_record(registry, settings, labels)
    register_orphans(registry, settings)
    register_sweep(registry, settings)
    register_close(registry)  # last: kopf cleans up in this order, background tasks first


__all__ = ["register_handlers"]
