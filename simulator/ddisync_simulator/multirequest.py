"""``POST /wapi/vX/request``: several operations in one call (spec §4).

* Single form: one object ``{"method", "object", "data", "args"}``; the reply is that
  operation's normal reply and status.
* List form: each element may add ``enable_substitution`` (``##STATE:<var>:##`` is replaced in
  every string, also inside longer strings), ``assign_state`` ``{"<var>": "<field>"}`` (field
  ``_ref``, ``*<EA>`` for an EA value, ``<list field>[i]``; a GET assigns from its first
  object) and ``discard`` (leave the result out). Pseudo-methods ``STATE:ASSIGN`` (``data``
  sets state) and ``STATE:DISPLAY`` (emits the state) [V WD].
* [U] The reply of the list form is a JSON array with one entry per non-discarded operation,
  each in its normal form (a GET stays a list; ``STATE:DISPLAY`` is the state object), with
  status 200.
* [U] All-or-nothing: operations run in order inside one grid transaction; the first failure
  (including an ``assign_state`` with nothing to assign from) rolls every earlier operation
  back and is answered with its own status and error body. This is what the Go client's
  ``NetworkViewLock`` test-and-set relies on.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import fail
from .handlers import Reply, handle
from .store import Grid

__all__ = ["run_request"]

_STATE = re.compile(r"##STATE:([^:#]+):##")
_METHODS = ("GET", "POST", "PUT", "DELETE")


def _substitute(value: Any, state: dict[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _STATE.fullmatch(value)
        if whole and whole.group(1) in state:
            return state[whole.group(1)]  # keep non-string values intact
        return _STATE.sub(lambda m: str(state.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [_substitute(v, state) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, state) for k, v in value.items()}
    return value


def _pick(result: Any, field: str) -> Any:
    obj = result
    if isinstance(obj, dict) and "result" in obj and len(obj) <= 2:
        obj = obj["result"]
    if isinstance(obj, list):
        if not obj:
            raise fail("bad_request_body", reason="assign_state: the GET returned no object")
        obj = obj[0]
    if isinstance(obj, str):
        if field == "_ref":
            return obj
        raise fail("bad_request_body", reason=f"assign_state: no field {field} in the reply")
    if not isinstance(obj, dict):
        raise fail("bad_request_body", reason="assign_state: nothing to assign from")
    if field.startswith("*"):
        item = (obj.get("extattrs") or {}).get(field[1:])
        if not isinstance(item, dict):
            raise fail("bad_request_body", reason=f"assign_state: no extensible attribute {field}")
        return item.get("value")
    match = re.fullmatch(r"(\w+)\[(\d+)\]", field)
    if match:
        items = obj.get(match.group(1)) or []
        index = int(match.group(2))
        if index >= len(items):
            raise fail("bad_request_body", reason=f"assign_state: no item {field}")
        return items[index]
    if field not in obj:
        raise fail("bad_request_body", reason=f"assign_state: no field {field} in the reply")
    return obj[field]


def _args(raw: Any) -> list[tuple[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise fail("bad_request_body", reason="args must be an object")
    out: list[tuple[str, Any]] = []
    for key, value in raw.items():
        for v in value if isinstance(value, list) else [value]:
            out.append(
                (
                    key,
                    v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v),
                )
            )
    return out


def _one(grid: Grid, op: Any, state: dict[str, Any]) -> Reply:
    if not isinstance(op, dict):
        raise fail("bad_request_body", reason="each operation must be an object")
    if op.get("enable_substitution"):
        op = {
            k: (_substitute(v, state) if k in ("object", "data", "args") else v)
            for k, v in op.items()
        }
    method = str(op.get("method", "")).upper()
    if method == "STATE:ASSIGN":
        state.update(op.get("data") or {})
        return Reply(200, None)
    if method == "STATE:DISPLAY":
        return Reply(200, dict(state))
    if method not in _METHODS:
        raise fail("bad_request_body", reason=f"Invalid method: {op.get('method')}")
    target = op.get("object")
    if not isinstance(target, str) or not target or target == "request":
        raise fail("bad_request_body", reason="object must be an object type or reference")
    data = op.get("data")
    if method == "GET":
        args = _args(op.get("args")) + _args(data)
        reply = handle(grid, method, target, args, None)
    else:
        reply = handle(grid, method, target, _args(op.get("args")), data)
    for var, field in (op.get("assign_state") or {}).items():
        state[var] = _pick(reply.body, str(field))
    return reply


def run_request(grid: Grid, body: Any) -> Reply:
    """Run a multi-request body atomically; the reply (or the first error, raised)."""
    if isinstance(body, dict):
        with grid.transaction():
            return _one(grid, body, {})
    if not isinstance(body, list):
        raise fail("bad_request_body", reason="The request body must be an object or a list")
    state: dict[str, Any] = {}
    results: list[Any] = []
    with grid.transaction():
        for op in body:
            reply = _one(grid, op, state)
            method = str(op.get("method", "")).upper()
            if not op.get("discard") and method != "STATE:ASSIGN":
                results.append(reply.body)
    return Reply(200, results)
