"""Building WAPI URLs so that no value can change the query.

Every key and every value is percent-encoded with no safe characters, so a name containing
``&``, ``*``, ``=``, ``~``, ``+``, ``%`` or a space arrives as data, never as another argument
or modifier.  Keys carry WAPI's search modifiers (``name~``, ``name:``, ``name!``, ``name<``,
``name>``) and EA searches (``*Site``), encoded as well (``%2ASite``) as the official client
does.  A list value becomes repeated arguments (NIOS ORs them).

Refs go in the path quoted with ``/`` kept: ``record:a/ZG5z...:x.example.com/default`` becomes
``record%3Aa/ZG5z...%3Ax.example.com/default`` and a literal ``%3A`` inside the readable part
becomes ``%253A`` — NIOS percent-decodes the path exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import quote

__all__ = [
    "QueryParams",
    "encode_query",
    "encode_ref",
    "objtype_of",
    "param_pairs",
    "return_fields_pair",
]

QueryValue = str | int | bool | Sequence[str]
QueryParams = Mapping[str, QueryValue]


def _text(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def param_pairs(params: QueryParams | None) -> list[tuple[str, str]]:
    """Flatten a params mapping into (key, value) pairs, lists into repeated keys."""
    pairs: list[tuple[str, str]] = []
    for key, value in (params or {}).items():
        if isinstance(value, str | int | bool):
            pairs.append((key, _text(value)))
        else:
            pairs.extend((key, _text(v)) for v in value)
    return pairs


def encode_query(pairs: Iterable[tuple[str, str]]) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def encode_ref(ref: str) -> str:
    """A ref or an object type as a URL path below ``/wapi/vX/``."""
    return quote(ref.lstrip("/"), safe="/")


def objtype_of(ref_or_type: str) -> str:
    """The object type of a ref (``record:a/...`` → ``record:a``); used for logs and metrics."""
    return ref_or_type.split("/", 1)[0] or "unknown"


def return_fields_pair(return_fields: Sequence[str] | None) -> list[tuple[str, str]]:
    """``_return_fields+``: the base fields plus these (always ``_ref``)."""
    if return_fields is None:
        return []
    if isinstance(return_fields, str):
        raise TypeError("return_fields must be a sequence of field names, not a string")
    return [("_return_fields+", ",".join(return_fields))]
