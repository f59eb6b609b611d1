"""WAPI operations independent of HTTP: one entry point, ``handle()``, used by the HTTP routes
and by each operation of a multi-request (``/request``).

Reading (spec §2):

* ``_max_results`` defaults to -1000: a negative N errors when more than |N| objects match
  (``Result set too large (> N)``), a positive N truncates [V].
* Paging: ``_paging=1`` needs ``_return_as_object=1`` [C]; the page size is ``_max_results``
  (1..1000 [U]). The reply carries ``next_page_id`` except on the last page, where the key is
  absent [C]. The page id is hex of a zlib-compressed JSON of the whole query plus the
  position (the sequence number of the last object returned), so ``_page_id`` alone is enough
  and deletions between pages never skip objects.
* ``_return_as_object=1`` wraps any reply as ``{"result": ...}``; for a create or update
  without return fields that is ``{"result": "<ref>"}`` [U].
"""

from __future__ import annotations

import contextlib
import json
import zlib
from dataclasses import dataclass
from typing import Any

from . import writes
from .errors import fail
from .functions import call_function
from .refs import split_ref
from .render import host_address_objects, parse_return_fields, project
from .schema import object_schema
from .search import search_objects
from .store import Grid, Obj
from .types import ObjType, get_type

__all__ = ["Reply", "handle"]

CONTROL_ARGS = frozenset(
    {
        "_return_fields",
        "_return_fields+",
        "_return_as_object",
        "_max_results",
        "_paging",
        "_page_id",
        "_function",
        "_schema",
    }
)
IGNORED_ARGS = frozenset(
    {
        "_proxy_search",
        "_inheritance",
        "_schema_version",
        "_schema_searchable",
        "_get_doc",
        "_schema_fields",
    }
)
DELETE_ARGS = frozenset({"remove_subnets", "remove_associated_ptr"})


@dataclass(slots=True)
class Reply:
    status: int
    body: Any


