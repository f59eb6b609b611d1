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
"""

from __future__ import annotations

import asyncio
import json
import logging
import random as _random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any

from .auth import Authenticator, AuthVerdict
from .batch import BatchOp, batch_body, chunks
from .circuit import CircuitBreaker
from .errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    OutcomeUnknownError,
    UnavailableError,
    WapiError,
)
from .observer import NullObserver, WapiObserver
from .paging import check_object, iter_pages
from .query import (
    QueryParams,
    encode_query,
    encode_ref,
    objtype_of,
    param_pairs,
    return_fields_pair,
)
from .ratelimit import RateLimiter
from .retry import RetryPolicy, call_with_retries
from .settings import WapiSettings
from .transport import AiohttpTransport, RawResponse, Transport, TransportError
from .wire import interpret

__all__ = ["WapiClient", "WapiObject"]

logger = logging.getLogger("ddisync.wapi")

WapiObject = dict[str, Any]
Pairs = list[tuple[str, str]]


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
        self._observer: WapiObserver = observer or NullObserver()
        self._transport: Transport = transport or AiohttpTransport(settings)
        sleep = sleep or asyncio.sleep
        clock = clock or time.monotonic
        self._clock = clock
        self._base = settings.base_url
        self._limiter = RateLimiter(
            settings.rate_limit, settings.burst, settings.max_in_flight, clock=clock, sleep=sleep
        )
        self._circuit = CircuitBreaker(
            settings.circuit_failure_threshold,
            settings.circuit_reset_timeout,
            clock=clock,
            on_change=self._observer.on_circuit_change,
        )
        self._auth = Authenticator(
            settings.username,
            settings.password,
            cooldown=settings.auth_failure_cooldown,
            cooldown_max=settings.auth_failure_cooldown_max,
            clock=clock,
        )
        self._retry = RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
            deadline=settings.retry_deadline,
            sleep=sleep,
            clock=clock,
            random=random or _random.random,
        )
        self._closed = False

    def __repr__(self) -> str:
        return f"<WapiClient {self._base} user={self.settings.username!r}>"

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> WapiClient:
        if self._closed:
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
        if not self._closed:
            self._closed = True
            await self._transport.aclose()

    @property
    def circuit_open(self) -> bool:
        """True while calls fail fast with :class:`CircuitOpenError`."""
        return self._circuit.is_open

    @property
    def limiter(self) -> RateLimiter:
        return self._limiter

    @property
    def authenticator(self) -> Authenticator:
        return self._auth

    # --- the one request path ------------------------------------------------------------

    def _url(self, path: str, pairs: Pairs) -> str:
        query = encode_query(pairs)
        return f"{self._base}{encode_ref(path)}" + (f"?{query}" if query else "")

    async def _exchange(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: Mapping[str, str],
        objtype: str,
        attempt: int,
    ) -> RawResponse:
        """One HTTP exchange under the rate limiter, measured and logged."""
        async with self._limiter.slot() as waited:
            if waited > 0:
                self._observer.on_rate_limit_wait(waited)
            started = self._clock()
            status: int | str = "error"
            try:
                response = await self._transport.send(method, url, headers=headers, body=body)
                status = response.status
                if status == 403:  # NIOS's per-client connection limit: send fewer at once
                    self._limiter.congested(started)
                elif status < 500 and status != 429:
                    self._limiter.succeeded()
                return response
            finally:
                seconds = self._clock() - started
                self._observer.on_request(
                    method=method, objtype=objtype, status=status, seconds=seconds
                )
                logger.debug(
                    "%s %s %s %.3fs attempt %d/%d",
                    method,
                    objtype,
                    status,
                    seconds,
                    attempt,
                    self._retry.max_attempts,
                )

    async def _attempt(
        self, method: str, path: str, pairs: Pairs, payload: Any, objtype: str, attempt: int
    ) -> Any:
        """One attempt: circuit check, credential (re-login once), exchange, interpretation."""
        if self._closed:
            raise WapiError("the WapiClient is closed")
        self._circuit.before_call()
        url = self._url(path, pairs)
        body = None if payload is None else json.dumps(payload).encode()
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            for _ in range(2):
                async with self._auth.credential() as credential:
                    response = await self._exchange(
                        method, url, body, {**headers, **credential.headers}, objtype, attempt
                    )
                    verdict = self._auth.observe(credential, response.status, response.set_cookies)
                if verdict is AuthVerdict.OK:
                    break
            else:
                raise AuthenticationError(
                    "AuthenticationFailed: the grid refused a fresh session", status=401
                )
        except TransportError:
            self._circuit.record_failure()
            raise
        except BaseException:
            self._circuit.release_probe()
            raise
        return self._interpret(response, method, objtype)

    def _interpret(self, response: RawResponse, method: str, objtype: str) -> Any:
        try:
            value = interpret(response, method, objtype)
        except UnavailableError:
            self._circuit.record_failure()
            raise
        except WapiError:
            self._circuit.record_success()  # an error answer still proves the grid is alive
            raise
        self._circuit.record_success()
        return value

    async def _request(
        self,
        method: str,
        path: str,
        pairs: Pairs | None = None,
        payload: Any = None,
        *,
        objtype: str,
        idempotent: bool = True,
    ) -> Any:
        """Send with retries.  Non-idempotent requests that may have reached the grid raise
        :class:`OutcomeUnknownError` instead of being sent again."""
        query = pairs or []

        async def attempt(n: int) -> Any:
            try:
                return await self._attempt(method, path, query, payload, objtype, n)
            except UnavailableError as e:
                if not idempotent and e.may_have_reached and e.retryable:
                    raise OutcomeUnknownError(
                        f"{method} {objtype}: {e} — the request may have reached the grid and "
                        f"is not repeated blindly",
                        reason=e.reason,
                        may_have_reached=True,
                        attempts=n,
                    ) from e
                raise

        return await call_with_retries(
            attempt, policy=self._retry, what=f"{method} {objtype}", on_retry=self._on_retry
        )

    def _on_retry(self, reason: str) -> None:
        self._observer.on_retry(reason=reason)

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
            return self._request("GET", objtype, query, objtype=objtype_of(objtype))

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

    async def get_ref(self, ref: str, *, return_fields: Sequence[str] | None = None) -> WapiObject:
        """One object by ref; :class:`NotFoundError` if it does not exist."""
        answer = await self._request(
            "GET", ref, return_fields_pair(return_fields), objtype=objtype_of(ref)
        )
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
        errors) are retried plainly.
        """
        otype = objtype_of(objtype)
        pairs = return_fields_pair(return_fields or ())
        maybe_landed = False

        async def lookup(n: int) -> WapiObject | None:
            # One attempt of its own: a transient failure here fails this attempt as a whole.
            assert find_existing is not None
            query = param_pairs(find_existing) + return_fields_pair(return_fields or ())
            found: list[WapiObject] = []
            async for page in iter_pages(
                lambda q: self._attempt("GET", objtype, q, None, otype, n), query, 2
            ):
                found.extend(page)
                break
            if len(found) > 1:
                logger.warning("create %s: %d objects carry the same markers", otype, len(found))
            return found[0] if found else None

        async def attempt(n: int) -> Any:
            nonlocal maybe_landed
            if maybe_landed:
                existing = await lookup(n)
                if existing is not None:
                    logger.info("create %s: the earlier attempt had landed; not re-sent", otype)
                    return existing
            try:
                return await self._attempt("POST", objtype, pairs, dict(data), otype, n)
            except ConflictError:
                if maybe_landed and find_existing is not None:
                    existing = await lookup(n)
                    if existing is not None:
                        return existing
                raise
            except UnavailableError as e:
                if e.may_have_reached and e.retryable:
                    if find_existing is None:
                        raise OutcomeUnknownError(
                            f"POST {otype}: {e} — the create may have reached the grid; not "
                            f"repeated without find_existing",
                            reason=e.reason,
                            may_have_reached=True,
                            attempts=n,
                        ) from e
                    maybe_landed = True
                raise

        answer = await call_with_retries(
            attempt, policy=self._retry, what=f"POST {otype}", on_retry=self._on_retry
        )
        return await self._as_object(answer, return_fields)

    async def update(
        self, ref: str, data: Mapping[str, Any], *, return_fields: Sequence[str] | None = None
    ) -> WapiObject:
        """Update the fields in ``data`` (others unchanged) and return the object."""
        answer = await self._request(
            "PUT", ref, return_fields_pair(return_fields or ()), dict(data), objtype=objtype_of(ref)
        )
        return await self._as_object(answer, return_fields)

    async def delete(self, ref: str) -> str:
        """Delete by ref and return the ref; :class:`NotFoundError` if it did not exist."""
        otype = objtype_of(ref)
        maybe_landed = False

        async def attempt(n: int) -> Any:
            nonlocal maybe_landed
            try:
                return await self._attempt("DELETE", ref, [], None, otype, n)
            except NotFoundError:
                if maybe_landed:  # our own earlier attempt deleted it
                    return ref
                raise
            except UnavailableError as e:
                maybe_landed = maybe_landed or e.may_have_reached
                raise

        answer = await call_with_retries(
            attempt, policy=self._retry, what=f"DELETE {otype}", on_retry=self._on_retry
        )
        if not isinstance(answer, str) or not answer:
            # NIOS answers a delete with the ref; anything else (an HTML page behind a 200, an
            # empty body) proves nothing, and a retry of the delete will tell (404 = gone).
            raise WapiError(f"unexpected answer to DELETE {otype}: {type(answer).__name__}")
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
        answer = await self._request(
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
            answer = await self._request(
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
        await self._request(
            "GET",
            "networkview",
            [("is_default", "true"), ("_max_results", "1")],
            objtype="networkview",
        )
