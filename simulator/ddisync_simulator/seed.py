"""Seeding the grid from YAML/JSON and saving it back.

Every grid starts with what NIOS always has: the default network view (``default``, id 0),
the default DNS view (``default``) and the ``grid`` object. A seed then adds objects through
the same create path as ``POST`` (so every rule applies). The file is a mapping from object
type to a list of objects, written as a client would POST them::

    extensibleattributedef:
      - {name: Site, type: STRING}
    networkcontainer:
      - {network: 10.0.0.0/8}
    zone_auth:
      - {fqdn: example.com}
      - {fqdn: 10.0.0.0/8, zone_format: IPV4}

Types are loaded in dependency order (``ORDER``), whatever their order in the file. ``save``
writes the same format; the default views and the ``default.<nv>`` views NIOS creates with a
network view are left out because loading recreates them.
"""

from __future__ import annotations

import copy
import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import WapiError
from .keys import RefContext, ref_for
from .store import Grid, Obj
from .types import TYPES
from .writes import create

__all__ = ["ORDER", "SeedError", "base_grid", "load_seed", "save_seed"]

ORDER = (
    "extensibleattributedef",
    "networkview",
    "view",
    "networkcontainer",
    "network",
    "ipv6networkcontainer",
    "ipv6network",
    "range",
    "fixedaddress",
    "nsgroup",
    "zone_auth",
    "record:a",
    "record:aaaa",
    "record:cname",
    "record:txt",
    "record:mx",
    "record:srv",
    "record:ptr",
    "record:host",
    "record:caa",
    "record:ns",
)


class SeedError(ValueError):
    """A seed file that cannot be loaded; the message names the object at fault."""


def base_grid() -> Grid:
    grid = Grid()
    for objtype, fields in (
        ("networkview", {"name": "default", "is_default": True}),
        ("view", {"name": "default", "is_default": True, "network_view": "default"}),
        ("grid", {"name": "Infoblox"}),
    ):
        seq = grid.new_seq()
        grid.insert(Obj(objtype, ref_for(objtype, fields, RefContext(), seq), fields, seq))
    return grid


def demo_seed() -> dict[str, Any]:
    """The embedded demo seed, a fresh copy each time (a grid may change what it was given)."""
    return copy.deepcopy(_parsed_demo_seed())


@functools.cache
def _parsed_demo_seed() -> dict[str, Any]:
    # Parsed once: every reset of the simulator (each test's) starts from it again.
    text = resources.files("ddisync_simulator").joinpath("demo-seed.yaml").read_text()
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def read_seed(path: Path) -> dict[str, Any]:
    """The seed in ``path``; a ``SeedError`` naming the file if it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        # "No such file or directory", not "[Errno 2] ...: 'path'" (the path comes first).
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise SeedError(f"{path}: {detail}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SeedError(f"{path}: a seed is a mapping of object type to a list of objects")
    return data


def load_seed(seed: Path | str | dict[str, Any] | None) -> Grid:
    """A grid holding the base objects plus ``seed`` (None: the demo seed; {}: nothing)."""
    if seed is None:
        data = demo_seed()
    elif isinstance(seed, dict):
        data = seed
    else:
        data = read_seed(Path(seed))
    grid = base_grid()
    unknown = set(data) - set(ORDER)
    if unknown:
        raise SeedError(f"seed: object types that cannot be seeded: {', '.join(sorted(unknown))}")
    for objtype in ORDER:
        for i, item in enumerate(data.get(objtype) or []):
            body = {k: v for k, v in dict(item).items() if k != "_ref"}
            try:
                create(grid, objtype, body)
            except WapiError as exc:
                raise SeedError(f"seed: {objtype}[{i}] {body}: {exc.text}") from None
    return grid


def _writable(objtype: str, fields: dict[str, Any]) -> dict[str, Any]:
    t = TYPES[objtype]
    out: dict[str, Any] = {}
    for name, value in fields.items():
        spec = t.fields.get(name)
        if spec is not None and (spec.readonly or spec.search_only):
            continue
        if name in ("ipv4addrs", "ipv6addrs"):
            value = [{k: v for k, v in i.items() if k not in ("_ref", "host")} for i in value]
        out[name] = value
    if objtype == "record:host":
        out.pop("network_view", None)
    return out


def dump_grid(grid: Grid) -> dict[str, Any]:
    netviews = {o.fields["name"] for o in grid.of_type("networkview")}
    data: dict[str, Any] = {}
    for objtype in ORDER:
        items = []
        for obj in grid.of_type(objtype):
            f = obj.fields
            if f.get("is_default") or f.get("creator") == "SYSTEM":
                continue  # what NIOS makes by itself (a zone's NS records) is made again
            if (
                objtype == "view"
                and f["name"].removeprefix("default.") in netviews
                and f["name"].startswith("default.")
            ):
                continue
            items.append(_writable(objtype, f))
        if items:
            data[objtype] = items
    return data


def save_seed(grid: Grid, path: Path) -> None:
    data = dump_grid(grid)
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False))
