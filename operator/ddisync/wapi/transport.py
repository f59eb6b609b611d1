"""The wire: one pooled aiohttp session per grid, behind a tiny interface.

The client sends through :class:`Transport` (``send`` and ``aclose``) so tests can swap in a
fake transport instead of patching aiohttp.  This is also the one place that turns aiohttp's
exceptions into ours, deciding for each whether the request may have reached the grid:

=====================================  ===========  =================
aiohttp error                          reason       may have reached
=====================================  ===========  =================
certificate / TLS verification error   (not retried: a setting is wrong)
ConnectionTimeoutError (connect)       timeout      no
other timeouts (total, socket read)    timeout      yes
ClientConnectorError (refused, DNS)    connection   no
ServerDisconnected, reset, payload     connection   yes
=====================================  ===========  =================
"""

from __future__ import annotations

import logging
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import aiohttp
from yarl import URL

from .errors import UnavailableError
from .settings import WapiSettings

__all__ = ["AiohttpTransport", "RawResponse", "TLSError", "Transport", "TransportError"]

logger = logging.getLogger("ddisync.wapi")


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: Mapping[str, str]
    set_cookies: tuple[str, ...]
    body: bytes


class TransportError(UnavailableError):
    """A request failed below HTTP (timeout, connection error)."""


class TLSError(UnavailableError):
    """The grid's certificate could not be verified; retrying cannot help."""

    retryable = False


class Transport(Protocol):
    async def send(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None
    ) -> RawResponse:
        """Send one request (``url`` fully percent-encoded); raise :class:`TransportError`."""

    async def aclose(self) -> None: ...


def ssl_setting(settings: WapiSettings) -> ssl.SSLContext | bool:
    if settings.insecure:
        logger.warning(
            "TLS verification of the grid %s is DISABLED (insecure=true): "
            "anyone on the path can read the WAPI credentials",
            settings.url,
        )
        return False
    if settings.ca_bundle:
        return ssl.create_default_context(cafile=settings.ca_bundle)
    return True


class AiohttpTransport:
    """One keep-alive connection pool to one grid; created lazily inside the running loop."""

    def __init__(self, settings: WapiSettings) -> None:
        self._settings = settings
        self._ssl = ssl_setting(settings)
        self._session: aiohttp.ClientSession | None = None

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            s = self._settings
            connector = aiohttp.TCPConnector(
                limit=s.max_in_flight,  # the pool never exceeds what the limiter lets through
                ssl=self._ssl,
                keepalive_timeout=30.0,
                enable_cleanup_closed=True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=s.total_timeout, connect=s.connect_timeout, sock_connect=s.connect_timeout
                ),
                # The ibapauth cookie is handled by the authenticator: aiohttp's jar refuses
                # cookies from IP addresses and would send them behind our back.
                cookie_jar=aiohttp.DummyCookieJar(),
                raise_for_status=False,
            )
        return self._session

    async def send(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None
    ) -> RawResponse:
        session = self._get_session()
        try:
            async with session.request(
                method,
                URL(url, encoded=True),
                headers=dict(headers),
                data=body,
                allow_redirects=False,
            ) as response:
                content = await response.read()
                return RawResponse(
                    status=response.status,
                    headers={
                        k: v for k, v in response.headers.items() if k.lower() != "set-cookie"
                    },
                    set_cookies=tuple(response.headers.getall("Set-Cookie", ())),
                    body=content,
                )
        except aiohttp.ClientConnectorCertificateError as e:
            raise TLSError(f"TLS verification of the grid failed: {e.certificate_error}") from e
        except aiohttp.ClientSSLError as e:
            raise TLSError(f"TLS handshake with the grid failed: {type(e).__name__}") from e
        except aiohttp.ConnectionTimeoutError as e:
            raise TransportError("connect timeout", reason="timeout") from e
        except TimeoutError as e:  # asyncio.TimeoutError is TimeoutError since 3.11
            raise TransportError("request timeout", reason="timeout", may_have_reached=True) from e
        except aiohttp.ClientConnectorError as e:
            raise TransportError(f"cannot connect: {e.os_error}", reason="connection") from e
        except aiohttp.ClientError as e:
            raise TransportError(
                f"connection error: {type(e).__name__}", reason="connection", may_have_reached=True
            ) from e

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
