"""The one request path of a :class:`~ddisync.wapi.client.WapiClient`: every verb sends here.

:class:`RequestPath` owns the pieces a request passes through — the retry policy
(retry.py), the circuit breaker (circuit.py), the session credential (auth.py), the rate
limiter and in-flight cap (ratelimit.py) and the transport (transport.py) — and strings them
together in the order the table in ``client.py``'s docstring describes.  It knows nothing of
object types or of what a verb means; the client's verbs, and the re-sending of writes that
may have landed (resend.py), are built on :meth:`RequestPath.attempt` and
:meth:`RequestPath.retried`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from .auth import Authenticator, AuthVerdict
from .circuit import CircuitBreaker
from .errors import AuthenticationError, OutcomeUnknownError, UnavailableError, WapiError
from .observer import WapiObserver
from .query import encode_query, encode_ref
from .ratelimit import RateLimiter
from .retry import RetryPolicy, call_with_retries
from .settings import WapiSettings
from .transport import RawResponse, Transport, TransportError
from .wire import interpret

__all__ = ["Pairs", "RequestPath", "outcome_unknown"]

logger = logging.getLogger("ddisync.wapi")

Pairs = list[tuple[str, str]]
T = TypeVar("T")


def outcome_unknown(
    error: UnavailableError, what: str, why: str, attempts: int
) -> OutcomeUnknownError:
    """The error for a write that may have reached the grid and is not sent again blindly."""
    return OutcomeUnknownError(
        f"{what}: {error} — {why}",
        reason=error.reason,
        may_have_reached=True,
        attempts=attempts,
    )


class RequestPath:
    """Sends requests to one grid: attempts, and retried calls made of attempts.

    ``sleep``, ``clock`` and ``random`` are the client's test hooks, passed on to the pieces
    that wait, measure or jitter.
    """

    def __init__(
        self,
        settings: WapiSettings,
        *,
        observer: WapiObserver,
        transport: Transport,
        sleep: Callable[[float], Awaitable[None]],
        clock: Callable[[], float],
        random: Callable[[], float],
    ) -> None:
        self._observer = observer
        self._transport = transport
        self._clock = clock
        self._base = settings.base_url
        self.limiter = RateLimiter(
            settings.rate_limit, settings.burst, settings.max_in_flight, clock=clock, sleep=sleep
        )
        self.circuit = CircuitBreaker(
            settings.circuit_failure_threshold,
            settings.circuit_reset_timeout,
            clock=clock,
            on_change=observer.on_circuit_change,
        )
        self.auth = Authenticator(
            settings.username,
            settings.password,
            cooldown=settings.auth_failure_cooldown,
            cooldown_max=settings.auth_failure_cooldown_max,
            clock=clock,
        )
        self.retry = RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
            deadline=settings.retry_deadline,
            sleep=sleep,
            clock=clock,
            random=random,
        )
        self.closed = False

    async def aclose(self) -> None:
        """Close the connection pool.  Idempotent; nothing can be sent afterwards."""
        if not self.closed:
            self.closed = True
            await self._transport.aclose()

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
        async with self.limiter.slot() as waited:
            if waited > 0:
                self._observer.on_rate_limit_wait(waited)
            started = self._clock()
            status: int | str = "error"
            try:
                response = await self._transport.send(method, url, headers=headers, body=body)
                status = response.status
                if status == 403:  # NIOS's per-client connection limit: send fewer at once
                    self.limiter.congested(started)
                elif status < 500 and status != 429:
                    self.limiter.succeeded()
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
                    self.retry.max_attempts,
                )

    async def attempt(
        self, method: str, path: str, pairs: Pairs, payload: Any, objtype: str, attempt: int
    ) -> Any:
        """One attempt: circuit check, credential (re-login once), exchange, interpretation."""
        if self.closed:
            raise WapiError("the WapiClient is closed")
        self.circuit.before_call()
        url = self._url(path, pairs)
        body = None if payload is None else json.dumps(payload).encode()
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            for _ in range(2):
                async with self.auth.credential() as credential:
                    response = await self._exchange(
                        method, url, body, {**headers, **credential.headers}, objtype, attempt
                    )
                    verdict = self.auth.observe(credential, response.status, response.set_cookies)
                if verdict is AuthVerdict.OK:
                    break
            else:
                raise AuthenticationError(
                    "AuthenticationFailed: the grid refused a fresh session", status=401
                )
        except TransportError:
            self.circuit.record_failure()
            raise
        except BaseException:
            self.circuit.release_probe()
            raise
        return self._interpret(response, method, objtype)

    def _interpret(self, response: RawResponse, method: str, objtype: str) -> Any:
        try:
            value = interpret(response, method, objtype)
        except UnavailableError:
            self.circuit.record_failure()
            raise
        except WapiError:
            self.circuit.record_success()  # an error answer still proves the grid is alive
            raise
        self.circuit.record_success()
        return value

    async def retried(self, attempt: Callable[[int], Awaitable[T]], what: str) -> T:
        """``attempt(n)`` under the client's retry policy, each retry reported to the observer."""
        return await call_with_retries(
            attempt, policy=self.retry, what=what, on_retry=self._on_retry
        )

    def _on_retry(self, reason: str) -> None:
        self._observer.on_retry(reason=reason)

    async def request(
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
                return await self.attempt(method, path, query, payload, objtype, n)
            except UnavailableError as e:
                if not idempotent and e.may_have_reached and e.retryable:
                    raise outcome_unknown(
                        e,
                        f"{method} {objtype}",
                        "the request may have reached the grid and is not repeated blindly",
                        n,
                    ) from e
                raise

        return await self.retried(attempt, f"{method} {objtype}")
