"""A NIOS-faithful Infoblox WAPI simulator (aiohttp, in-memory, TLS optional).

The distribution ``ddisync-simulator``, installable on its own. An independent peer of the
operator's client (``ddisync.wapi``): it shares no code with it and does not depend on the
operator's distribution, so tests that drive the client against it prove something. The
behaviour it follows, and its own choices where NIOS's is unverified, are in README.md.
"""

from .app import DEFAULT_VERSIONS, Simulator, SimulatorOptions, running_simulator
from .errors import WapiError
from .faults import Counters, Faults
from .store import Grid

__all__ = [
    "DEFAULT_VERSIONS",
    "Counters",
    "Faults",
    "Grid",
    "Simulator",
    "SimulatorOptions",
    "WapiError",
    "running_simulator",
]
