"""Writes and lookups of many callers coalesced into multi-object ``request`` calls.

A cold sync plans thousands of objects at once, each with its own create; one HTTP request per
object is what makes a polite rate limit slow (20 requests/s: 10,000 objects take ten minutes).
So the client's single-object verbs (``create`` with ``find_existing``, ``update``, ``delete``,
``find``) hand their operation to a :class:`Coalescer`, which sends what is queued together as
one ``POST request`` (``batch.py``) and gives each caller its own result.

When a batch goes (the first that holds):

=========================================  ============================================
it holds ``batch_size`` operations          full
``batch_quiet`` passed with none joining    a lone edit is not kept waiting: it goes
                                            after ``batch_quiet`` (10 ms), not the window
``batch_window`` passed since its first     under a steady stream, bounds the wait
=========================================  ============================================

and then only once a request token is there (the rate limit counts HTTP requests, each batch
once): what queues while it waits goes along.  A second cap counts *objects* written
(``objects_per_second``, every write of a batch counted), so batching never turns into a burst
of database writes on the Grid Master.  A batch of one is sent as the plain verb.

Allocations stay inside each create (``func:nextavailableip`` in the create's own data): the
grid runs a batch's operations in order, so two creates in one batch get two addresses.

A failed batch: NIOS does not document whether a failed multi-request commits part of its
operations, nor which operation failed (it answers with the first error only).  So, whatever
the failure (an error answer, a timeout, a reset after sending), unless it proves nothing was
sent (a connect error, the circuit open, refused credentials):

1. one read finds what landed: a multi-request of one marker search per create
   (``find_existing``), retried freely since it only reads — one HTTP request for the batch,
   and exact, where a paged read of the type would cost ``ceil(N / 1000)`` at scale;
2. every operation that did not land is sent again on its own (a create found is answered
   with the object found; a delete answered 404 after the batch was deleted by it): a bad
   spec fails alone, with its own error, and the others succeed;
3. if that read fails too, each create is sent on its own as a create that may have landed
   (``resend.send_create``: searched by its marker before it is sent again).

An operation that failed on its own with an error answer is remembered for a while and sent
alone when it comes back (the reconcile retries it): an invalid spec does not fail a whole
batch, and make its 99 neighbours be sent again one by one, on every retry.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final

from .batch import BatchOp, batch_body
from .errors import (
    AuthenticationError,
    CircuitOpenError,
    UnavailableError,
    WapiError,
    WapiResponseError,
)
from .observer import WapiObserver
from .ratelimit import TokenBucket
from .request_path import RequestPath
from .settings import WapiSettings

__all__ = ["Coalescer", "SendAlone"]

logger = logging.getLogger("ddisync.wapi")

#: Sends one operation on its own; the argument says whether an earlier send of it may have
#: landed (a create then searches by its marker first, a delete takes a 404 as done).
SendAlone = Callable[[bool], Awaitable[Any]]

ALONE_FOR: Final = 600.0
"""Seconds an operation that failed on its own is sent alone when it comes back: longer than
the reconcile's retry delays, so a spec that stays invalid never fails a batch again."""

_ALONE_MAX: Final = 10_000  # remembered operations at most (a bound, not a tuning knob)


@dataclass(eq=False)
class _Pending:
    op: BatchOp
    alone: SendAlone
    check: BatchOp | None  # a create's marker search: did it land?
    future: asyncio.Future[Any]


