"""The registry of kinds: one line per kind. Adding a kind is an ``api`` model (with its
``KindInfo`` in ``api.crd``), a planner in ``reconcile``, a driver here in ``sync``, and its
line below; the handlers, the drift sweep and the orphan scan take every kind from here."""

from __future__ import annotations

from typing import Any

from ddisync.sync.dhcp_range import DRIVER as DHCP_RANGE
from ddisync.sync.driver import Driver
from ddisync.sync.fixed_address import DRIVER as FIXED_ADDRESS
from ddisync.sync.network import DRIVER as NETWORK
from ddisync.sync.record import DRIVER as RECORD
from ddisync.sync.zone import DRIVER as ZONE

DRIVERS: tuple[Driver[Any, Any], ...] = (
    NETWORK,
    RECORD,
    ZONE,
    FIXED_ADDRESS,
    DHCP_RANGE,
)
