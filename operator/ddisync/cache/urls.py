"""Which Redis a ``DDISYNC_REDIS_URL`` names, and a redis-py client for it.

Accepted forms:

===============================================================  ===============================
URL                                                              meaning
===============================================================  ===============================
``redis://[[user]:password@]host[:6379][/db]``                   one Redis server
``rediss://...``                                                 the same over TLS
``unix:///path/redis.sock[?db=0]``                               a local socket
``redis+sentinel://[[user]:password@]h1[:26379][,h2:p2...]``     Sentinel: ask the sentinels
``/service[/db][?sentinel_password=...]``                        which server is the master of
``sentinel://...`` (same as ``redis+sentinel://``)               ``service`` (default db 0)
===============================================================  ===============================

With Sentinel, the user and password in the URL are the *data* server's; sentinels that want
a password of their own get ``?sentinel_password=``.  Every connection has short timeouts and
redis-py's own retries are turned off: a cache that cannot answer in about a second is treated
as down (:class:`~ddisync.cache.layered.LayeredCache` degrades to memory), not waited for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import NoBackoff

__all__ = ["SentinelTarget", "connect", "parse_sentinel_url", "redacted"]

_SENTINEL_SCHEMES = ("redis+sentinel", "sentinel")


@dataclass(frozen=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = None
    sentinel_password: str | None = None


def is_sentinel_url(url: str) -> bool:
    return urlsplit(url).scheme.lower() in _SENTINEL_SCHEMES


def _host_port(item: str) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]`` or ``[v6]:port``; the Sentinel port defaults to 26379."""
    if item.startswith("["):
        host, _, rest = item[1:].partition("]")
        port = rest.removeprefix(":")
    elif ":" in item:
        host, _, port = item.rpartition(":")
    else:
        host, port = item, ""
    if not host:
        raise ValueError("a Sentinel URL needs a host for every sentinel")
    return host, int(port) if port else 26379


def parse_sentinel_url(url: str) -> SentinelTarget:
    """Parse a ``redis+sentinel://`` or ``sentinel://`` URL (see the module docstring)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SENTINEL_SCHEMES:
        raise ValueError(f"not a Sentinel URL (scheme {parts.scheme!r})")
    credentials, _, hosts = parts.netloc.rpartition("@")
    username, _, password = credentials.partition(":")
    sentinels = tuple(_host_port(item.strip()) for item in hosts.split(","))
    path = [unquote(p) for p in parts.path.split("/") if p]
    if not path:
        raise ValueError("a Sentinel URL needs the service name: sentinel://host:port/service")
    query = parse_qs(parts.query)
    return SentinelTarget(
        sentinels=sentinels,
        service=path[0],
        db=int(path[1]) if len(path) > 1 else 0,
        username=unquote(username) or None,
        password=unquote(password) or None,
        sentinel_password=query["sentinel_password"][0] if "sentinel_password" in query else None,
    )


def redacted(url: str) -> str:
    """The URL without its password, for logs and probe details."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    credentials, _, hosts = parts.netloc.rpartition("@")
    user = credentials.partition(":")[0]
    return parts._replace(netloc=f"{user}:***@{hosts}" if user else f"***@{hosts}").geturl()


def connect(url: str, *, timeout: float) -> Redis:
    """A client for ``url`` (nothing is sent until the first command)."""
    options: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": Retry(NoBackoff(), 0),  # one attempt: the cache degrades rather than waits
        "health_check_interval": 0,
    }
    if not is_sentinel_url(url):
        client: Redis = Redis.from_url(url, **options)
        return client
    target = parse_sentinel_url(url)
    sentinel_kwargs: dict[str, Any] = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
    }
    if target.sentinel_password:
        sentinel_kwargs["password"] = target.sentinel_password
    sentinel = Sentinel(  # type: ignore[no-untyped-call, unused-ignore]  # typed from redis 8
        list(target.sentinels), sentinel_kwargs=sentinel_kwargs, **options
    )
    master: Redis = sentinel.master_for(
        target.service, db=target.db, username=target.username, password=target.password
    )
    return master
