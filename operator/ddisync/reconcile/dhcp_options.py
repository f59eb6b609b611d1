"""DHCP options between the spec's form (name → value) and WAPI's (a list of structs).

WAPI lists options as ``{"name", "num", "value", "vendor_class", "use_option"}``. The options
NIOS shows apart with a use flag (``USE_FLAG_OPTIONS``: routers, ...) apply only with
``use_option`` true, so ddisync sends it true for them; such an option read back with
``use_option`` false is inherited, not the object's own, and is not compared. Other options
apply whatever the flag says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ddisync.api.dhcp import USE_FLAG_OPTIONS


def options_wire(options: Mapping[str, str]) -> list[dict[str, Any]]:
    wire: list[dict[str, Any]] = []
    for name, value in sorted(options.items()):
        entry: dict[str, Any] = {"name": name, "value": value}
        if name in USE_FLAG_OPTIONS:
            entry["use_option"] = True
        wire.append(entry)
    return wire


def actual_options(wire: Any) -> dict[str, str]:
    """The object's own options (name → value) from WAPI's list; anything else is ignored."""
    found: dict[str, str] = {}
    for entry in wire if isinstance(wire, list) else []:
        if not isinstance(entry, Mapping):
            continue
        name, value = entry.get("name"), entry.get("value")
        inherited = name in USE_FLAG_OPTIONS and entry.get("use_option") is False
        if isinstance(name, str) and value is not None and not inherited:
            found[name] = str(value)
    return found
