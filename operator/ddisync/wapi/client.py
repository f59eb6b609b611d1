"""The async WAPI client: one per grid, one request path for every verb.

A call goes through these layers, outermost first::

    verb (get/create/...)  →  retry loop (retry.py)  →  circuit breaker (circuit.py)
      →  session credential (auth.py)  →  rate limiter + in-flight cap (ratelimit.py)
      →  transport (transport.py: pooled aiohttp session)  →  answer → typed error (errors.py)

How each answer is treated (one attempt):

=========================  =============================================  ================
answer                     treated as                                     may have reached
=========================  =============================================  ================
2xx                        success                                        —
401 with the cookie        re-login with Basic once, same attempt         —
401 with Basic             AuthenticationError (+ cooldown), no retry     —
403                        connection limit: retried ("403-limit"),       no
                           and the in-flight cap is halved (AIMD)
429                        retried, Retry-After honoured ("429")          no
502 / 503 / 504            retried ("502"/"503"/"504")                    yes
other 5xx                  UnavailableError, not retried                  yes
other 4xx                  typed WapiResponseError, not retried           —
connect error / timeout    retried ("connection"/"timeout")               no
reset / read timeout       retried ("connection"/"timeout")               yes
=========================  =============================================  ================

Reads, updates (a PUT of the same fields twice is the same PUT) and deletes (a 404 after an
attempt that may have reached the grid means it did) are retried freely.  Creates are not
repeated blindly: see :meth:`WapiClient.create`.

Where the code lives: this module holds the WAPI operations (the verbs, paging, batches) and
the client's lifecycle; request_path.py strings the layers above together into one attempt and
one retried request; resend.py decides when a create or a delete that may have landed is sent
again; wire.py interprets an answer.
"""

from __future__ import annotations

import asyncio
import random as _random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from .auth import Authenticator
from .batch import BatchOp, batch_body, chunks
from .coalesce import Coalescer
from .errors import WapiError
from .observer import NullObserver, WapiObserver
from .paging import check_object, iter_pages
from .query import QueryParams, objtype_of, param_pairs, return_fields_pair
from .ratelimit import RateLimiter
from .request_path import Pairs, RequestPath
from .resend import send_create, send_delete
from .settings import WapiSettings
from .transport import AiohttpTransport, Transport

__all__ = ["WapiClient", "WapiObject"]

WapiObject = dict[str, Any]


