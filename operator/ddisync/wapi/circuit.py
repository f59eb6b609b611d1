"""A circuit breaker in front of the Grid Master.

Decision table (``threshold`` = ``circuit_failure_threshold``,
``reset`` = ``circuit_reset_timeout``):

====================  ==============================  ===================================
state                 event                           next state
====================  ==============================  ===================================
closed                success                         closed (failure count reset)
closed                transient failure #threshold    open (since now)
open                  call before ``reset`` elapsed   open — CircuitOpenError, nothing sent
open                  call after ``reset`` elapsed    half-open — this call is the probe
half-open             another call                    CircuitOpenError (one probe only)
half-open             probe succeeds                  closed
half-open             probe fails                     open (since now)
====================  ==============================  ===================================

"Failure" means a transient one (5xx, 429, 403 connection limit, timeout, connection error):
an error *answer* such as a conflict proves the grid is alive and counts as a success.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable

from .errors import CircuitOpenError

__all__ = ["CircuitBreaker", "CircuitState"]

logger = logging.getLogger("ddisync.wapi")


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


class CircuitBreaker:
    def __init__(
        self,
        threshold: int,
        reset_timeout: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_change: Callable[[bool], None] | None = None,
    ) -> None:
        self.threshold = max(1, threshold)
        self.reset_timeout = reset_timeout
        self._clock = clock
        self._on_change = on_change
        self._state = CircuitState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probing = False

    @property
    def state(self) -> CircuitState:
        return self._state

    @property
    def is_open(self) -> bool:
        """True while calls fail fast (open, or half-open with the probe already out)."""
        if self._state is CircuitState.CLOSED:
            return False
        if self._state is CircuitState.OPEN:
            return self._clock() - self._opened_at < self.reset_timeout
        return self._probing

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` unless a request may go out now."""
        if self._state is CircuitState.CLOSED:
            return
        if self._state is CircuitState.OPEN:
            remaining = self.reset_timeout - (self._clock() - self._opened_at)
            if remaining > 0:
                raise CircuitOpenError(
                    f"Infoblox unavailable: circuit open, next probe in {remaining:.1f}s",
                    reason="circuit",
                    retry_after=remaining,
                )
            self._state = CircuitState.HALF_OPEN
            self._probing = False
        if self._probing:
            raise CircuitOpenError(
                "Infoblox unavailable: circuit half-open, a probe is in flight",
                reason="circuit",
                retry_after=self.reset_timeout,
            )
        self._probing = True
        logger.info("WAPI circuit half-open: sending one probe request")

    def record_success(self) -> None:
        self._failures = 0
        if self._state is not CircuitState.CLOSED:
            self._state = CircuitState.CLOSED
            self._probing = False
            logger.info("WAPI circuit closed: the grid answers again")
            if self._on_change:
                self._on_change(False)

    def record_failure(self) -> None:
        self._failures += 1
        if self._state is CircuitState.HALF_OPEN:
            self._open()
        elif self._state is CircuitState.CLOSED and self._failures >= self.threshold:
            self._open()
            if self._on_change:
                self._on_change(True)

    def release_probe(self) -> None:
        """The probe ended without a verdict (cancelled, auth error): let another one go."""
        if self._state is CircuitState.HALF_OPEN:
            self._probing = False

    def _open(self) -> None:
        self._state = CircuitState.OPEN
        self._opened_at = self._clock()
        self._probing = False
        logger.warning(
            "WAPI circuit open after %d consecutive failures; failing fast for %.1fs",
            self._failures,
            self.reset_timeout,
        )
