"""Every Prometheus metric of ddisync, declared in this one module, each with help text.

The metrics live on a dedicated :class:`prometheus_client.CollectorRegistry` held by a
:class:`Metrics` object made once per operator run (never the global default registry), so
tests and several operators in one process do not clash, and nothing is created at import time.

Label values come from small, fixed sets; anything outside a set is reported as ``"other"``
so a bug or an odd input can never turn a label into a name, an address or a ref:

=============  ==========================================================================
label          values
=============  ==========================================================================
kind           ``Network``, ``Record``
result         see :data:`RESULTS`
method         ``GET``, ``POST``, ``PUT``, ``DELETE``
object         the WAPI object types in :data:`WAPI_OBJECTS` (``record:a``, ``network``, ...)
code           an HTTP status ``100``-``599`` or ``error`` (no answer: timeout, reset)
reason         :data:`ddisync.wapi.observer.RETRY_REASONS`
layer          ``memory``, ``redis``
result(cache)  ``hit``, ``miss``, ``error``
ready          ``True``, ``False``, ``Unknown`` (the ``Ready`` condition's status)
=============  ==========================================================================
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Final, Literal

import kopf
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from ddisync.api.crd import KINDS as CRD_KINDS
from ddisync.wapi.observer import RETRY_REASONS, WapiObserver

__all__ = [
    "CONTENT_TYPE",
    "KINDS",
    "RESULTS",
    "WAPI_OBJECTS",
    "FanOutObserver",
    "Metrics",
    "ReconcileResult",
    "WapiMetricsObserver",
]

CONTENT_TYPE: Final = CONTENT_TYPE_LATEST
OTHER: Final = "other"

# The namespaced kinds (``api.crd.KINDS``): a fixed set of label values.
KINDS: Final = frozenset(info.kind for info in CRD_KINDS)

ReconcileResult = Literal["synced", "failed", "refused", "retry"]
RESULTS: Final[frozenset[ReconcileResult]] = frozenset({"synced", "failed", "refused", "retry"})
"""How one reconcile ended:

- ``synced``: Infoblox agrees with the spec (created, updated, adopted or already in step);
  ``Ready=True``.
- ``retry``: a transient failure (Infoblox unavailable, conflict, no free address, ...):
  ``Ready=False`` and ``kopf.TemporaryError``; it runs again after a delay.
- ``refused``: the operator declines by rule (invalid spec, not owned, immutable field):
  ``Ready=False`` and ``kopf.PermanentError``; nothing happens until the spec changes.
- ``failed``: an unexpected error (a bug or an unmapped exception); kopf logs the traceback
  and retries with its backoff.
