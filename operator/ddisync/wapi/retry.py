"""The one retry loop of the WAPI client.

It retries only :class:`~ddisync.wapi.errors.UnavailableError` — the transient failures the
request path names (502/503/504, 429, NIOS's 403 connection limit, timeouts, connection
errors) — and never the subclasses marked ``retryable = False``: :class:`CircuitOpenError`
(failing fast is the point), :class:`OutcomeUnknownError` (a write that must not be repeated
blindly) and the TLS verification error (a setting is wrong).  Every other error
(conflicts, bad requests, authentication) goes straight back to the caller.

It stops at whichever comes first: ``max_attempts`` attempts, or ``retry_deadline`` seconds in
total.  Backoff is exponential with full jitter — attempt *n* (n >= 1) waits
``uniform(0, min(backoff_max, backoff_base * 2**(n-1)))`` — so that many clients (or many
reconciles) that failed together do not come back together.  A Retry-After from the grid is a
floor for the wait; one longer than ``backoff_max`` or the remaining deadline ends the call, and
the error carries ``retry_after`` so the reconcile can requeue with that delay.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import UnavailableError

__all__ = ["RetryPolicy", "call_with_retries"]

logger = logging.getLogger("ddisync.wapi")

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_base: float = 0.25
    backoff_max: float = 10.0
    deadline: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1 = the first retry)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0 ** (retry - 1))
        delay = self.random() * ceiling
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay


async def call_with_retries(
    attempt: Callable[[int], Awaitable[T]],
    *,
    policy: RetryPolicy,
    what: str,
    on_retry: Callable[[str], None] | None = None,
) -> T:
    """Run ``attempt(n)`` for n = 1, 2, ... until it returns or a limit is reached.

    ``what`` names the call in log lines ("GET record:a"); never a name, an address or a secret.
    """
    started = policy.clock()
    n = 1
    while True:
        try:
            return await attempt(n)
        except UnavailableError as error:
            if not error.retryable:
                raise
            error.attempts = n
            if n >= policy.max_attempts:
                logger.warning(
                    "%s failed (%s), attempt %d/%d: giving up",
                    what,
                    error.reason,
                    n,
                    policy.max_attempts,
                )
                raise
            delay = policy.backoff(n, error.retry_after)
            elapsed = policy.clock() - started
            too_long = error.retry_after is not None and error.retry_after > policy.backoff_max
            if too_long or elapsed + delay > policy.deadline:
                logger.warning(
                    "%s failed (%s), attempt %d/%d: no time left to retry (%.1fs)",
                    what,
                    error.reason,
                    n,
                    policy.max_attempts,
                    delay,
                )
                raise
            logger.info(
                "%s failed (%s), attempt %d/%d: retrying in %.2fs",
                what,
                error.reason,
                n,
                policy.max_attempts,
                delay,
            )
            if on_retry is not None:
                on_retry(error.reason)
            await policy.sleep(delay)
            n += 1
