"""Find a Record's Infoblox objects (the record itself, or the PTR kept for ``createPTR``).

Lookup order, cheapest and most exact first (as for networks, ``ddisync.sync.network``):

1. the ref from the status: one GET (gone → go on; an object of another type is returned as
   it is, so that the plan can refuse a changed ``type``);
2. the ownership marker ``*ddisync-uid=<uid>`` on the object type: finds what ddisync created
   even when the status was lost, e.g. after a crash between the create call and the status
   patch, so a retry never creates a duplicate and an allocated address is kept;
3. (``find_record`` / ``find_ptr`` only) the record's identity (name, value, view): finds a
   record someone else created, to adopt or refuse.
"""

from __future__ import annotations

import logging

from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.record import (
    RETURN_FIELDS,
    ActualRecord,
    DesiredRecord,
    actual_record,
    identity_search,
    same_identity,
)
from ddisync.wapi.client import WapiClient
from ddisync.wapi.errors import NotFoundError
from ddisync.wapi.query import objtype_of

logger = logging.getLogger(__name__)


async def find_owned(
    client: WapiClient, objtype: str, owner: Owner, ref: str | None
) -> ActualRecord | None:
    """Steps 1 and 2: the object ddisync made for ``owner`` (by ref, then by marker)."""
    ref_type = objtype_of(ref) if ref else None
    if ref and ref_type in RETURN_FIELDS:
        try:
            return actual_record(await client.get_ref(ref, return_fields=RETURN_FIELDS[ref_type]))
        except NotFoundError:
            logger.info("%s: %s is gone from Infoblox; looking it up by marker", owner.display, ref)
    ours = await client.get(objtype, owner.search(), return_fields=RETURN_FIELDS[objtype])
    if len(ours) > 1:
        logger.error(
            "%s: %d Infoblox %s objects carry this resource's marker; using the first",
            owner.display, len(ours), objtype,
        )  # fmt: skip
    return actual_record(ours[0]) if ours else None


async def find_by_identity(client: WapiClient, desired: DesiredRecord) -> ActualRecord | None:
    """Step 3: an existing record that *is* the desired one, whoever made it."""
    search = identity_search(desired)
    if search is None:
        return None
    found = await client.get(desired.objtype, search, return_fields=RETURN_FIELDS[desired.objtype])
    return next(
        (a for a in map(actual_record, found) if same_identity(desired, a)),
        None,
    )
