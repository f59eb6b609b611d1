"""Checking and normalising field values written by clients.

Values are stored in canonical form: IPv6 addresses compressed (``2001:0db8::0001`` is stored
as ``2001:db8::1``, spec §5), CIDRs normalised, DNS names lower-cased without a trailing dot.
Type errors use NIOS's ``Invalid value for <f>: <v>: Must be <kind> type`` [V]; the texts for
bad addresses and bad choices are [U].
"""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from .dhcp_options import normalize_options
from .errors import fail
from .store import Grid
from .types import Field

__all__ = ["check_extattrs", "dnsname", "normalize", "parse_ip", "parse_net"]


def _show(value: object) -> str:
    return json.dumps(value)


def dnsname(value: str) -> str:
    return value.strip().rstrip(".").lower()


def parse_ip(field: str, value: object, version: int | None = None) -> str:
    if not isinstance(value, str):
        raise fail("bad_type", field=field, value=_show(value), kind="string")
    try:
        ip = ipaddress.ip_address(value.strip())
    except ValueError:
        ip = None
    if ip is None or (version is not None and ip.version != version):
        kind = "IPv6" if version == 6 else "IPv4"
        raise fail("bad_value", field=field, value=_show(value), reason=f"Invalid {kind} address")
    return str(ip)


def parse_net(field: str, value: object, version: int | None = None) -> str:
    if not isinstance(value, str):
        raise fail("bad_type", field=field, value=_show(value), kind="string")
    try:
        net = ipaddress.ip_network(value.strip(), strict=True)
    except ValueError:
        net = None
    if net is None or "/" not in value or (version is not None and net.version != version):
        raise fail("bad_value", field=field, value=_show(value), reason="Invalid network")
    return str(net)


def normalize(name: str, spec: Field, value: Any) -> Any:
    """The canonical form of ``value`` for a field of kind ``spec.kind``, or a 400."""
    kind = spec.kind
    if kind == "any":
        return value
    if kind in ("str", "dnsname"):
        if not isinstance(value, str):
            raise fail("bad_type", field=name, value=_show(value), kind="string")
        if spec.choices and value not in spec.choices:
            raise fail(
                "bad_value",
                field=name,
                value=_show(value),
                reason=f"Must be one of {', '.join(spec.choices)}",
            )
        return dnsname(value) if kind == "dnsname" else value
    if kind in ("uint", "int"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail(
                "bad_type",
                field=name,
                value=_show(value),
                kind="unsigned integer" if kind == "uint" else "integer",
            )
        if kind == "uint" and value < 0:
            raise fail("bad_value", field=name, value=_show(value), reason="Must be unsigned")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise fail("bad_type", field=name, value=_show(value), kind="boolean")
        return value
    if kind in ("ipv4", "ipv6"):
        return parse_ip(name, value, 4 if kind == "ipv4" else 6)
    if kind in ("cidr4", "cidr6"):
        return parse_net(name, value, 4 if kind == "cidr4" else 6)
    if kind == "strlist":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("bad_type", field=name, value=_show(value), kind="list of string")
        return [dnsname(v) for v in value]
    if kind == "extattrs":
        if not isinstance(value, dict):
            raise fail("bad_type", field=name, value=_show(value), kind="object")
        return value
    if kind == "mac":
        return parse_mac(name, value)
    if kind == "dhcpoptions":
        return normalize_options(name, value)
    return value  # host address lists are checked by the DNS rules


def parse_mac(field: str, value: object) -> str:
    """A MAC as NIOS stores it: lower-case, ``:`` between octets (``-`` accepted) [U]."""
    if not isinstance(value, str):
        raise fail("bad_type", field=field, value=_show(value), kind="string")
    if not re.fullmatch(r"[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}", value.strip()):
        raise fail("bad_value", field=field, value=_show(value), reason="Invalid MAC address")
    return value.strip().lower().replace("-", ":")


def check_extattrs(grid: Grid, extattrs: Any) -> dict[str, dict[str, Any]]:
    """Validate an ``extattrs`` map against the EA definitions; return it canonical."""
    if not isinstance(extattrs, dict):
        raise fail("bad_type", field="extattrs", value=_show(extattrs), kind="object")
    out: dict[str, dict[str, Any]] = {}
    for name, item in extattrs.items():
        definition = grid.first("name", ("extensibleattributedef", name.lower()))
        if definition is None or definition.fields["name"] != name:
            raise fail("unknown_ea", name=name)
        if not isinstance(item, dict) or "value" not in item:
            raise fail(
                "bad_value",
                field=f"extattrs.{name}",
                value=_show(item),
                reason="Must be an object with a value",
            )
        value = item["value"]
        values = value if isinstance(value, list) else [value]
        ea_type = definition.fields["type"]
        for v in values:
            _check_ea_value(name, ea_type, definition.fields.get("list_values"), v)
        out[name] = {"value": value}
    return out


def _check_ea_value(name: str, ea_type: str, list_values: Any, v: Any) -> None:
    if ea_type == "INTEGER":
        if isinstance(v, bool) or not isinstance(v, int):
            raise fail("bad_type", field=f"extattrs.{name}", value=_show(v), kind="integer")
        return
    if not isinstance(v, str):
        raise fail("bad_type", field=f"extattrs.{name}", value=_show(v), kind="string")
    if ea_type == "ENUM":
        allowed = [x.get("value") for x in list_values or [] if isinstance(x, dict)]
        if v not in allowed:
            raise fail(
                "bad_value",
                field=f"extattrs.{name}",
                value=_show(v),
                reason="Not one of the allowed values",
            )
