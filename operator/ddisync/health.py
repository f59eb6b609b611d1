"""What the probes read, and how liveness and readiness are decided from it.

Liveness (``/healthz``) and readiness (``/readyz``) answer different questions, and mixing them
restarts pods for nothing:

==========  =============================================  ======================================
probe       fails when                                     never fails because of
==========  =============================================  ======================================
liveness    the event loop does not answer (the request    Infoblox or Redis being down: a
            times out) or a watch task has died            restart cannot fix them, it only loops
readiness   the operator is not running, or Infoblox is    Redis: the cache degrades to the
            unreachable / refuses the credentials /        in-process layer and reconciles go on
            the circuit breaker is open                    (reported, not failing)
readiness   the Lease cannot be read (leader election)     being a standby: a standby is ready
(standby)                                                  to take over, and a rolling update and
                                                           the PDB must count it as available
==========  =============================================  ======================================

Both bodies say who leads: ``leader`` (true, false, or null with leader election off) and, with
leader election on, the readiness body has a ``leadership`` check (this replica's identity and
the holder seen).

Infoblox reachability is learned passively from every WAPI exchange (:class:`WapiHealthObserver`)
and, when that evidence is missing, stale or bad, actively from a probe (the client's ``ping``)
run at most once per ``probe_interval`` with a short timeout, so probes never hammer the grid.
:func:`serving_observability` serves ``/healthz`` and ``/readyz`` (JSON bodies) on the health
port and ``/metrics`` on the metrics port (one server when both ports are the same).
"""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Final, Literal

from aiohttp import web

from ddisync.metrics import CONTENT_TYPE, Metrics
from ddisync.wapi.errors import AuthenticationError
from ddisync.wapi.observer import NullObserver

__all__ = [
    "HealthState",
    "ObservabilityUrls",
    "RedisState",
    "WapiHealthObserver",
    "serving_observability",
]

RedisState = Literal["unknown", "ok", "degraded", "none"]
"""``none``: no Redis configured; ``unknown``: configured, not used yet; ``degraded``: the last
Redis operation failed and the cache runs on the in-process layer."""

_DETAIL_MAX: Final = 300


def _iso(when: float | None) -> str | None:
    if when is None:
        return None
    return datetime.datetime.fromtimestamp(when, datetime.UTC).isoformat(timespec="seconds")


def _short(text: str) -> str:
    return text if len(text) <= _DETAIL_MAX else text[: _DETAIL_MAX - 3] + "..."


