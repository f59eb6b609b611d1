"""Make sure the grid defines the extensible attributes ddisync marks its objects with.

NIOS refuses an object carrying an undefined extensible attribute ("Unknown extensible
attribute: ddisync-uid"), and defining one needs more rights than managing DNS and IPAM
objects. Other tools fail every plan on this; ddisync checks once, before its first write:

==============================  ============================================================
definition in the grid          what happens
==============================  ============================================================
present, type STRING            nothing (remembered: never checked again until a write
                                reports the attribute unknown)
missing                         created (``POST extensibleattributedef``, type STRING)
missing, the create refused     ``SyncRefused``: the message names every definition an
                                administrator must create; checked again on the next write
present with another type       ``SyncRefused`` naming it: ddisync will not redefine it
grid unreachable                the WAPI error propagates (InfobloxUnavailable, retried)
==============================  ============================================================
"""

from __future__ import annotations

import asyncio
import logging

from ddisync.api.conditions import Reason
from ddisync.reconcile.ownership import CLUSTER_EA, OWNER_EA, UID_EA
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.client import WapiClient
from ddisync.wapi.errors import ConflictError, InvalidFieldError, WapiResponseError

logger = logging.getLogger(__name__)

OBJTYPE = "extensibleattributedef"
MARKER_DEFINITIONS: dict[str, str] = {
    CLUSTER_EA: "ddisync: cluster that owns the object",
    OWNER_EA: "ddisync: namespace/kind/name of the owning resource",
    UID_EA: "ddisync: uid of the owning resource",
}
EA_TYPE = "STRING"


class MarkerDefinitions:
    """Checks (and creates when allowed) the marker definitions; once, then remembers."""

    def __init__(self) -> None:
        self._ready = False
        self._lock = asyncio.Lock()
        self._reported: str | None = None  # logged once, not once per reconcile

    @property
    def ready(self) -> bool:
        return self._ready

    async def ensure(self, client: WapiClient) -> None:
        """Return when the three definitions exist; raise ``SyncRefused`` when they do not
        and cannot be created, or a ``WapiError`` when the grid cannot be asked."""
        if self._ready:
            return
        async with self._lock:  # concurrent reconciles wait for one check
            if not self._ready:
                await self._check(client)
                self._ready = True

    def forget_if_unknown(self, error: Exception) -> None:
        """A write said a marker is undefined (deleted by an administrator): check again."""
        if isinstance(error, InvalidFieldError) and "extensible attribute: ddisync-" in (
            error.text.lower()
        ):
            self._ready = False

    async def _check(self, client: WapiClient) -> None:
        problems: list[str] = []
        for name, comment in MARKER_DEFINITIONS.items():
            found = await client.get(OBJTYPE, {"name": name}, return_fields=("name", "type"))
            if found:
                kind = found[0].get("type")
                if kind != EA_TYPE:
                    problems.append(f"{name} exists with type {kind}, but ddisync needs {EA_TYPE}")
                continue
            try:
                await client.create(
                    OBJTYPE,
                    {"name": name, "type": EA_TYPE, "comment": comment},
                    return_fields=("name", "type"),
                    find_existing={"name": name},
                )
                logger.info("Created the extensible attribute definition %s (%s)", name, EA_TYPE)
            except ConflictError:
                continue  # defined meanwhile (another operator): what we wanted
            except WapiResponseError as error:
                problems.append(f"{name} is missing and ddisync may not create it ({error.text})")
        if problems:
            message = (
                "Infoblox lacks the extensible attribute definitions ddisync marks its objects "
                f"with: {'; '.join(problems)}. An administrator must create "
                f"{', '.join(MARKER_DEFINITIONS)} (type {EA_TYPE}) under Grid > Administration "
                "> Extensible Attributes, or allow the ddisync WAPI user to create them"
            )
            if message != self._reported:
                logger.error("%s", message)
                self._reported = message
            raise SyncRefused(Reason.INFOBLOX_ERROR, message)
