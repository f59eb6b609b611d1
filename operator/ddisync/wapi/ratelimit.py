"""Client-side rate limiting towards the Grid Master.

Two limits, both from settings:

* a token bucket (``rate_limit`` tokens per second, ``burst`` tokens at most): the request
  *rate* the grid sees, averaged over time;
* a cap on requests in flight (``max_in_flight``): the number of connections and of requests the
  grid works on for us at once.  NIOS answers a per-client connection limit with 403.

The bucket hands out reservations: a caller takes a token even when none is left (the count
goes negative) and sleeps until its token has been refilled.  Callers are therefore served in
arrival order and nobody polls.  A caller cancelled while waiting gives its token back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

__all__ = ["RateLimiter", "TokenBucket"]

logger = logging.getLogger("ddisync.wapi")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class TokenBucket:
    """A token bucket with reservations; ``clock`` and ``sleep`` are injectable for tests."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
        self._updated = now

    def reserve(self, count: int = 1) -> float:
        """Take ``count`` tokens now; return how long to wait before using them (0 if
        available)."""
        self._refill()
        self._tokens -= count
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def refund(self, count: int = 1) -> None:
        """Give back reserved tokens that will not be used."""
        self._tokens = min(float(self.burst), self._tokens + count)

    def available_in(self) -> float:
        """Seconds until one token is there, taking none (0: one is there now)."""
        self._refill()
        return 0.0 if self._tokens >= 1 else (1.0 - self._tokens) / self.rate

    async def acquire(self, count: int = 1) -> float:
        """Wait for ``count`` tokens; return the seconds waited."""
        delay = self.reserve(count)
        if delay > 0:
            try:
                await self._sleep(delay)
            except BaseException:
                self.refund(count)
                raise
        return delay


class RateLimiter:
    """The in-flight cap and the token bucket together, with the waiting time measured.

    The in-flight cap adapts to the grid (additive increase, multiplicative decrease): NIOS
    answers a per-client connection limit with 403, so on such an answer the cap is halved
    (once per episode: answers to requests sent before the last decrease are ignored), and
    after a window of ``cap`` successes it grows by one again, up to ``max_in_flight``.
    """

    def __init__(
        self,
        rate: float,
        burst: int,
        max_in_flight: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.bucket = TokenBucket(rate, burst, clock=clock, sleep=sleep)
        self.max_in_flight = max_in_flight
        self._limit = max_in_flight
        self._clock = clock
        self._in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self._decreased_at = float("-inf")
        self._successes = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def limit(self) -> int:
        """The current (adapted) in-flight cap."""
        return self._limit

    async def _acquire(self) -> None:
        if self._in_flight < self._limit and not self._waiters:
            self._in_flight += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # granted: _wake() counted us in
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # granted and cancelled in the same tick: give it back
            elif waiter in self._waiters:  # _wake() may have dropped it already (cancelled)
                self._waiters.remove(waiter)
            raise

    def _release(self) -> None:
        self._in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self._in_flight < self._limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._in_flight += 1
                waiter.set_result(None)

    def congested(self, sent_at: float) -> None:
        """The grid refused a request sent at ``sent_at`` for too many connections."""
        if sent_at < self._decreased_at or self._limit == 1:
            return
        self._limit = max(1, self._limit // 2)
        self._decreased_at = self._clock()
        self._successes = 0
        logger.info("WAPI connection limit hit: %d requests in flight at most", self._limit)

    def succeeded(self) -> None:
        if self._limit >= self.max_in_flight:
            return
        self._successes += 1
        if self._successes >= self._limit:
            self._successes = 0
            self._limit += 1
            self._wake()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[float]:
        """Hold one in-flight slot and one token for the duration of a request.

        Yields the seconds spent waiting (for the slot plus for the token).  The slot is taken
        first, so a token is spent only when the request can go on the wire right away.
        """
        started = self._clock()
        await self._acquire()
        try:
            await self.bucket.acquire()
            yield max(0.0, self._clock() - started)
        finally:
            self._release()
