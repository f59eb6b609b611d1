"""The simulator as an object: options, start/stop, and ``running_simulator()``.

async with running_simulator(SimulatorOptions(port=0)) as sim:
    sim.url        # "http://127.0.0.1:PORT" (no /wapi)
    sim.grid       # the in-memory store: sim.grid.objects("record:a"), sim.grid.count(...)
    sim.faults     # change at run time: sim.faults.fail_rate = 0.2
    sim.counters   # sim.counters.total(method="GET"), sim.counters.snapshot()
    sim.reset()    # back to the seeded grid, the configured faults, no counters or sessions
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from .auth import Authenticator
from .faults import Counters, Faults
from .seed import load_seed, save_seed
from .server import build_app
from .store import Grid
from .tls import make_self_signed, server_context

__all__ = ["DEFAULT_VERSIONS", "Simulator", "SimulatorOptions", "running_simulator"]

DEFAULT_VERSIONS: tuple[str, ...] = tuple(f"2.{minor}" for minor in range(14))


@dataclass
class SimulatorOptions:
    host: str = "127.0.0.1"
    """Address to listen on."""
    port: int = 0
    """Port to listen on; 0 picks a free one (read it back from ``sim.url``)."""
    tls: bool = False
    """Serve HTTPS (with ``cert``/``key``, or a self-signed certificate made at start)."""
    username: str = "admin"
    password: str = "infoblox"
    seed: Path | dict[str, Any] | None = None
    """None: the demo seed; {}: an empty grid (default network view and DNS view only)."""
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    fail_rate: float = 0.0
    reset_rate: float = 0.0
    max_concurrency: int | None = None
    lockout_failures: int | None = None
    session_timeout: int = 600
    """Idle seconds before an ``ibapauth`` session expires (NIOS default 600)."""
    versions: list[str] | None = None
    """Accepted WAPI versions as ``major.minor``; None: 2.0 to 2.13 (patch forms accepted)."""
    cert: Path | None = None
    key: Path | None = None
    save: Path | None = None
    """Write the grid here (YAML, or JSON for ``.json``) when the simulator stops."""


class Simulator:
    def __init__(self, options: SimulatorOptions | None = None) -> None:
        self.options = opts = options or SimulatorOptions()
        self.grid: Grid
        self.faults: Faults
        self.counters: Counters
        self.auth: Authenticator
        self.reset()
        self.versions: tuple[str, ...] = tuple(opts.versions or DEFAULT_VERSIONS)
        self.url = ""
        self.ca_file: Path | None = None
        self._runner: web.AppRunner | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def reset(self) -> None:
        """Back to the state of a fresh start with the same options, while serving: the seeded
        grid, the configured faults, no counters, no sessions and no lockout. A test suite runs
        one simulator for many tests and resets it between them."""
        opts = self.options
        self.grid = load_seed(opts.seed)
        self.faults = Faults(
            latency_ms=opts.latency_ms,
            latency_jitter_ms=opts.latency_jitter_ms,
            fail_rate=opts.fail_rate,
            reset_rate=opts.reset_rate,
            max_concurrency=opts.max_concurrency,
            lockout_failures=opts.lockout_failures,
        )
        self.counters = Counters()
        self.auth = Authenticator(opts.username, opts.password, opts.session_timeout)

    async def start(self) -> None:
        opts = self.options
        ssl_context = None
        if opts.tls:
            if opts.cert and opts.key:
                cert, key = opts.cert, opts.key
            else:
                self._tmp = tempfile.TemporaryDirectory(prefix="ddisync-sim-")
                cert, key = make_self_signed(Path(self._tmp.name), opts.host)
            self.ca_file = cert
            ssl_context = server_context(cert, key)
        self._runner = web.AppRunner(build_app(self), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner, opts.host, opts.port, ssl_context=ssl_context, reuse_address=True
        )
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        port = sockets[0].getsockname()[1] if sockets else opts.port
        host = f"[{opts.host}]" if ":" in opts.host else opts.host
        self.url = f"{'https' if opts.tls else 'http'}://{host}:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.options.save is not None:
            save_seed(self.grid, self.options.save)
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def wapi_url(self, version: str = "2.12") -> str:
        return f"{self.url}/wapi/v{version}"


@asynccontextmanager
async def running_simulator(options: SimulatorOptions | None = None) -> AsyncIterator[Simulator]:
    """Start a simulator, yield it, stop it (saving state if ``options.save`` is set)."""
    sim = Simulator(options)
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