def _flag(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


def _split_args(args: list[tuple[str, Any]]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    control: dict[str, Any] = {}
    fields: list[tuple[str, Any]] = []
    for key, value in args:
        if key in CONTROL_ARGS:
            control[key] = value
        elif key in IGNORED_ARGS:
            continue
        elif key.startswith("_"):
            raise fail("unknown_argument", arg=key)
        else:
            fields.append((key, value))
    return control, fields


def _type(objtype: str) -> ObjType:
    t = get_type(objtype)
    if t is None:
        raise fail("unknown_type", objtype=objtype)
    return t


def _wrap(control: dict[str, Any], value: Any) -> Any:
    return {"result": value} if _flag(control.get("_return_as_object")) else value


def _find(grid: Grid, ref: str) -> Obj:
    split = split_ref(ref)
    if split is not None and split[0] in ("record:host_ipv4addr", "record:host_ipv6addr"):
        host = grid.get(ref)
        if host is not None:
            for sub in host_address_objects(grid, split[0]):
                if sub.ref.split(":")[0] == ref.split(":")[0]:
                    return sub
        raise fail("ref_not_found", ref=ref)
    obj = grid.get(ref)
    if obj is None or (split is not None and obj.objtype != split[0]):
        raise fail("ref_not_found", ref=ref)
    return obj


def _page_token(state: dict[str, Any]) -> str:
    return zlib.compress(json.dumps(state, separators=(",", ":")).encode()).hex()


def _page_state(page_id: str) -> dict[str, Any]:
    try:
        state = json.loads(zlib.decompress(bytes.fromhex(page_id)))
    except (ValueError, zlib.error):
        raise fail("bad_page_id", page_id=page_id) from None
    if not isinstance(state, dict):
        raise fail("bad_page_id", page_id=page_id)
    return state


def _search(
    grid: Grid, objtype: str, control: dict[str, Any], fields: list[tuple[str, Any]]
) -> Any:
    if "_page_id" in control:
        state = _page_state(str(control["_page_id"]))
        objtype = str(state["type"])
        fields = [(str(k), v) for k, v in state["args"]]
        control = {**state["control"], "_paging": "1", "_return_as_object": "1"}
        after = int(state["after"])
    else:
        after = 0
    t = _type(objtype)
    wanted = parse_return_fields(t, control.get("_return_fields"), control.get("_return_fields+"))
    found = search_objects(grid, objtype, fields)
    if _flag(control.get("_paging")):
        if not _flag(control.get("_return_as_object")):
            raise fail("paging_needs_object")
        try:
            size = abs(int(control.get("_max_results", 1000)))
        except ValueError:
            raise fail("bad_page_size", value=control.get("_max_results")) from None
        if not 1 <= size <= 1000:
            raise fail("bad_page_size", value=control.get("_max_results"))
        rest = [o for o in found if o.seq > after] if after else found
        page = rest[:size]
        body: dict[str, Any] = {"result": [project(grid, o, t, wanted) for o in page]}
        if len(rest) > size:
            keep = {k: v for k, v in control.items() if k != "_page_id"}
            body["next_page_id"] = _page_token(
                {"type": objtype, "args": fields, "control": keep, "after": page[-1].seq}
            )
        return body
    try:
        limit = int(control.get("_max_results", -1000))
    except ValueError:
        raise fail("bad_page_size", value=control.get("_max_results")) from None
    if limit < 0 and len(found) > -limit:
        raise fail("too_large", limit=-limit)
    if limit > 0:
        found = found[:limit]
    return _wrap(control, [project(grid, o, t, wanted) for o in found])


def _written(grid: Grid, obj: Obj, control: dict[str, Any]) -> Any:
    if "_return_fields" in control or "_return_fields+" in control:
        t = _type(obj.objtype)
        wanted = parse_return_fields(
            t, control.get("_return_fields"), control.get("_return_fields+")
        )
        return _wrap(control, project(grid, obj, t, wanted))
    return _wrap(control, obj.ref)


def _query_fields(t: ObjType, fields: list[tuple[str, Any]]) -> dict[str, Any]:
    """Fields sent as query arguments on a create (``network?network=...``) [C]."""
    out: dict[str, Any] = {}
    for key, value in fields:
        spec = t.fields.get(key)
        if (
            spec is not None
            and spec.kind in ("bool", "uint", "int", "extattrs", "any")
            and isinstance(value, str)
        ):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        out[key] = value
    return out


def handle(grid: Grid, method: str, path: str, args: list[tuple[str, Any]], body: Any) -> Reply:
    """One WAPI operation on ``path`` (a type or a ref, already percent-decoded)."""
    control, fields = _split_args(args)
    if body is not None and not isinstance(body, dict):
        raise fail("bad_json", reason="the body must be a JSON object")
    if path == "":
        raise fail("unknown_type", objtype="")
    split = split_ref(path)
    function = control.get("_function")
    if split is None:
        t = _type(path)
        if method == "GET":
            if function:
                raise fail("function_method", function=function)
            if "_schema" in control:
                return Reply(200, object_schema(t))
            return Reply(200, _search(grid, path, control, fields))
        if method == "POST" and not function:
            data = {**_query_fields(t, fields), **(body or {})}
            obj = writes.create(grid, path, data)
            return Reply(201, _written(grid, obj, control))
        raise fail(
            "function_method" if function else "unknown_argument", function=function, arg=method
        )
    if "_paging" in control and method == "GET":
        raise fail("paging_on_ref")
    obj = _find(grid, path)
    t = _type(obj.objtype)
    if function:
        if method != "POST":
            raise fail("function_method", function=function)
        params = {**dict(fields), **(body or {})}
        if "exclude" in params and isinstance(params["exclude"], str):
            params["exclude"] = [v for k, v in fields if k == "exclude"]
        with grid.transaction():
            return Reply(200, call_function(grid, obj, str(function), params))
    if method == "GET":
        wanted = parse_return_fields(
            t, control.get("_return_fields"), control.get("_return_fields+")
        )
        return Reply(200, _wrap(control, project(grid, obj, t, wanted)))
    if method == "PUT":
        new = writes.update(grid, obj, body or {})
        return Reply(200, _written(grid, new, control))
    if method == "DELETE":
        unknown = [k for k, _v in fields if k not in DELETE_ARGS]
        if unknown:
            raise fail("unknown_field", field=unknown[0])
        writes.delete(grid, obj, dict(fields))
        return Reply(200, _wrap(control, obj.ref))
    raise fail("unknown_argument", arg=method)
