"""The read answers of the emulated API server: which objects a request selects, lists, Tables.

A list is ``kind: <Kind>List`` with the newest resourceVersion, paged by ``limit`` and
``continue`` (here simply the offset of the next page). ``kubectl get`` asks for a ``Table``
instead, built from the CRD's printer columns (``tables``). The emulator finds the objects in
its index; these functions shape the answer.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import kmock

from ddisync_emulator import tables
from ddisync_emulator.addressing import group_version, kind_of
from ddisync_emulator.objects import Body, selects


def selector(request: kmock.Request) -> Callable[[Body], bool]:
    """Whether an object is in the answer: the request's namespace, name and selectors."""
    params = request.params
    return functools.partial(
        selects,
        namespace=request.namespace,
        name=request.name,
        labels=params.get("labelSelector"),
        fields=params.get("fieldSelector"),
    )


def list_kind(resource: kmock.resource, info: kmock.ResourceInfo) -> tuple[str, str]:
    """The apiVersion and kind of a resource's objects (a list's kind adds ``List``)."""
    return group_version(resource), kind_of(resource, info)


def page(
    items: list[Body], params: Mapping[str, str], rv: int
) -> tuple[list[Body], dict[str, Any]]:
    """The page ``limit`` and ``continue`` ask for, and the list metadata that goes with it."""
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    start = int(params.get("continue") or 0)
    limit = int(params.get("limit") or 0)
    if limit > 0:
        if start + limit < len(items):
            meta["continue"] = str(start + limit)
            meta["remainingItemCount"] = len(items) - start - limit
        items = items[start : start + limit]
    return items, meta


def object_list(
    resource: kmock.resource, info: kmock.ResourceInfo, meta: dict[str, Any], items: list[Body]
) -> dict[str, Any]:
    api_version, kind = list_kind(resource, info)
    return {"apiVersion": api_version, "kind": f"{kind}List", "metadata": meta, "items": items}


def table(
    request: kmock.Request,
    printer_columns: Sequence[Mapping[str, Any]] | None,
    bodies: list[Body],
    version: str,
    *,
    headers: bool = True,
    list_meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The Table of ``bodies``: the CRD's printer columns, or Name and Created At."""
    rv = bodies[0]["metadata"].get("resourceVersion", "") if len(bodies) == 1 else ""
    return tables.build_table(
        bodies,
        printer_columns,
        version=version,
        resource_version=str(rv),  # a list's own resourceVersion comes with list_meta
        include=tables.include_object(request.params),
        headers=headers,
        list_meta=list_meta,
    )


def watch_rendering(
    request: kmock.Request, printer_columns: Callable[[], Sequence[Mapping[str, Any]] | None]
) -> Callable[[Body, bool], dict[str, Any]] | None:
    """How a watch sends each object: as a Table (``kubectl get -w``; the column definitions in
    the first event only) if the request asks for one, else None (as stored). The columns are
    read at each event, so a re-applied CRD's columns apply at once.
    """
    version = tables.table_version(request.headers.get("Accept"))
    if version is None:
        return None

    def as_table(body: Body, first: bool) -> dict[str, Any]:
        return table(request, printer_columns(), [body], version, headers=first)

    return as_table
