"""A NIOS-faithful Infoblox WAPI simulator (aiohttp, in-memory, TLS optional).

An independent peer of ``ddisync.wapi``: it shares no code with the client, so tests that
drive the client against it prove something. Behaviour follows
``shared/reference/wapi-behaviour.md``; the simulator's own choices are listed in README.md.
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
