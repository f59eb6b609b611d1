"""Find the Infoblox object of one ``Part`` (``driver.py``), the same way for every kind.

Lookup order, cheapest and most exact first:

1. the ref from the status: one GET (gone → go on). A ref of another of the kind's object
   types is returned as it is, so that the planner can refuse a changed ``type``;
2. the ownership marker ``*ddisync-uid=<uid>`` (within the part's ``scope``, e.g. the network
   view): finds what ddisync created even when the status was lost, e.g. after a crash
   between the create call and the status patch, so a retry never creates a duplicate and an
   allocated network or address is kept; then the same among the types it may have become
   (``also_owned_as``: a network NIOS turned into a container), for the planner to report;
3. the part's ``identity`` (a network by CIDR, a record by name and value): finds an object
   someone else created, to adopt or refuse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ddisync.reconcile.ownership import Owner
from ddisync.sync.driver import Identity, Part
from ddisync.wapi.client import WapiClient, WapiObject
from ddisync.wapi.errors import NotFoundError
from ddisync.wapi.query import QueryParams, objtype_of

logger = logging.getLogger(__name__)

#: The return fields of a known object type; None for a type the kind does not own.
FieldsOf = Callable[[str], Sequence[str] | None]


async def find_owned(
    client: WapiClient,
    objtype: str,
    owner: Owner,
    ref: str | None,
    fields_of: FieldsOf,
    scope: QueryParams | None = None,
) -> WapiObject | None:
    """Steps 1 and 2: the object ddisync made for ``owner`` (by ref, then by marker)."""
    ref_fields = fields_of(objtype_of(ref)) if ref else None
    if ref and ref_fields is not None:
        try:
            return await client.get_ref(ref, return_fields=ref_fields)
        except NotFoundError:
            logger.info("%s: %s is gone from Infoblox; looking it up by marker", owner.display, ref)
    search = {**owner.search(), **(scope or {})}
    ours = await client.get(objtype, search, return_fields=fields_of(objtype))
    if len(ours) > 1:
        logger.error(
            "%s: %d Infoblox %s objects carry this resource's marker; using the first",
            owner.display, len(ours), objtype,
        )  # fmt: skip
    return ours[0] if ours else None


async def find_by_identity(
    client: WapiClient, objtype: str, identity: Identity, return_fields: Sequence[str]
) -> WapiObject | None:
    """Step 3: an existing object that *is* the desired one, whoever made it."""
    found = await client.get(objtype, identity.search, return_fields=return_fields)
    return next((obj for obj in found if identity.matches(obj)), None)


def part_fields(part: Part, fields: FieldsOf) -> FieldsOf:
    """The return fields for the object types a ref of ``part`` may have (``ref_types``)."""
    accepted = part.ref_types or (part.objtype,)
    return lambda objtype: fields(objtype) if objtype in accepted else None


async def find(
    client: WapiClient, part: Part, owner: Owner, ref: str | None, fields: FieldsOf
) -> WapiObject | None:
    """The object of ``part``: steps 1 to 3 (``fields``: the kind's return fields by type)."""
    fields_of = part_fields(part, fields)
    found = await find_owned(client, part.objtype, owner, ref, fields_of, part.scope)
    for objtype in part.also_owned_as:
        if found is None:
            found = await find_owned(client, objtype, owner, None, fields, part.scope)
    if found is None and part.identity is not None:
        found = await find_by_identity(client, part.objtype, part.identity, part.return_fields)
    return found