def _signature(op: BatchOp) -> str:
    text = json.dumps([op.method, op.object, op.data], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _nothing_applied(error: BaseException) -> bool:
    """The failure proves the grid applied nothing: every caller gets it as it is."""
    if isinstance(error, AuthenticationError | CircuitOpenError):
        return True
    return isinstance(error, UnavailableError) and not error.may_have_reached


def _settle(item: _Pending, result: Any = None, error: BaseException | None = None) -> None:
    if item.future.done():  # its caller is gone (cancelled)
        return
    if error is not None:
        item.future.set_exception(error)
    else:
        item.future.set_result(result)


class Coalescer:
    """Queues operations and sends them in batches; see the module docstring."""

    def __init__(
        self,
        path: RequestPath,
        settings: WapiSettings,
        *,
        observer: WapiObserver,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._path = path
        self._observer = observer
        self._size = settings.batch_size
        self._window = settings.batch_window
        self._quiet = settings.batch_quiet
        self._objects = TokenBucket(
            settings.objects_per_second, settings.batch_size, clock=clock, sleep=sleep
        )
        self._max_senders = settings.max_in_flight
        self._queue: deque[_Pending] = deque()
        self._senders: set[asyncio.Task[None]] = set()
        self._collecting = asyncio.Lock()
        self._alone_until: dict[str, float] = {}

    async def submit(self, op: BatchOp, *, alone: SendAlone, check: BatchOp | None = None) -> Any:
        """The grid's answer to ``op`` (what it answers inside a batch: an object for a write
        with return fields, a ref for a delete, a list for a search), or its error.  ``alone``
        sends it on its own; ``check`` (creates) searches for it by its ownership marker."""
        if self._size <= 1 or self._remembered(op):
            if not op.is_read:
                await self._objects.acquire()
            self._observer.on_batch(1)
            return await self._alone(op, alone, False)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        item = _Pending(op, alone, check, future)
        self._queue.append(item)
        if len(self._senders) < self._max_senders:
            task = asyncio.create_task(self._sender(), name="ddisync-wapi-batch")
            self._senders.add(task)
            task.add_done_callback(self._senders.discard)
        try:
            return await future
        except asyncio.CancelledError:
            if item in self._queue:  # not sent: nothing to record
                self._queue.remove(item)
            raise

    async def aclose(self) -> None:
        """Stop the senders; whoever still waits gets an error (the client is closing)."""
        for task in list(self._senders):
            task.cancel()
        await asyncio.gather(*self._senders, return_exceptions=True)
        while self._queue:
            _settle(self._queue.popleft(), error=WapiError("the WapiClient is closed"))

    # --- batching ----------------------------------------------------------------------------

    async def _sender(self) -> None:
        """Collects and sends batches while anything is queued.  Collecting is one sender at a
        time (the next batch fills while this one is on the wire)."""
        batch: list[_Pending] = []
        try:
            while True:
                async with self._collecting:
                    batch = await self._collect()
                    if not batch:
                        # Out of the count in the same step as the queue was seen empty: an
                        # operation queued from now on starts a sender of its own.
                        self._senders.discard(asyncio.current_task())
                        return
                await self._send(batch)
        except Exception as error:  # a bug: its callers must not wait forever
            logger.exception("the WAPI batch sender failed")
            for item in batch:
                _settle(item, error=WapiError(f"the WAPI batch sender failed: {error!r}"))
            raise

    async def _collect(self) -> list[_Pending]:
        if not self._queue:
            return []
        started = time.monotonic()
        seen = len(self._queue)
        while seen < self._size:
            left = self._window - (time.monotonic() - started)
            if left <= 0:
                break
            await asyncio.sleep(min(self._quiet, left))
            if len(self._queue) == seen:
                break  # quiet: nobody joined
            seen = len(self._queue)
        # The rate limit counts requests: what queues while the token comes goes along.
        wait = self._path.limiter.bucket.available_in()
        if wait > 0:
            await asyncio.sleep(wait)
        batch = [self._queue.popleft() for _ in range(min(self._size, len(self._queue)))]
        writes = sum(1 for item in batch if not item.op.is_read)
        if writes:
            await self._objects.acquire(writes)
        return batch

    async def _send(self, batch: list[_Pending]) -> None:
        # A caller cancelled while its operation waited (for a token, for the object cap)
        # has been told nothing was sent, and may look again and decide anew (a create's
        # retry reads the snapshot its cancellation made stale): so it is not sent now.
        batch = [item for item in batch if not item.future.done()]
        if not batch:
            return
        self._observer.on_batch(len(batch))
        if len(batch) == 1:
            item = batch[0]
            await self._settle_alone(item, False)
            return
        try:
            answer = await self._path.request(
                "POST",
                "request",
                [],
                batch_body([item.op for item in batch]),
                objtype="request",
                idempotent=all(item.op.is_read for item in batch),
            )
            if not isinstance(answer, list) or len(answer) != len(batch):
                raise WapiError(
                    f"the grid answered a request of {len(batch)} operations with "
                    f"{len(answer) if isinstance(answer, list) else type(answer).__name__} results"
                )
        except Exception as error:
            await self._recover(batch, error)
            return
        except BaseException as error:  # cancelled: the client is closing
            for item in batch:
                _settle(item, error=WapiError("the WapiClient is closed"))
            raise error from None
        for item, result in zip(batch, answer, strict=True):
            _settle(item, result)

    # --- a failed batch ----------------------------------------------------------------------

    async def _recover(self, batch: list[_Pending], error: Exception) -> None:
        if _nothing_applied(error):
            for item in batch:
                _settle(item, error=error)
            return
        logger.info(
            "a batch of %d WAPI operations failed (%s); checking what landed, then sending the "
            "rest one by one",
            len(batch),
            type(error).__name__,
        )
        creates = [item for item in batch if item.check is not None]
        landed: dict[int, list[Any]] | None = {}
        if creates:
            landed = await self._landed(creates)

        async def resend(item: _Pending) -> None:
            if item.check is not None and landed is not None:
                found = landed.get(id(item)) or []
                if found:
                    _settle(item, found[0])  # it landed: not sent again
                    return
                maybe = False
            else:
                # A create whose landing could not be checked is searched first; a delete
                # answered 404 was deleted by the batch; an update or a read may be repeated.
                maybe = item.op.method in ("POST", "DELETE")
            if not item.op.is_read:
                await self._objects.acquire()
            await self._settle_alone(item, maybe)

        await asyncio.gather(*(resend(item) for item in batch))

    async def _landed(self, creates: list[_Pending]) -> dict[int, list[Any]] | None:
        """Each create's marker search in one multi-request; None when that read failed."""
        checks = [item.check for item in creates if item.check is not None]
        try:
            answer = await self._path.request(
                "POST", "request", [], batch_body(checks), objtype="request", idempotent=True
            )
        except Exception as error:
            logger.info("could not check what the failed batch created: %s", error)
            return None
        if not isinstance(answer, list) or len(answer) != len(creates):
            return None
        return {
            id(item): found if isinstance(found, list) else []
            for item, found in zip(creates, answer, strict=True)
        }

    # --- one operation on its own ------------------------------------------------------------

    async def _settle_alone(self, item: _Pending, maybe_landed: bool) -> None:
        try:
            result = await self._alone(item.op, item.alone, maybe_landed)
        except Exception as error:
            _settle(item, error=error)
        else:
            _settle(item, result)

    async def _alone(self, op: BatchOp, alone: SendAlone, maybe_landed: bool) -> Any:
        try:
            return await alone(maybe_landed)
        except WapiResponseError:
            if not op.is_read:
                self._remember(op)
            raise

    def _remember(self, op: BatchOp) -> None:
        now = time.monotonic()
        if len(self._alone_until) >= _ALONE_MAX:
            self._alone_until = {k: t for k, t in self._alone_until.items() if t > now}
            while len(self._alone_until) >= _ALONE_MAX:  # all still fresh: drop the oldest
                self._alone_until.pop(next(iter(self._alone_until)))
        self._alone_until[_signature(op)] = now + ALONE_FOR

    def _remembered(self, op: BatchOp) -> bool:
        if op.is_read or not self._alone_until:
            return False
        until = self._alone_until.get(_signature(op))
        return until is not None and until > time.monotonic()