class WapiClient:
    """An async client for one grid.  Use as ``async with WapiClient(settings) as client``.

    ``transport``, ``sleep``, ``clock`` and ``random`` exist for tests (a fake transport,
    backoff without real sleeping); production code passes only settings and an observer.
    """

    def __init__(
        self,
        settings: WapiSettings,
        *,
        observer: WapiObserver | None = None,
        transport: Transport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings
        observer = observer or NullObserver()
        self._path = RequestPath(
            settings,
            observer=observer,
            transport=transport or AiohttpTransport(settings),
            sleep=sleep or asyncio.sleep,
            clock=clock or time.monotonic,
            random=random or _random.random,
        )
        # Single-object writes and lookups of many callers go together (coalesce.py).
        self._coalescer = Coalescer(
            self._path,
            settings,
            observer=observer,
            clock=clock or time.monotonic,
            sleep=sleep or asyncio.sleep,
        )

    def __repr__(self) -> str:
        return f"<WapiClient {self.settings.base_url} user={self.settings.username!r}>"

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> WapiClient:
        if self._path.closed:
            raise WapiError("a closed WapiClient cannot be reopened")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool.  Idempotent; the client cannot be used afterwards."""
        await self._coalescer.aclose()
        await self._path.aclose()

    @property
    def circuit_open(self) -> bool:
        """True while calls fail fast with :class:`CircuitOpenError`."""
        return self._path.circuit.is_open

    @property
    def limiter(self) -> RateLimiter:
        return self._path.limiter

    @property
    def authenticator(self) -> Authenticator:
        return self._path.auth

    # --- reads ---------------------------------------------------------------------------

    def iter_pages(
        self,
        objtype: str,
        params: QueryParams | None = None,
        *,
        return_fields: Sequence[str] | None = None,
        page_size: int | None = None,
    ) -> AsyncIterator[list[WapiObject]]:
        """Every object matching ``params``, page by page (each page one retried GET)."""
        pairs = param_pairs(params) + return_fields_pair(return_fields)
        size = page_size or self.settings.page_size

        def fetch(query: Pairs) -> Awaitable[Any]:
            return self._path.request("GET", objtype, query, objtype=objtype_of(objtype))

        return iter_pages(fetch, pairs, size)

    async def get(
        self,
        objtype: str,
        params: QueryParams | None = None,
        *,
        return_fields: Sequence[str] | None = None,
    ) -> list[WapiObject]:
        """All objects matching ``params`` (all pages; never truncated)."""
        found: list[WapiObject] = []
        async for page in self.iter_pages(objtype, params, return_fields=return_fields):
            found.extend(page)
        return found

    async def find(
        self,
        objtype: str,
        params: QueryParams,
        *,
        return_fields: Sequence[str] | None = None,
    ) -> list[WapiObject]:
        """The objects matching ``params``, for a lookup by key that matches a few objects (by
        marker, by name): coalesced with other callers' into one multi-request.  A batched
        search is not paged; one matching more than a page fails its batch and is then read
        alone, in pages, as :meth:`get` does."""
        otype = objtype_of(objtype)

        def alone(_: bool) -> Awaitable[list[WapiObject]]:
            return self.get(objtype, params, return_fields=return_fields)

        op = BatchOp.get(objtype, params, return_fields=return_fields)
        answer = await self._coalescer.submit(op, alone=alone)
        if not isinstance(answer, list):
            raise WapiError(f"unexpected answer to a search of {otype}: {type(answer).__name__}")
        return [check_object(item, otype) for item in answer]

    async def get_ref(self, ref: str, *, return_fields: Sequence[str] | None = None) -> WapiObject:
        """One object by ref; :class:`NotFoundError` if it does not exist.  Coalesced with other
        callers' reads (coalesce.py): a ref that is gone fails its batch, and is then read
        alone."""

        def alone(_: bool) -> Awaitable[Any]:
            pairs = return_fields_pair(return_fields)
            return self._path.request("GET", ref, pairs, objtype=objtype_of(ref))

        op = BatchOp("GET", ref, {}, return_fields)
        answer = await self._coalescer.submit(op, alone=alone)
        return self._object(answer, ref)

    def _object(self, answer: Any, what: str) -> WapiObject:
        if isinstance(answer, dict) and "result" in answer and "_ref" not in answer:
            answer = answer["result"]
        if isinstance(answer, list) and len(answer) == 1:
            answer = answer[0]
        if not isinstance(answer, dict):
            raise WapiError(f"unexpected answer for {objtype_of(what)}: {type(answer).__name__}")
        return check_object(answer, objtype_of(what))

    async def _as_object(self, answer: Any, return_fields: Sequence[str] | None) -> WapiObject:
        """Writes answer with the object; a grid that answers with a bare ref gets a read."""
        if isinstance(answer, str):
            return await self.get_ref(answer, return_fields=return_fields)
        return self._object(answer, "object")

    # --- writes --------------------------------------------------------------------------

    async def create(
        self,
        objtype: str,
        data: Mapping[str, Any],
        *,
        return_fields: Sequence[str] | None = None,
        find_existing: QueryParams | None = None,
    ) -> WapiObject:
        """Create an object and return it (with ``_ref``).

        A create is never blindly repeated after it may have reached the grid (a timeout, a
        reset, a 502/503/504 after sending).  With ``find_existing`` — search params naming the
        object by its ownership markers, e.g. ``{"*ddisync-uid": uid}`` — the next attempt
        first searches with them: if the object is there, the earlier attempt landed and that
        object is returned; if not, the create is sent again.  A conflict after such an
        attempt is checked the same way (the lost create may have landed after the search).
        Without ``find_existing`` the call raises :class:`OutcomeUnknownError` instead.
        Refusals that prove nothing was processed (429, the 403 connection limit, connect
        errors) are retried plainly.  With ``find_existing`` the create is coalesced with
        others (coalesce.py), which is what makes a batch that failed checkable.
        """

        def alone(maybe_landed: bool) -> Awaitable[Any]:
            return send_create(
                self._path,
                objtype,
                data,
                return_fields=return_fields,
                find_existing=find_existing,
                maybe_landed=maybe_landed,
            )

        if find_existing is None:
            answer = await alone(False)
        else:
            op = BatchOp.create(objtype, data, return_fields=return_fields)
            check = BatchOp.get(objtype, find_existing, return_fields=return_fields)
            answer = await self._coalescer.submit(op, alone=alone, check=check)
        return await self._as_object(answer, return_fields)

    async def update(
        self, ref: str, data: Mapping[str, Any], *, return_fields: Sequence[str] | None = None
    ) -> WapiObject:
        """Update the fields in ``data`` (others unchanged) and return the object; coalesced
        with other writes (coalesce.py)."""

        def alone(_: bool) -> Awaitable[Any]:
            pairs = return_fields_pair(return_fields or ())
            return self._path.request("PUT", ref, pairs, dict(data), objtype=objtype_of(ref))

        op = BatchOp.update(ref, data, return_fields=return_fields)
        answer = await self._coalescer.submit(op, alone=alone)
        return await self._as_object(answer, return_fields)

    async def delete(self, ref: str) -> str:
        """Delete by ref and return the ref; :class:`NotFoundError` if it did not exist.
        Coalesced with other writes (coalesce.py)."""

        def alone(maybe_landed: bool) -> Awaitable[Any]:
            return send_delete(self._path, ref, maybe_landed)

        answer = await self._coalescer.submit(BatchOp.delete(ref), alone=alone)
        if not isinstance(answer, str) or not answer:
            # NIOS answers a delete with the ref; anything else (an HTML page behind a 200, an
            # empty body) proves nothing, and a retry of the delete will tell (404 = gone).
            raise WapiError(
                f"unexpected answer to DELETE {objtype_of(ref)}: {type(answer).__name__}"
            )
        return answer

    async def call_function(
        self,
        ref: str,
        name: str,
        args: Mapping[str, Any] | None = None,
        *,
        idempotent: bool = False,
    ) -> dict[str, Any]:
        """``POST <ref>?_function=<name>``.  Functions may change grid state, so one that may
        have reached the grid is not repeated unless ``idempotent=True`` (e.g. the read-only
        ``next_available_ip``, which reserves nothing)."""
        answer = await self._path.request(
            "POST",
            ref,
            [("_function", name)],
            dict(args or {}),
            objtype=objtype_of(ref),
            idempotent=idempotent,
        )
        if not isinstance(answer, dict):
            raise WapiError(f"unexpected answer to function {name}: {type(answer).__name__}")
        return answer

    async def batch(self, ops: Sequence[BatchOp]) -> list[Any]:
        """Run ``ops`` through the multi-object ``request`` endpoint; result ``i`` belongs to
        ``ops[i]``.  See :mod:`ddisync.wapi.batch` for atomicity and retry safety."""
        results: list[Any] = []
        for chunk in chunks(ops, self.settings.batch_size):
            answer = await self._path.request(
                "POST",
                "request",
                [],
                batch_body(chunk),
                objtype="request",
                idempotent=all(op.is_read for op in chunk),
            )
            if not isinstance(answer, list) or len(answer) != len(chunk):
                raise WapiError(
                    f"the grid answered a request of {len(chunk)} operations with "
                    f"{len(answer) if isinstance(answer, list) else type(answer).__name__} results"
                )
            results.extend(answer)
        return results

    async def ping(self) -> None:
        """A cheap authenticated read (the default network view), for readiness probes."""
        await self._path.request(
            "GET",
            "networkview",
            [("is_default", "true"), ("_max_results", "1")],
            objtype="networkview",
        )
