"""Fault injection and the load model, plus request counters.

``Faults`` is a mutable dataclass shared by the server: tests change it directly
(``sim.faults.fail_rate = 1.0``) or over HTTP (``PUT /_sim/faults``). Per WAPI request, in
this order:

1. concurrency: more than ``max_concurrency`` requests in flight -> 403 HTML, as NIOS's
   per-client connection limit shows itself [V report, U shape];
2. latency: sleep ``latency_ms`` plus a uniform ``0..latency_jitter_ms``;
3. reset: with probability ``reset_rate`` the TCP connection is aborted with RST;
4. failure: with probability ``fail_rate`` the answer is 503 ``Service Unavailable`` [C];
5. auth lockout (``lockout_failures``; see ``auth.py``);
6. after the request was carried out: ``drop_after_commit`` write requests in a row have their
   answer lost (the connection reset once the grid committed them), the case a client cannot
   tell from a request that never arrived.

``Counters`` counts answered WAPI requests by (method, object type) and by status. The object
type of a ref is its type; ``/request`` counts as ``request``; ``?_schema`` on the root as ``""``;
a reset connection counts with status 0. It counts *operations* apart: each request that
reached the dispatch is one, except a multi-request (``/request``), which counts each of its
operations under its own method and object type (what the grid read or wrote, however many
HTTP requests carried it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, fields
from typing import Any

from .errors import fail

__all__ = ["SERVICE_UNAVAILABLE", "Counters", "Faults"]

SERVICE_UNAVAILABLE = """<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">
<html><head>
<title>503 Service Unavailable</title>
</head><body>
<h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your
request due to maintenance downtime or capacity
problems. Please try again later.</p>
</body></html>
"""


@dataclass
class Faults:
    latency_ms: float = 0.0
    """Fixed delay added to every WAPI request, in milliseconds."""
    latency_jitter_ms: float = 0.0
    """Extra uniform random delay, 0..this many milliseconds."""
    fail_rate: float = 0.0
    """Probability (0..1) that a request is answered 503."""
    reset_rate: float = 0.0
    """Probability (0..1) that the connection is reset instead of answered."""
    max_concurrency: int | None = None
    """Requests in flight above this are answered 403 (None: unlimited)."""
    lockout_failures: int | None = None
    """Failed logins within ``lockout_window`` that lock everyone out (None: never)."""
    lockout_window: float = 60.0
    """Seconds over which failed logins are counted."""
    lockout_seconds: float = 60.0
    """How long a lockout lasts, in seconds."""
    drop_after_commit: int = 0
    """The next this-many successful write requests (POST, PUT, DELETE, a multi-request) are
    committed, then their connection is reset instead of answered; counts down to 0."""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update (from ``PUT /_sim/faults``), checking names and types."""
        known = {f.name for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise fail("unknown_field", field=name)
            if name == "drop_after_commit":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise fail("bad_type", field=name, value=repr(value), kind="integer >= 0")
            elif name in ("max_concurrency", "lockout_failures"):
                if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                    raise fail("bad_type", field=name, value=repr(value), kind="integer")
            elif isinstance(value, bool) or not isinstance(value, int | float):
                raise fail("bad_type", field=name, value=repr(value), kind="number")
            elif name in ("fail_rate", "reset_rate") and not 0 <= value <= 1:
                raise fail("bad_value", field=name, value=repr(value), reason="Must be 0..1")
        for name, value in changes.items():
            setattr(self, name, value)


class Counters:
    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.statuses: Counter[int] = Counter()
        self.by_all: Counter[tuple[str, str, int]] = Counter()
        self.operations: Counter[tuple[str, str]] = Counter()

    def add_operation(self, method: str, objtype: str) -> None:
        self.operations[(method, objtype)] += 1

    def add(self, method: str, objtype: str, status: int) -> None:
        self.requests[(method, objtype)] += 1
        self.statuses[status] += 1
        self.by_all[(method, objtype, status)] += 1

    def total(
        self, method: str | None = None, objtype: str | None = None, status: int | None = None
    ) -> int:
        """Requests answered, optionally only those of a method, object type and/or status."""
        return sum(
            n
            for (m, t, s), n in self.by_all.items()
            if (method is None or m == method)
            and (objtype is None or t == objtype)
            and (status is None or s == status)
        )

    def operations_total(self, method: str | None = None, objtype: str | None = None) -> int:
        """Operations carried out, optionally only those of a method and/or object type."""
        return sum(
            n
            for (m, t), n in self.operations.items()
            if (method is None or m == method) and (objtype is None or t == objtype)
        )

    def snapshot(self) -> dict[str, Any]:
        return {
            "total": sum(self.statuses.values()),
            "by_method_and_type": {f"{m} {t}": n for (m, t), n in sorted(self.requests.items())},
            "by_status": {str(s): n for s, n in sorted(self.statuses.items())},
            "operations": sum(self.operations.values()),
            "operations_by_method_and_type": {
                f"{m} {t}": n for (m, t), n in sorted(self.operations.items())
            },
        }

    def reset(self) -> None:
        self.requests.clear()
        self.statuses.clear()
        self.by_all.clear()
        self.operations.clear()
