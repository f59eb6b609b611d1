"""kopf wiring: thin handlers that parse, call ``ddisync.sync``, and write status.

``register_handlers`` fills an explicit registry from the settings (no import-time side
effects). Handlers return nothing: kopf would store return values under ``status``.
"""

from __future__ import annotations

import kopf

from ddisync.config import Settings
from ddisync.handlers.lifecycle import register_lifecycle
from ddisync.handlers.network import register_network
from ddisync.handlers.selectors import label_filter


def register_handlers(registry: kopf.OperatorRegistry, settings: Settings) -> None:
    labels = label_filter(settings.label_selector)
    register_lifecycle(registry, settings)
    register_network(registry, settings, labels)


__all__ = ["register_handlers"]
