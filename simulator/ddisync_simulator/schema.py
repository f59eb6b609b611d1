"""``?_schema`` answers, generated from the type table (spec §1).

* ``GET /wapi/vX/?_schema`` -> ``{"requested_version", "supported_objects",
  "supported_versions", "schema_version": "2.0"}`` [C POSH].
* ``GET /wapi/vX/<type>?_schema`` -> ``{"fields": [...], "restrictions", "type", "version",
  "schema_version", "wapi_primitive": "object", "cloud_additional_restrictions"}``; each
  field has ``name``, ``type``, ``is_array``, ``supports`` (``r`` read, ``w`` write,
  ``u`` update, ``s`` search, ``d`` delete), ``searchable_by`` and ``standard_field``
  (a base field) [C]. Pass-through fields are listed as readable/writable strings [U].
"""

from __future__ import annotations

from typing import Any

from .types import TYPES, Field, ObjType

__all__ = ["object_schema", "top_schema"]

SCHEMA_VERSION = "2.0"
_WIRE_TYPE = {
    "str": "string",
    "dnsname": "string",
    "uint": "uint",
    "int": "int",
    "bool": "bool",
    "ipv4": "string",
    "ipv6": "string",
    "cidr4": "string",
    "cidr6": "string",
    "strlist": "string",
    "extattrs": "extattr",
    "hostaddrs4": "record:host_ipv4addr",
    "hostaddrs6": "record:host_ipv6addr",
    "any": "string",
}


def top_schema(requested: str, versions: list[str]) -> dict[str, Any]:
    return {
        "requested_version": requested,
        "supported_objects": sorted(TYPES),
        "supported_versions": versions,
        "schema_version": SCHEMA_VERSION,
    }


def _field(name: str, spec: Field, t: ObjType) -> dict[str, Any]:
    supports = "r"
    if not spec.readonly and not spec.search_only and t.writable:
        supports += "w" if spec.create_only else "wu"
    if spec.search:
        supports += "s"
    if spec.search_only:
        supports = "s"
    out: dict[str, Any] = {
        "name": name,
        "type": [_WIRE_TYPE[spec.kind]],
        "is_array": spec.kind in ("strlist", "hostaddrs4", "hostaddrs6"),
        "supports": supports,
        "searchable_by": spec.search,
        "standard_field": spec.base,
        "overridden_by": "use_ttl" if name == "ttl" else None,
    }
    if spec.choices:
        out["enum_values"] = list(spec.choices)
    if spec.inline_func:
        out["supports_inline_funccall"] = True
    return {k: v for k, v in out.items() if v is not None}


def object_schema(t: ObjType) -> dict[str, Any]:
    fields = [_field(n, s, t) for n, s in sorted(t.fields.items())]
    fields += [
        {
            "name": n,
            "type": ["string"],
            "is_array": False,
            "supports": "rwu",
            "searchable_by": "",
            "standard_field": False,
        }
        for n in sorted(t.passthrough)
    ]
    restrictions = [] if t.writable else ["create", "delete", "update"]
    return {
        "cloud_additional_restrictions": [],
        "fields": fields,
        "restrictions": restrictions,
        "schema_version": SCHEMA_VERSION,
        "type": t.name,
        "version": "2.13",
        "wapi_primitive": "object",
    }
