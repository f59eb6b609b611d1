"""Connections to Infoblox grids: the operator's own (``default``) and one per ``InfobloxGrid``.

Each grid has its own WAPI client (rate limit, concurrency cap, circuit breaker, session),
its own read cache keyspace and its own check of the marker definitions, so a grid that is
down or slow never slows the resources of another.
"""

from ddisync.grids.connection import GridSecretError, GridSource, source_of, wapi_settings
from ddisync.grids.registry import Grid, Grids

__all__ = ["Grid", "GridSecretError", "GridSource", "Grids", "source_of", "wapi_settings"]
