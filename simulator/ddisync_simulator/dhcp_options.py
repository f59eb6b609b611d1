"""The ``DHCP`` option space as NIOS names it (ISC dhcpd names, RFC 2132 and later options),
and the option structs of ``fixedaddress`` and ``range``.

A struct is ``{"name", "num", "value", "vendor_class", "use_option"}``; a client sends ``name``
or ``num`` (or both, which must agree) and ``value``. Stored and returned filled in:
``vendor_class`` ``DHCP`` and ``use_option`` false when not sent [U: NIOS returns every field
of the struct; whether it defaults ``use_option`` for options without a use flag is unknown].
"""

from __future__ import annotations

import json
from typing import Any

from .errors import fail

__all__ = ["OPTION_NUMBERS", "normalize_options"]

OPTION_NUMBERS: dict[str, int] = {
    "subnet-mask": 1, "time-offset": 2, "routers": 3, "time-servers": 4,
    "ien116-name-servers": 5, "domain-name-servers": 6, "log-servers": 7, "cookie-servers": 8,
    "lpr-servers": 9, "impress-servers": 10, "resource-location-servers": 11, "host-name": 12,
    "boot-size": 13, "merit-dump": 14, "domain-name": 15, "swap-server": 16, "root-path": 17,
    "extensions-path": 18, "ip-forwarding": 19, "non-local-source-routing": 20,
    "policy-filter": 21, "max-dgram-reassembly": 22, "default-ip-ttl": 23,
    "path-mtu-aging-timeout": 24, "path-mtu-plateau-table": 25, "interface-mtu": 26,
    "all-subnets-local": 27, "broadcast-address": 28, "perform-mask-discovery": 29,
    "mask-supplier": 30, "router-discovery": 31, "router-solicitation-address": 32,
    "static-routes": 33, "trailer-encapsulation": 34, "arp-cache-timeout": 35,
    "ieee802-3-encapsulation": 36, "default-tcp-ttl": 37, "tcp-keepalive-interval": 38,
    "tcp-keepalive-garbage": 39, "nis-domain": 40, "nis-servers": 41, "ntp-servers": 42,
    "vendor-encapsulated-options": 43, "netbios-name-servers": 44, "netbios-dd-server": 45,
    "netbios-node-type": 46, "netbios-scope": 47, "font-servers": 48, "x-display-manager": 49,
    "dhcp-lease-time": 51, "dhcp-server-identifier": 54, "dhcp-renewal-time": 58,
    "dhcp-rebinding-time": 59, "nisplus-domain": 64, "nisplus-servers": 65,
    "tftp-server-name": 66, "bootfile-name": 67, "mobile-ip-home-agent": 68,
    "smtp-server": 69, "pop-server": 70, "nntp-server": 71, "www-server": 72,
    "finger-server": 73, "irc-server": 74, "streettalk-server": 75,
    "streettalk-directory-assistance-server": 76, "domain-search": 119,
}  # fmt: skip
_NAMES = {num: name for name, num in OPTION_NUMBERS.items()}


def _bad(field: str, value: Any, reason: str) -> Exception:
    return fail("bad_value", field=field, value=json.dumps(value), reason=reason)


def normalize_options(field: str, value: Any) -> list[dict[str, Any]]:
    """The canonical option list, or a 400 naming what is wrong."""
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise fail("bad_type", field=field, value=json.dumps(value), kind="list of struct")
    out = []
    for item in value:
        unknown = set(item) - {"name", "num", "value", "vendor_class", "use_option"}
        if unknown:
            raise fail("unknown_field", field=f"{field}.{sorted(unknown)[0]}")
        name, num = item.get("name"), item.get("num")
        if name is None and num is None:
            raise fail("missing_field", field=f"{field}.name")
        if name is not None and name not in OPTION_NUMBERS:
            raise _bad(f"{field}.name", name, "Unknown DHCP option")
        if num is not None and num not in _NAMES:
            raise _bad(f"{field}.num", num, "Unknown DHCP option")
        if name is not None and num is not None and OPTION_NUMBERS[name] != num:
            raise _bad(f"{field}.num", num, f"Option {name} is number {OPTION_NUMBERS[name]}")
        if not isinstance(item.get("value"), str):
            raise fail("bad_type", field=f"{field}.value", value=json.dumps(item.get("value")),
                       kind="string")  # fmt: skip
        use = item.get("use_option", False)
        if not isinstance(use, bool):
            raise fail("bad_type", field=f"{field}.use_option", value=json.dumps(use),
                       kind="boolean")  # fmt: skip
        name = name if name is not None else _NAMES[num]
        out.append({
            "name": name, "num": OPTION_NUMBERS[name], "value": item["value"],
            "vendor_class": item.get("vendor_class", "DHCP"), "use_option": use,
        })  # fmt: skip
    return out