"""

WAPI_METHODS: Final = frozenset({"GET", "POST", "PUT", "DELETE"})

WAPI_OBJECTS: Final = frozenset(
    {
        # DNS
        "view",
        "zone_auth",
        "record:a",
        "record:aaaa",
        "record:cname",
        "record:txt",
        "record:mx",
        "record:srv",
        "record:ptr",
        "record:host",
        "record:host_ipv4addr",
        "record:host_ipv6addr",
        "record:caa",
        "record:ns",
        "nsgroup",
        # IPAM / DHCP
        "networkview",
        "network",
        "networkcontainer",
        "ipv6network",
        "ipv6networkcontainer",
        "ipv4address",
        "ipv6address",
        "fixedaddress",
        "ipv6fixedaddress",
        "range",
        "ipv6range",
        # Grid and schema
        "grid",
        "extensibleattributedef",
        "request",  # the multi-object endpoint
    }
)
"""WAPI object types reported as themselves in the ``object`` label; any other → ``other``."""

CACHE_LAYERS: Final = frozenset({"memory", "redis"})
CACHE_RESULTS: Final = frozenset({"hit", "miss", "error"})
READY_VALUES: Final = ("True", "False", "Unknown")

# Seconds. A reconcile is one to a few WAPI calls, each up to the 30 s request timeout plus
# retries; a WAPI request on a healthy grid takes milliseconds, a large page or a busy GM seconds.
_RECONCILE_BUCKETS: Final = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
_REQUEST_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_WAIT_BUCKETS: Final = (0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_BATCH_BUCKETS: Final = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
# A sweep answered from the snapshot takes about 0.1 s per 1,000 resources; repairs add WAPI time.
_SWEEP_BUCKETS: Final = (0.01, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


def _bounded(value: str, allowed: frozenset[str]) -> str:
    return value if value in allowed else OTHER


def wapi_object_label(objtype: str) -> str:
    """The ``object`` label: the object type of a type or ref, if it is a known one."""
    return _bounded(objtype.split("/", 1)[0].strip().lower(), WAPI_OBJECTS)


def code_label(status: int | str) -> str:
    """The ``code`` label: ``"200"``... for an HTTP status, ``"error"`` for anything else."""
    if isinstance(status, int) and not isinstance(status, bool) and 100 <= status <= 599:
        return str(status)
    return "error"


class Metrics:
    """The operator's metrics on their own registry; one per operator run."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._leading = False
        r = self.registry
        self.reconcile_total = Counter(
            "ddisync_reconcile_total",
            "Reconciles finished, by resource kind and result (synced, retry, refused, failed).",
            ["kind", "result"],
            registry=r,
        )
        self.reconcile_duration = Histogram(
            "ddisync_reconcile_duration_seconds",
            "Wall time of one reconcile (parse, WAPI calls, status), by resource kind.",
            ["kind"],
            buckets=_RECONCILE_BUCKETS,
            registry=r,
        )
        self.last_sync = Gauge(
            "ddisync_last_successful_sync_timestamp_seconds",
            "Unix time of the last reconcile that ended synced, by resource kind.",
            ["kind"],
            registry=r,
        )
        self.wapi_requests_total = Counter(
            "ddisync_wapi_requests_total",
            "HTTP exchanges with a Grid Master, by grid, method, WAPI object type and status "
            "code ('error' = no answer: timeout or connection error).",
            ["grid", "method", "object", "code"],
            registry=r,
        )
        self.wapi_request_duration = Histogram(
            "ddisync_wapi_request_duration_seconds",
            "Duration of one HTTP exchange with a Grid Master (excluding rate-limit waits).",
            ["grid", "method", "object"],
            buckets=_REQUEST_BUCKETS,
            registry=r,
        )
        self.wapi_retries_total = Counter(
            "ddisync_wapi_retries_total",
            "WAPI calls retried after a transient failure, by grid and reason (503, timeout, ...).",
            ["grid", "reason"],
            registry=r,
        )
        self.wapi_ratelimit_wait = Histogram(
            "ddisync_wapi_ratelimit_wait_seconds",
            "Time requests waited for the client-side rate limiter or in-flight cap "
            "(only waits > 0 are observed).",
            buckets=_WAIT_BUCKETS,
            registry=r,
        )
        self.wapi_batch_operations = Histogram(
            "ddisync_wapi_batch_operations",
            "Operations (writes or lookups) coalesced into one WAPI request, by grid; 1 = sent "
            "on its own. Large batches mean few requests per object on the Grid Master.",
            ["grid"],
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.wapi_circuit_open = Gauge(
            "ddisync_wapi_circuit_open",
            "1 while a grid's WAPI circuit breaker is open (calls fail fast), else 0.",
            ["grid"],
            registry=r,
        )
        self.cache_requests_total = Counter(
            "ddisync_cache_requests_total",
            "Read-cache lookups, by layer (memory, redis) and result (hit, miss, error).",
            ["layer", "result"],
            registry=r,
        )
        self.resources = Gauge(
            "ddisync_resources",
            "Resources known to the operator, by kind and Ready condition status.",
            ["kind", "ready"],
            registry=r,
        )
        self.drift_repaired_total = Counter(
            "ddisync_drift_repaired_total",
            "Infoblox objects found changed outside the operator and put back, by kind.",
            ["kind"],
            registry=r,
        )
        self.drift_sweep_duration = Histogram(
            "ddisync_drift_sweep_duration_seconds",
            "Wall time of one drift sweep over every resource of a kind this replica "
            "reconciles (checks and any repairs), by kind.",
            ["kind"],
            buckets=_SWEEP_BUCKETS,
            registry=r,
        )
        self.orphans = Gauge(
            "ddisync_orphans",
            "Infoblox objects carrying this cluster's ownership marker that no resource claims "
            "any more, by kind (as of the last drift check).",
            ["kind"],
            registry=r,
        )
        self.leader = Gauge(
            "ddisync_leader",
            "1 while this replica leads (reconciles), 0 while it stands by (leader election: "
            "one replica of an instance leads). 1 with leader election off.",
            registry=r,
        )
        self.leader_transitions_total = Counter(
            "ddisync_leader_transitions_total",
            "Times this replica started or stopped leading.",
            registry=r,
        )
        # Zero series from the start, so rate() and dashboards work before the first event.
        for kind in sorted(KINDS):
            self.reconcile_duration.labels(kind=kind)
            self.drift_repaired_total.labels(kind=kind)
            self.drift_sweep_duration.labels(kind=kind)
            for result in sorted(RESULTS):
                self.reconcile_total.labels(kind=kind, result=result)

    # --- hooks for handlers -------------------------------------------------------------------

    def reconcile_finished(self, kind: str, result: ReconcileResult, seconds: float) -> None:
        """Count one reconcile of ``kind`` that ended with ``result`` after ``seconds``."""
        kind_label = _bounded(kind, KINDS)
        self.reconcile_total.labels(kind=kind_label, result=_bounded(result, RESULTS)).inc()
        self.reconcile_duration.labels(kind=kind_label).observe(max(0.0, seconds))
        if result == "synced":
            self.last_sync.labels(kind=kind_label).set(time.time())

    @contextmanager
    def reconciling(
        self, kind: str, *, on_synced: Callable[[], None] | None = None
    ) -> Iterator[None]:
        """Time the block and count it by how it ended (the handler's own exceptions):

        ===========================  ========
        block ends with              result
        ===========================  ========
        no exception                 synced
        ``kopf.TemporaryError``      retry
        ``kopf.PermanentError``      refused
        any other ``Exception``      failed
        cancellation                 not counted (the operator is stopping)
        ===========================  ========

        The exception is re-raised unchanged.  ``on_synced`` runs after a synced block (e.g.
        ``HealthState.sync_succeeded``).
        """
        started = time.monotonic()
        result: ReconcileResult | None = None
        try:
            yield
            result = "synced"
        except kopf.TemporaryError:
            result = "retry"
            raise
        except kopf.PermanentError:
            result = "refused"
            raise
        except Exception:
            result = "failed"
            raise
        finally:
            if result is not None:
                self.reconcile_finished(kind, result, time.monotonic() - started)
        if on_synced is not None:
            on_synced()

    def set_leader(self, leading: bool) -> None:
        """This replica started (True) or stopped (False) leading."""
        if leading != self._leading:
            self.leader_transitions_total.inc()
        self._leading = leading
        self.leader.set(1 if leading else 0)

    def set_resources(self, kind: str, ready_counts: Mapping[str, int]) -> None:
        """Set how many resources of ``kind`` have each Ready status (``True``/``False``/
        ``Unknown``); a status missing from ``ready_counts`` is set to 0."""
        kind_label = _bounded(kind, KINDS)
        unknown = sum(n for k, n in ready_counts.items() if k not in READY_VALUES)
        for ready in READY_VALUES:
            count = ready_counts.get(ready, 0) + (unknown if ready == "Unknown" else 0)
            self.resources.labels(kind=kind_label, ready=ready).set(count)

    def drift_repaired(self, kind: str, n: int = 1) -> None:
        """``n`` objects of ``kind`` were found drifted in Infoblox and repaired."""
        self.drift_repaired_total.labels(kind=_bounded(kind, KINDS)).inc(n)

    def drift_swept(self, kind: str, seconds: float) -> None:
        """One drift sweep over the resources of ``kind`` took ``seconds``."""
        self.drift_sweep_duration.labels(kind=_bounded(kind, KINDS)).observe(seconds)

    def set_orphans(self, kind: str, n: int) -> None:
        """The last drift check found ``n`` owned-but-unclaimed objects of ``kind``."""
        self.orphans.labels(kind=_bounded(kind, KINDS)).set(n)

    def cache_request(self, layer: str, result: str) -> None:
        """One cache lookup in ``layer`` (memory, redis) ended as ``result`` (hit, miss, error)."""
        self.cache_requests_total.labels(
            layer=_bounded(layer, CACHE_LAYERS), result=_bounded(result, CACHE_RESULTS)
        ).inc()

    # --- WAPI client and exposition -----------------------------------------------------------

    def wapi_observer(self, grid: str = "default") -> WapiMetricsObserver:
        """An observer to pass to a grid's ``WapiClient(observer=...)``; ``grid`` labels its
        series (grids are few: the operator's own and the InfobloxGrids an admin made)."""
        return WapiMetricsObserver(self, grid)

    def exposition(self) -> bytes:
        """The text exposition format (what ``/metrics`` serves, with :data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)


class WapiMetricsObserver:
    """Maps the WAPI client's :class:`~ddisync.wapi.observer.WapiObserver` hooks to metrics."""

    def __init__(self, metrics: Metrics, grid: str = "default") -> None:
        self._m = metrics
        self._grid = grid
        metrics.wapi_circuit_open.labels(grid=grid).set(0)  # a series from the start: closed

    def on_request(self, *, method: str, objtype: str, status: int | str, seconds: float) -> None:
        method_label = _bounded(method.upper(), WAPI_METHODS)
        object_label = wapi_object_label(objtype)
        self._m.wapi_requests_total.labels(
            grid=self._grid, method=method_label, object=object_label, code=code_label(status)
        ).inc()
        self._m.wapi_request_duration.labels(
            grid=self._grid, method=method_label, object=object_label
        ).observe(max(0.0, seconds))

    def on_retry(self, *, reason: str) -> None:
        reason_label = _bounded(reason, RETRY_REASONS)
        self._m.wapi_retries_total.labels(grid=self._grid, reason=reason_label).inc()

    def on_rate_limit_wait(self, seconds: float) -> None:
        self._m.wapi_ratelimit_wait.observe(max(0.0, seconds))

    def on_circuit_change(self, open: bool) -> None:
        self._m.wapi_circuit_open.labels(grid=self._grid).set(1 if open else 0)

    def on_batch(self, size: int) -> None:
        self._m.wapi_batch_operations.labels(grid=self._grid).observe(size)


class FanOutObserver:
    """Passes every hook on to several observers (the client takes one; metrics and health
    both listen).  An observer that raises does not stop the others, nor the client's call."""

    def __init__(self, *observers: WapiObserver) -> None:
        self._observers = observers

    def _each(self, call: Callable[[WapiObserver], None]) -> None:
        for observer in self._observers:
            with suppress(Exception):  # an observer must never break a WAPI call
                call(observer)

    def on_request(self, *, method: str, objtype: str, status: int | str, seconds: float) -> None:
        self._each(
            lambda o: o.on_request(method=method, objtype=objtype, status=status, seconds=seconds)
        )

    def on_retry(self, *, reason: str) -> None:
        self._each(lambda o: o.on_retry(reason=reason))

    def on_rate_limit_wait(self, seconds: float) -> None:
        self._each(lambda o: o.on_rate_limit_wait(seconds))

    def on_circuit_change(self, open: bool) -> None:
        self._each(lambda o: o.on_circuit_change(open))

    def on_batch(self, size: int) -> None:
        self._each(lambda o: o.on_batch(size))