class HealthState:
    """Facts the probes read; updated by the lifecycle handlers, the handlers and the WAPI
    client's observer.  Every update is a cheap synchronous assignment.

    ``clock`` gives Unix seconds (shown in the probe bodies as ISO times; injectable in tests).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        probe_interval: float = 30.0,
        probe_timeout: float = 3.0,
        stale_after: float = 60.0,
    ) -> None:
        self._clock = clock
        self.probe_interval = probe_interval
        """Seconds between two active Infoblox probes, however often /readyz is asked."""
        self.probe_timeout = probe_timeout
        """A probe slower than this counts as unreachable (kubelet's probe timeout is 1-10 s)."""
        self.stale_after = stale_after
        """Passive evidence older than this is refreshed by a probe (when one is attached)."""
        self.started_at = clock()
        self.running = False
        self.wapi_ok: bool | None = None
        """The latest evidence about the grid: reached and authenticated (None: no evidence)."""
        self.last_wapi_success: float | None = None
        self.last_wapi_failure: float | None = None
        self.wapi_failure_detail: str | None = None
        self.last_auth_failure: float | None = None
        self.circuit_open = False
        self.redis: RedisState = "unknown"
        self.redis_detail: str | None = None
        self.last_sync: float | None = None
        self.watchers_alive: Callable[[], bool] = lambda: True
        """Liveness hook: are the operator's watch tasks still running?"""
        self.infoblox_probe: Callable[[], Awaitable[object]] | None = None
        """Readiness hook: a cheap authenticated WAPI call (``WapiClient.ping``)."""
        self._last_probe: float | None = None
        self._probe_lock = asyncio.Lock()
        self.leader: bool | None = None
        """This replica leads (True), stands by (False); None: leader election is off."""
        self.leader_identity = ""
        self.leader_holder = ""
        self.lease_reachable: Callable[[], bool] = lambda: True
        """Readiness hook of a standby: has the Lease been read lately?"""

    # --- updates ------------------------------------------------------------------------------

    def mark_running(self, running: bool = True) -> None:
        """The operator finished its start-up (``True``) or began to stop (``False``)."""
        self.running = running

    def set_leadership(self, leading: bool, holder: str, identity: str) -> None:
        """Leader election's view: whether this replica leads, and who holds the Lease."""
        self.leader, self.leader_holder, self.leader_identity = leading, holder, identity

    def wapi_succeeded(self) -> None:
        """The grid answered an authenticated request (any answer that is not a refusal)."""
        self.wapi_ok = True
        self.last_wapi_success = self._clock()

    def wapi_failed(self, detail: str) -> None:
        """The grid could not be reached or answered with a server error."""
        self.wapi_ok = False
        self.last_wapi_failure = self._clock()
        self.wapi_failure_detail = _short(detail)

    def auth_failed(self, detail: str = "the grid refused the credentials") -> None:
        self.wapi_ok = False
        self.last_auth_failure = self.last_wapi_failure = self._clock()
        self.wapi_failure_detail = _short(f"authentication failed: {detail}")

    def circuit_changed(self, open: bool) -> None:
        self.circuit_open = open

    def set_redis(self, state: RedisState, detail: str | None = None) -> None:
        self.redis = state
        self.redis_detail = _short(detail) if detail else None

    def sync_succeeded(self) -> None:
        """A reconcile ended with Infoblox in step with the spec."""
        self.last_sync = self._clock()

    def wapi_observer(self) -> WapiHealthObserver:
        return WapiHealthObserver(self)

    # --- liveness -----------------------------------------------------------------------------

    def liveness(self) -> tuple[bool, dict[str, Any]]:
        """(alive, body).  Answering at all proves the event loop runs; the hook covers the
        watch tasks.  Deliberately nothing about Infoblox or Redis."""
        try:
            watchers = bool(self.watchers_alive())
            detail = "watch tasks running" if watchers else "a watch task has stopped"
        except Exception as error:  # a broken hook must not look alive
            watchers, detail = False, _short(f"watch check failed: {type(error).__name__}")
        body = {
            "status": "ok" if watchers else "failing",
            "checks": {
                "eventLoop": {"ok": True},
                "watchers": {"ok": watchers, "detail": detail},
            },
            "uptimeSeconds": round(self._clock() - self.started_at, 3),
            "leader": self.leader,
        }
        return watchers, body

    # --- readiness ----------------------------------------------------------------------------

    def _needs_probe(self, now: float) -> bool:
        if self.infoblox_probe is None:
            return False
        if self._last_probe is not None and now - self._last_probe < self.probe_interval:
            return False
        success = self.last_wapi_success
        return not self.wapi_ok or success is None or now - success > self.stale_after

    async def _probe_if_due(self) -> None:
        async with self._probe_lock:  # concurrent /readyz requests share one probe
            probe = self.infoblox_probe
            if probe is None or not self._needs_probe(self._clock()):
                return
            self._last_probe = self._clock()
            try:
                async with asyncio.timeout(self.probe_timeout):
                    await probe()
            except TimeoutError:
                self.wapi_failed(f"probe timed out after {self.probe_timeout:g}s")
            except AuthenticationError as error:
                self.auth_failed(str(error))
            except Exception as error:  # any failure means "not reachable"
                self.wapi_failed(f"{type(error).__name__}: {error}")
            else:
                self.wapi_succeeded()

    def _infoblox_check(self) -> dict[str, Any]:
        ok = bool(self.wapi_ok) and not self.circuit_open
        if self.circuit_open:
            detail = "circuit breaker open: WAPI calls fail fast until the grid recovers"
        elif ok:
            detail = "reachable and authenticated"
        elif self.wapi_ok is None:
            detail = "no WAPI call made yet"
        else:
            detail = self.wapi_failure_detail or "unreachable"
        return {
            "ok": ok,
            "required": True,
            "detail": detail,
            "lastSuccess": _iso(self.last_wapi_success),
            "lastFailure": _iso(self.last_wapi_failure),
            "lastAuthFailure": _iso(self.last_auth_failure),
            "circuitOpen": self.circuit_open,
        }

    def _redis_check(self) -> dict[str, Any]:
        details = {
            "none": "not configured: in-process cache only",
            "unknown": "not used yet",
            "ok": "reachable",
            "degraded": "unreachable: caching in process only",
        }
        return {
            "ok": self.redis != "degraded",
            "required": False,
            "state": self.redis,
            "detail": self.redis_detail or details[self.redis],
        }

    def _leadership_check(self) -> dict[str, Any]:
        if self.leader:
            detail = f"{self.leader_identity} leads"
            return {"ok": True, "required": False, "detail": detail, **self._lease_names()}
        reachable = self.lease_reachable()
        holder = self.leader_holder or "nobody"
        detail = f"standby: {holder} leads" if reachable else "standby: the Lease cannot be read"
        return {"ok": reachable, "required": True, "detail": detail, **self._lease_names()}

    def _lease_names(self) -> dict[str, str]:
        return {"identity": self.leader_identity, "holder": self.leader_holder}

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        """(ready, body); may run the Infoblox probe (bounded by its timeout and interval).

        A standby runs nothing of the operator: only its leadership check counts."""
        now = self._clock()
        checks: dict[str, dict[str, Any]] = {}
        if self.leader is not None:  # leader election on
            checks["leadership"] = self._leadership_check()
        if self.leader is False:
            standby = {"ok": True, "required": False, "detail": "standby: checked while leading"}
            checks |= {name: dict(standby) for name in ("operator", "infoblox", "redis")}
        else:
            await self._probe_if_due()
            now = self._clock()
            checks |= {
                "operator": {
                    "ok": self.running,
                    "required": True,
                    "detail": "running" if self.running else "not running (starting or stopping)",
                },
                "infoblox": self._infoblox_check(),
                "redis": self._redis_check(),
            }
        failing = [name for name, check in checks.items() if check["required"] and not check["ok"]]
        body = {
            "status": "degraded" if failing else "ok",
            "failing": failing,
            "leader": self.leader,
            "checks": checks,
            "lastSync": {
                "at": _iso(self.last_sync),
                "ageSeconds": None if self.last_sync is None else round(now - self.last_sync, 3),
            },
        }
        return not failing, body


class WapiHealthObserver(NullObserver):
    """Learns Infoblox reachability from every WAPI exchange (a ``WapiObserver``).

    ==========================  ==================================
    exchange ended with         recorded as
    ==========================  ==================================
    401                         authentication failure
    403, 429                    nothing (reachable but throttling)
    other 2xx-4xx               success: reachable, authenticated
    5xx                         failure ("the grid answered 503")
    no answer (``"error"``)     failure (timeout, connection)
    ==========================  ==================================
    """

    def __init__(self, state: HealthState) -> None:
        self._state = state

    def on_request(self, *, method: str, objtype: str, status: int | str, seconds: float) -> None:
        if not isinstance(status, int):
            self._state.wapi_failed("no answer from the grid (timeout or connection error)")
        elif status == 401:
            self._state.auth_failed("the grid answered 401")
        elif status >= 500:
            self._state.wapi_failed(f"the grid answered {status}")
        elif status not in (403, 429):
            self._state.wapi_succeeded()

    def on_circuit_change(self, open: bool) -> None:
        self._state.circuit_changed(open)


# --- HTTP ---------------------------------------------------------------------------------------

_HEALTH_KEY: Final = web.AppKey("health", HealthState)
_METRICS_KEY: Final = web.AppKey("metrics", Metrics)


async def _healthz(request: web.Request) -> web.Response:
    alive, body = request.app[_HEALTH_KEY].liveness()
    return web.json_response(body, status=200 if alive else 503)


async def _readyz(request: web.Request) -> web.Response:
    ready, body = await request.app[_HEALTH_KEY].readiness()
    return web.json_response(body, status=200 if ready else 503)


async def _metrics(request: web.Request) -> web.Response:
    return web.Response(
        body=request.app[_METRICS_KEY].exposition(), headers={"Content-Type": CONTENT_TYPE}
    )


@dataclass(frozen=True)
class ObservabilityUrls:
    """Where the servers actually listen (the real ports when 0 was asked for)."""

    metrics: str
    healthz: str
    readyz: str


async def _start(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)  # a line per probe and scrape is noise
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner, int(runner.addresses[0][1])


@asynccontextmanager
async def serving_observability(
    metrics: Metrics,
    health: HealthState,
    *,
    metrics_port: int,
    health_port: int,
    host: str = "0.0.0.0",  # kubelet and Prometheus reach the pod IP
) -> AsyncIterator[ObservabilityUrls]:
    """Serve ``/metrics`` on ``metrics_port`` and ``/healthz`` + ``/readyz`` on ``health_port``
    for the duration of the block; port 0 picks a free port.  Equal non-zero ports share one
    server.  Everything is closed on exit."""
    health_app = web.Application()
    health_app[_HEALTH_KEY] = health
    health_app.router.add_get("/healthz", _healthz)
    health_app.router.add_get("/readyz", _readyz)
    shared = metrics_port == health_port and metrics_port != 0
    metrics_app = health_app if shared else web.Application()
    metrics_app[_METRICS_KEY] = metrics
    metrics_app.router.add_get("/metrics", _metrics)
    runners: list[web.AppRunner] = []
    try:
        runner, actual_health = await _start(health_app, host, health_port)
        runners.append(runner)
        actual_metrics = actual_health
        if not shared:
            runner, actual_metrics = await _start(metrics_app, host, metrics_port)
            runners.append(runner)
        # A wildcard bind is reachable on loopback; that is the URL a local caller can use.
        shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
        shown = f"[{shown}]" if ":" in shown else shown
        yield ObservabilityUrls(
            metrics=f"http://{shown}:{actual_metrics}/metrics",
            healthz=f"http://{shown}:{actual_health}/healthz",
            readyz=f"http://{shown}:{actual_health}/readyz",
        )
    finally:
        for runner in reversed(runners):
            await runner.cleanup()
