"""Sessions: Basic authentication once, then the ``ibapauth`` cookie.

NIOS answers a successful Basic login with ``Set-Cookie: ibapauth="...,timeout=600,..."``.  The
cookie alone authenticates later requests, which spares the grid a password check (and its
audit log a login) per request.  The rules:

* No cookie yet: one request at a time logs in with Basic (a lock), the others wait for its
  cookie.  With wrong credentials that is *one* failed login, not ``max_in_flight`` of them —
  NIOS locks out every user after repeated failures.
* A cookie that was idle longer than its ``timeout`` is dropped before use (no wasted 401).
* A cookie answered with 401 (expired, grid restarted): log in again with Basic exactly once
  for that request; a second 401 is an :class:`AuthenticationError`.
* A Basic login answered with 401: :class:`AuthenticationError`, and for a cooldown (doubling up
  to a ceiling) every call fails fast with the same error without touching the grid.
* A grid that sets no cookie: after one successful Basic request, Basic is sent on every
  request without the lock.

The password, the ``Authorization`` header and the cookie value are never logged, never part
of an exception and never in ``repr()``.
"""

from __future__ import annotations

import asyncio
import base64
import enum
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from .errors import AuthenticationError

__all__ = ["AuthVerdict", "Authenticator", "Credential"]

logger = logging.getLogger("ddisync.wapi")

COOKIE_NAME = "ibapauth"
_TIMEOUT_RE = re.compile(r"(?:^|[,\s\"])timeout=(\d+)")
# Drop a cookie this long before NIOS would: clocks differ and a request takes time.
EXPIRY_MARGIN = 5.0


class AuthVerdict(enum.Enum):
    OK = "ok"  # not an authentication answer: go on with the response
    REAUTH = "reauth"  # the cookie was refused: send again, once, with fresh credentials


@dataclass(frozen=True)
class Credential:
    kind: str  # "cookie" or "basic"
    headers: Mapping[str, str] = field(repr=False)
    generation: int


class Authenticator:
    def __init__(
        self,
        username: str,
        password: str,
        *,
        cooldown: float = 60.0,
        cooldown_max: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
        self._basic = {"Authorization": f"Basic {token}"}
        self._username = username
        self._clock = clock
        self._cooldown = cooldown
        self._cooldown_max = cooldown_max
        self._lock = asyncio.Lock()
        self._cookie: str | None = None
        self._cookie_timeout: float | None = None
        self._cookie_used_at = 0.0
        self._generation = 0
        self._basic_verified = False
        self._failures = 0
        self._blocked_until = 0.0
        self.logins = 0  # Basic requests sent (for tests and debugging)

    def __repr__(self) -> str:
        state = "cookie" if self._cookie else "basic" if self._basic_verified else "none"
        return f"<Authenticator user={self._username!r} session={state}>"

    @property
    def has_session(self) -> bool:
        return self._cookie is not None

    def _check_blocked(self) -> None:
        remaining = self._blocked_until - self._clock()
        if remaining > 0:
            raise AuthenticationError(
                f"AuthenticationFailed: the grid refused the credentials of user "
                f"{self._username!r}; not trying again for {remaining:.0f}s "
                f"(NIOS locks out all users after repeated failed logins)",
                status=401,
            )

    def _current_cookie(self) -> str | None:
        if self._cookie is None:
            return None
        idle = self._clock() - self._cookie_used_at
        if self._cookie_timeout is not None and idle > self._cookie_timeout - EXPIRY_MARGIN:
            logger.debug("WAPI session cookie idle for %.0fs: logging in again", idle)
            self._cookie = None
            return None
        return self._cookie

    def _cookie_credential(self, cookie: str) -> Credential:
        return Credential("cookie", {"Cookie": cookie}, self._generation)

    @asynccontextmanager
    async def credential(self) -> AsyncIterator[Credential]:
        """The credential for one request; held while the request is on the wire.

        Only a login holds the lock while on the wire; requests that find a session after
        waiting for the lock release it before they are sent (else they would go one by one).
        """
        while True:
            self._check_blocked()
            cookie = self._current_cookie()
            if cookie is not None:
                yield self._cookie_credential(cookie)
                return
            if self._basic_verified:
                yield Credential("basic", self._basic, self._generation)
                return
            async with self._lock:
                # Whoever held the lock before us may have logged in (or failed) meanwhile.
                self._check_blocked()
                if self._current_cookie() is None and not self._basic_verified:
                    self.logins += 1
                    yield Credential("basic", self._basic, self._generation)
                    return
            # A session exists now: loop to use it, without the lock.

    def observe(
        self, credential: Credential, status: int, set_cookies: tuple[str, ...]
    ) -> AuthVerdict:
        """Learn from the answer to a request sent with ``credential``."""
        if status == 401:
            if credential.kind == "cookie":
                if credential.generation == self._generation:
                    self._cookie = None
                logger.info("WAPI session cookie refused (expired?): logging in again once")
                return AuthVerdict.REAUTH
            self._fail(status)
        if status in (403, 429) or status >= 500:
            # Refused or failed before (or regardless of) the password check: proves nothing.
            return AuthVerdict.OK
        self._failures = 0
        self._blocked_until = 0.0
        if credential.kind == "basic":
            self._basic_verified = self._basic_verified or not self._store_cookie(set_cookies)
        elif self._cookie is not None:
            self._cookie_used_at = self._clock()
            self._store_cookie(set_cookies)
        return AuthVerdict.OK

    def _store_cookie(self, set_cookies: tuple[str, ...]) -> bool:
        for header in set_cookies:
            pair = header.split(";", 1)[0].strip()
            name, _, value = pair.partition("=")
            if name.strip() != COOKIE_NAME or not value:
                continue
            if pair == self._cookie:
                return True
            self._cookie = pair
            self._generation += 1
            self._cookie_used_at = self._clock()
            match = _TIMEOUT_RE.search(value)
            self._cookie_timeout = float(match.group(1)) if match else None
            logger.debug("WAPI session established (cookie timeout %s s)", self._cookie_timeout)
            return True
        return False

    def _fail(self, status: int) -> None:
        self._failures += 1
        self._cookie = None
        self._basic_verified = False
        delay = min(self._cooldown_max, self._cooldown * 2 ** (self._failures - 1))
        self._blocked_until = self._clock() + delay
        logger.error(
            "WAPI login of user %r refused (HTTP %d); failing fast for %.0fs",
            self._username,
            status,
            delay,
        )
        raise AuthenticationError(
            f"AuthenticationFailed: the grid refused the credentials of user "
            f"{self._username!r} (HTTP {status})",
            status=status,
        )

    def login_failed(self, status: int) -> None:
        """A login answered with a refusal other than 401 (e.g. a 403 lockout page)."""
        self._fail(status)
