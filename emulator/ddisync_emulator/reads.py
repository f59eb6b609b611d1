"""The read answers of the emulated API server: which objects a request selects, lists, Tables.

A list is ``kind: <Kind>List`` with the newest resourceVersion, paged by ``limit`` and
``continue`` (here simply the offset of the next page). ``kubectl get`` asks for a ``Table``
instead, built from the CRD's printer columns (``tables``) or a built-in kind's printer
(``printers``). The emulator finds the objects in its index, in their stored form; these
functions shape the answer, in the form of the version asked (``versions``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import kmock

from ddisync_emulator import fields, printers, tables
from ddisync_emulator.addressing import group_version, kind_of
from ddisync_emulator.objects import Body, selects


def selector(request: kmock.Request) -> Callable[[Body], bool]:
    """Whether a stored object is in the answer: the request's namespace, name and selectors
    (``ApiError`` 400 for a field selector the resource does not take)."""
    params = request.params
    return functools.partial(
        selects,
        namespace=request.namespace,
        name=request.name,
        labels=params.get("labelSelector"),
        fields=fields.matcher(request.resource, params.get("fieldSelector")),
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
    printer: printers.Printer | None = None,
    view: Callable[[Body], Body] | None = None,
) -> dict[str, Any]:
    """The Table of stored ``bodies``: the CRD's printer columns, a built-in ``printer``'s, or
    Name and Created At. ``view`` turns a stored object into the asked version's (the rows'
    objects; the cells read the stored form)."""
    rv = bodies[0]["metadata"].get("resourceVersion", "") if len(bodies) == 1 else ""
    built = tables.build_table(
        [view(body) for body in bodies] if view else bodies,
        printer_columns,
        version=version,
        resource_version=str(rv),  # a list's own resourceVersion comes with list_meta
        include=tables.include_object(request.params),
        headers=headers,
        list_meta=list_meta,
    )
    return printers.print_rows(built, printer, bodies) if printer else built


def watch_rendering(
    request: kmock.Request,
    as_table: Callable[[Body, str, bool], dict[str, Any]],
    view: Callable[[Body], Body] | None,
) -> Callable[[Body, bool], dict[str, Any]] | None:
    """How a watch sends each stored object: as a Table (``kubectl get -w``; the column
    definitions in the first event only) if the request asks for one, else as the asked
    version shows it (``view``), or as stored (None). ``as_table(body, version, first)``
    renders one; it reads the columns at each event, so a re-applied CRD's apply at once.
    """
    version = tables.table_version(request.headers.get("Accept"))
    if version is None:
        return None if view is None else (lambda body, first: view(body))

    def table_row(body: Body, first: bool) -> dict[str, Any]:
        return as_table(body, version, first)

    return table_row
