"""Creates and deletes whose earlier attempt may have landed: when to send them again.

An attempt that failed after the request may have reached the grid (a timeout, a reset, a
502/503/504 after sending) may have been carried out.  Sending the same write again is safe
for an update (the same PUT twice is the same PUT) but not for the other two writes:

* a create sent twice makes two objects.  :func:`send_create` sends it again only when it can
  check first: with ``find_existing`` (search params naming the object by its ownership
  markers) the next attempt searches, and an object found is the earlier attempt's.  Without
  it, :class:`~ddisync.wapi.errors.OutcomeUnknownError` is raised instead.
* a delete sent twice answers 404 the second time.  :func:`send_delete` takes that 404, after
  an attempt that may have reached the grid, as proof that the earlier attempt deleted it.

Refusals that prove nothing was processed (429, the 403 connection limit, connect errors) are
retried plainly by both.  The request path itself is in request_path.py.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ConflictError, NotFoundError, UnavailableError
from .paging import iter_pages
from .query import QueryParams, objtype_of, param_pairs, return_fields_pair
from .request_path import RequestPath, outcome_unknown

__all__ = ["send_create", "send_delete"]

logger = logging.getLogger("ddisync.wapi")


async def send_create(
    path: RequestPath,
    objtype: str,
    data: Mapping[str, Any],
    *,
    return_fields: Sequence[str] | None,
    find_existing: QueryParams | None,
    maybe_landed: bool = False,
) -> Any:
    """The grid's answer to a create (or the object an earlier attempt created), with
    retries; see :meth:`WapiClient.create <ddisync.wapi.client.WapiClient.create>`.
    ``maybe_landed``: an earlier send (a failed batch, ``coalesce.py``) may have landed, so the
    first attempt searches by ``find_existing`` too."""
    otype = objtype_of(objtype)
    pairs = return_fields_pair(return_fields or ())
    if maybe_landed and find_existing is None:
        raise ValueError("a create that may have landed is found again only by find_existing")

    async def lookup(n: int) -> dict[str, Any] | None:
        # One attempt of its own: a transient failure here fails this attempt as a whole.
        assert find_existing is not None
        query = param_pairs(find_existing) + pairs
        found: list[dict[str, Any]] = []
        async for page in iter_pages(
            lambda q: path.attempt("GET", objtype, q, None, otype, n), query, 2
        ):
            found.extend(page)
            break
        if len(found) > 1:
            logger.warning("create %s: %d objects carry the same markers", otype, len(found))
        return found[0] if found else None

    async def attempt(n: int) -> Any:
        nonlocal maybe_landed
        if maybe_landed:
            existing = await lookup(n)
            if existing is not None:
                logger.info("create %s: the earlier attempt had landed; not re-sent", otype)
                return existing
        try:
            return await path.attempt("POST", objtype, pairs, dict(data), otype, n)
        except ConflictError:
            # The lost create may have landed after the search above.
            if maybe_landed and find_existing is not None:
                existing = await lookup(n)
                if existing is not None:
                    return existing
            raise
        except UnavailableError as e:
            if e.may_have_reached and e.retryable:
                if find_existing is None:
                    raise outcome_unknown(
                        e,
                        f"POST {otype}",
                        "the create may have reached the grid; not repeated without find_existing",
                        n,
                    ) from e
                maybe_landed = True
            raise

    return await path.retried(attempt, f"POST {otype}")


async def send_delete(path: RequestPath, ref: str, maybe_landed: bool = False) -> Any:
    """The grid's answer to a delete (``ref`` itself when an earlier attempt deleted it),
    with retries.  ``maybe_landed``: an earlier send (a failed batch) may have deleted it."""
    otype = objtype_of(ref)

    async def attempt(n: int) -> Any:
        nonlocal maybe_landed
        try:
            return await path.attempt("DELETE", ref, [], None, otype, n)
        except NotFoundError:
            if maybe_landed:  # our own earlier attempt deleted it
                return ref
            raise
        except UnavailableError as e:
            maybe_landed = maybe_landed or e.may_have_reached
            raise

    return await path.retried(attempt, f"DELETE {otype}")
