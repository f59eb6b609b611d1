"""Cache keys, tags and lifetimes.

A key names one WAPI read exactly::

    ddisync:r1:<grid>:<wapi version>:<object type>:<digest of the canonical query>

``<grid>`` is a digest of the grid's URL *and the WAPI user* (two users may see different
objects, so they never share entries).  The canonical query is the search arguments as sorted
(key, value) pairs plus the sorted set of return fields, so the same read written in another
order is the same key.  Every entry is tagged with ``<grid>:<version>:<object type>`` and with
``<grid>:<version>:*``; a write to an object type drops the first, a write whose object type is
unknown (a multi-object ``request``) drops the second, i.e. everything of that grid.

TTL classes (``Settings.cache_ttl_seconds``; defaults in ``ddisync.config``):

==========  ================================================  ============================
class       object types                                      why this lifetime
==========  ================================================  ============================
zone        ``zone_*``                                        rarely change; 300 s
view        ``view``, ``networkview``                         rarely change; 300 s
network     ``network``, ``ipv6network``, ``*container``      allocation parents; 60 s
record      ``record:*``                                      change often; 30 s
snapshot    the bulk drift snapshots (asked for by name)      one per resync interval
default     anything else                                     30 s
==========  ================================================  ============================
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from ddisync.config import CACHE_TTL_DEFAULTS

__all__ = ["DEFAULT_TTLS", "Keyspace", "TtlTable", "ttl_class_of"]

FORMAT: Final = "r1"  # bump when the stored value's shape changes: old entries are ignored

DEFAULT_TTLS: Final[Mapping[str, float]] = CACHE_TTL_DEFAULTS
"""Seconds per TTL class; ``snapshot`` defaults to the resync interval (see ``open_cache``)."""

_NETWORK_TYPES: Final = frozenset(
    {"network", "ipv6network", "networkcontainer", "ipv6networkcontainer"}
)


def ttl_class_of(objtype: str) -> str:
    if objtype.startswith("zone_"):
        return "zone"
    if objtype in ("view", "networkview"):
        return "view"
    if objtype in _NETWORK_TYPES:
        return "network"
    if objtype.startswith("record:"):
        return "record"
    return "default"


@dataclass(frozen=True)
class TtlTable:
    seconds: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TTLS))

    def ttl(self, objtype: str, ttl_class: str | None = None) -> float:
        name = ttl_class or ttl_class_of(objtype)
        if name in self.seconds:
            return self.seconds[name]
        return self.seconds.get("default", DEFAULT_TTLS["default"])


def _digest(text: str, size: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:size]


@dataclass(frozen=True)
class Keyspace:
    """The key and tag names of one grid, WAPI version and user."""

    grid: str
    version: str
    prefix: str = "ddisync:"

    @classmethod
    def of(cls, url: str, version: str, username: str) -> Keyspace:
        return cls(grid=_digest(f"{url.rstrip('/').lower()}\n{username}", 12), version=version)

    def key(
        self,
        objtype: str,
        pairs: Iterable[tuple[str, str]],
        return_fields: Sequence[str] | None = None,
    ) -> str:
        canonical = json.dumps(
            [sorted(pairs), None if return_fields is None else sorted(set(return_fields))],
            separators=(",", ":"),
        )
        return (
            f"{self.prefix}{FORMAT}:{self.grid}:{self.version}:{objtype}:{_digest(canonical, 24)}"
        )

    def tag(self, objtype: str) -> str:
        return f"{self.grid}:{self.version}:{objtype}"

    @property
    def all_tag(self) -> str:
        return self.tag("*")
