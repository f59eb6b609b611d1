"""Hooks the client calls so metrics can be attached without the client importing them.

The client calls these synchronously from its request path; implementations must be cheap and
must not raise.  Labels are limited to small, fixed sets: object type (never a name or an
address), method, status and a retry reason from :data:`RETRY_REASONS`.
"""

from __future__ import annotations

from typing import Final, Protocol

__all__ = ["RETRY_REASONS", "NullObserver", "WapiObserver"]

RETRY_REASONS: Final = frozenset({"503", "502", "504", "429", "403-limit", "timeout", "connection"})


class WapiObserver(Protocol):
    def on_request(self, *, method: str, objtype: str, status: int | str, seconds: float) -> None:
        """One HTTP exchange finished; ``status`` is the HTTP code or ``"error"``."""

    def on_retry(self, *, reason: str) -> None:
        """A call is about to be retried; ``reason`` is one of :data:`RETRY_REASONS`."""

    def on_rate_limit_wait(self, seconds: float) -> None:
        """A request waited this long for the rate limiter / in-flight cap (only when > 0)."""

    def on_circuit_change(self, open: bool) -> None:
        """The circuit breaker opened (``True``) or closed again (``False``)."""

    def on_batch(self, size: int) -> None:
        """Coalesced operations went to the grid as one request of ``size`` (1: on its own)."""


class NullObserver:
    """The default observer: does nothing. Observers that need only some hooks extend it."""

    def on_request(self, *, method: str, objtype: str, status: int | str, seconds: float) -> None:
        pass

    def on_retry(self, *, reason: str) -> None:
        pass

    def on_rate_limit_wait(self, seconds: float) -> None:
        pass

    def on_circuit_change(self, open: bool) -> None:
        pass

    def on_batch(self, size: int) -> None:
        pass
