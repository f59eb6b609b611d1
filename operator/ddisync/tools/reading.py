"""Reading what the grid holds: every object of a type, page by page.

All reads go through ``WapiClient.iter_pages`` (``_paging=1``, ``next_page_id``): a grid of any
size is read in ``ceil(N / page_size)`` calls and never truncated at 1,000 results. The tools
never look objects up one by one: 35,000 records are 35 pages, not 35,000 GETs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ddisync.reconcile.dhcp_range import OBJTYPE as RANGE_OBJTYPE
from ddisync.reconcile.dhcp_range import RANGE_FIELDS
from ddisync.reconcile.fixed_address import FIXED_ADDRESS_FIELDS
from ddisync.reconcile.fixed_address import OBJTYPE as FIXED_ADDRESS_OBJTYPE
from ddisync.reconcile.network import NETWORK_FIELDS
from ddisync.reconcile.record_desired import NS_OBJTYPE, OBJTYPES, RETURN_FIELDS
from ddisync.reconcile.record_ns import NS_FIELDS
from ddisync.reconcile.zone import ZONE_FIELDS, ZONE_OBJTYPE
from ddisync.tools.progress import Progress
from ddisync.wapi.client import WapiClient, WapiObject

__all__ = [
    "DHCP_OBJTYPES",
    "NETWORK_OBJTYPES",
    "RECORD_OBJTYPES",
    "ZONE_OBJTYPE",
    "fields_of",
    "read_all",
]

NETWORK_OBJTYPES = ("network", "ipv6network")
RECORD_OBJTYPES = tuple(OBJTYPES.values())
DHCP_OBJTYPES = (FIXED_ADDRESS_OBJTYPE, RANGE_OBJTYPE)


def fields_of(objtype: str) -> tuple[str, ...]:
    """What to read back of ``objtype``: every field the planners compare."""
    if objtype in NETWORK_OBJTYPES:
        return NETWORK_FIELDS
    if objtype == ZONE_OBJTYPE:  # for Zones, and for plan to predict a record's missing zone
        return ZONE_FIELDS
    if objtype == FIXED_ADDRESS_OBJTYPE:
        return FIXED_ADDRESS_FIELDS
    if objtype == RANGE_OBJTYPE:
        return RANGE_FIELDS
    if objtype == NS_OBJTYPE:
        return NS_FIELDS
    return RETURN_FIELDS[objtype]


async def read_all(
    client: WapiClient,
    objtype: str,
    params: Mapping[str, str] | None = None,
    *,
    progress: Progress | None = None,
    return_fields: Sequence[str] | None = None,
) -> list[WapiObject]:
    """Every ``objtype`` matching ``params`` (all pages)."""
    found: list[WapiObject] = []
    if progress:
        progress.start(objtype)
    async for page in client.iter_pages(
        objtype, dict(params or {}), return_fields=return_fields or fields_of(objtype)
    ):
        found.extend(page)
        if progress:
            progress.advance(len(page))
    return found
