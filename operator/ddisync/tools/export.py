"""``ddisync export``: existing networks, zones, records, fixed addresses and DHCP ranges ->
manifests for a Git repository.

    ddisync export --output-dir DIR [--network-view V] [--view V] [--zone Z]
                   [--type T ...] [--namespace NS] [--deletion-policy Retain|Delete]
                   [--grid NAME -f FILES]

Layout (every path derived from the object, see ``naming``)::

    DIR/kustomization.yaml            resources: every file below, sorted
    DIR/networks/<name>.yaml          one Network each (IPv4 and IPv6)
    DIR/zones/<name>.yaml             one Zone each (authoritative zones, forward and reverse)
    DIR/records/<type>/<name>.yaml    one Record each; <type> is a, aaaa, cname, host, ...
    DIR/fixedaddresses/<name>.yaml    one FixedAddress each (DHCP reservations by MAC)
    DIR/dhcpranges/<name>.yaml        one DHCPRange each

Every manifest has ``adopt: true``: applying the folder hands the existing objects to the
operator, which adds its ownership markers and changes nothing else (``convert`` proves that
for each object before writing it). ``ddisync plan -f DIR`` shows exactly that before anything
is applied.

Every manifest also says ``deletionPolicy: Retain`` unless ``--deletion-policy Delete`` asks
otherwise, and says it explicitly either way: the objects existed before ddisync, so deleting
an exported manifest (a folder pruned by mistake, a GitOps tool removing what left Git)
releases the object instead of deleting legacy DNS or IPAM data. Switch a resource to
``Delete`` once it is meant to live and die with its manifest. ``grid:`` is written only for a
grid other than ``default`` (``--grid NAME``), the spec's default being ``default``.

Scope: ``--network-view`` narrows networks, fixed addresses and ranges, ``--view`` narrows
zones and records, ``--zone`` narrows records (the zone's own records, as WAPI's ``zone=``
search returns them) and zones (that one); ``--type`` picks kinds: Network, Zone, the record
types (A, AAAA, CNAME, PTR, TXT, MX, SRV, Host, CAA, NS), FixedAddress and DHCPRange,
case-insensitive, all by default.

NS records: a zone's own apex NS records (``creator: SYSTEM``, from its name server group) are
the Zone's, not exported; an NS record that a ddisync claim names (``record_ns``: a TXT record
carrying the markers, in any state) is already managed and skipped like a marked object.

Re-running into the same folder is idempotent: files are rewritten only when their content
changed, and files of the exported kinds whose objects are gone are removed (only below
``networks/``, ``zones/`` and the exported ``records/<type>/`` folders: an export with
``--type A`` does not touch ``records/mx/``). ``kustomization.yaml`` lists every manifest
below them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ddisync.api.grid import DEFAULT_GRID
from ddisync.api.meta import GROUP, VERSION, DeletionPolicy
from ddisync.api.record import RecordType
from ddisync.api.record_rules import CLAIM_PREFIX
from ddisync.reconcile.record_desired import NS_OBJTYPE, objtype_of_type
from ddisync.reconcile.record_ns import CLAIM_OBJTYPE
from ddisync.tools.convert import (
    DHCP_RANGE,
    FIXED_ADDRESS,
    NETWORK,
    ZONE,
    Exported,
    Skipped,
    claimed_ns,
    convert,
    folder_of,
)
from ddisync.tools.progress import Progress
from ddisync.tools.reading import DHCP_OBJTYPES, NETWORK_OBJTYPES, ZONE_OBJTYPE, read_all
from ddisync.wapi.client import WapiClient
from ddisync.wapi.query import objtype_of

__all__ = ["EXPORT_TYPES", "ExportError", "ExportOptions", "ExportResult", "export", "parse_types"]

EXPORT_TYPES = (
    NETWORK,
    ZONE,
    *(kind.value for kind in RecordType),
    FIXED_ADDRESS,
    DHCP_RANGE,
)
_DHCP = dict(zip((FIXED_ADDRESS, DHCP_RANGE), DHCP_OBJTYPES, strict=True))
KUSTOMIZATION = "kustomization.yaml"


class ExportError(Exception):
    """The export cannot be written as asked."""


@dataclass(frozen=True)
class ExportOptions:
    output_dir: Path
    network_view: str | None = None
    view: str | None = None
    zone: str | None = None
    types: tuple[str, ...] = EXPORT_TYPES
    namespace: str | None = None
    grid: str = DEFAULT_GRID  # the grid read, written as spec.grid unless default
    deletion_policy: DeletionPolicy = DeletionPolicy.RETAIN


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)  # every manifest of this run
    removed: list[Path] = field(default_factory=list)  # stale files of the exported kinds
    skipped: list[Skipped] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # exported per kind/type


def parse_types(values: Iterable[str]) -> tuple[str, ...]:
    """``--type`` values (repeatable, comma-separated allowed) in their canonical spelling."""
    canonical = {kind.lower(): kind for kind in EXPORT_TYPES}
    chosen: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if part.lower() not in canonical:
                raise ExportError(f"--type {part}: one of {', '.join(EXPORT_TYPES)}")
            chosen.append(canonical[part.lower()])
    return tuple(dict.fromkeys(chosen)) or EXPORT_TYPES


def manifest(item: Exported, options: ExportOptions) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": item.name}
    if options.namespace:
        metadata["namespace"] = options.namespace
    spec: dict[str, Any] = {"grid": options.grid} if options.grid != DEFAULT_GRID else {}
    spec |= item.spec
    spec["deletionPolicy"] = options.deletion_policy.value
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": item.kind,
        "metadata": metadata,
        "spec": spec,
    }


def _dump(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=1000)


def _write_if_changed(path: Path, text: str) -> None:
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a file


async def _read(
    client: WapiClient, options: ExportOptions, progress: Progress
) -> tuple[list[Any], list[Any]]:
    """The objects to export, and the NS claims that tell which NS records ddisync owns."""
    objects: list[Any] = []
    if NETWORK in options.types:
        params = {"network_view": options.network_view} if options.network_view else {}
        for objtype in NETWORK_OBJTYPES:
            objects += await read_all(client, objtype, params, progress=progress)
    params = {}
    if options.view:
        params["view"] = options.view
    if ZONE in options.types:
        zone = {"fqdn": options.zone.rstrip(".").lower()} if options.zone else {}
        objects += await read_all(client, ZONE_OBJTYPE, {**params, **zone}, progress=progress)
    if options.zone:
        params["zone"] = options.zone.rstrip(".").lower()
    for kind in RecordType:
        if kind.value in options.types:
            objects += await read_all(client, objtype_of_type(kind), params, progress=progress)
    in_view = {"network_view": options.network_view} if options.network_view else {}
    for dhcp_kind, objtype in _DHCP.items():
        if dhcp_kind in options.types:
            objects += await read_all(client, objtype, in_view, progress=progress)
    claims: list[Any] = []  # TXT records named like claims; ``claimed_ns`` reads their text
    if RecordType.NS.value in options.types:
        where = {"view": options.view} if options.view else {}
        claims = await read_all(client, CLAIM_OBJTYPE, {**where, "name~": CLAIM_PREFIX})
    progress.finish()
    return objects, claims


def write_kustomization(output_dir: Path) -> Path:
    resources = sorted(
        path.relative_to(output_dir).as_posix()
        for top in (folder_of(NETWORK), folder_of(ZONE), "records", *map(folder_of, _DHCP))
        for path in (output_dir / top).rglob("*.yaml")
        if path.is_file()
    )
    path = output_dir / KUSTOMIZATION
    document = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    }
    _write_if_changed(path, _dump(document))
    return path


def write(items: Sequence[Exported], options: ExportOptions) -> tuple[list[Path], list[Path]]:
    """Write the manifests and the kustomization; (written, removed stale files)."""
    root = options.output_dir
    paths: dict[Path, Exported] = {}
    for item in items:
        path = root / item.folder / f"{item.name}.yaml"
        if path in paths:
            raise ExportError(
                f"{item.source} and {paths[path].source} would both be {path}; "
                "please report this as a bug"
            )
        paths[path] = item
    for path, item in sorted(paths.items()):
        _write_if_changed(path, _dump(manifest(item, options)))
    removed = []
    for kind in options.types:
        for path in sorted((root / folder_of(kind)).glob("*.yaml")):
            if path not in paths:
                path.unlink()
                removed.append(path)
    write_kustomization(root)
    return sorted(paths), removed


async def export(
    client: WapiClient, options: ExportOptions, progress: Progress | None = None
) -> ExportResult:
    """Read, convert and write; the result says what was written and what was skipped."""
    if options.output_dir.exists() and not options.output_dir.is_dir():
        raise ExportError(f"--output-dir {options.output_dir} is not a folder")
    objects, claims = await _read(client, options, progress or Progress(enabled=False))
    claimed = claimed_ns(claims)
    result = ExportResult()
    items: list[Exported] = []
    for obj in objects:
        if objtype_of(str(obj["_ref"])) == NS_OBJTYPE and obj.get("creator") == "SYSTEM":
            continue  # a zone's own apex NS records, from its name server group (a Zone's)
        converted = convert(obj, claimed)
        if isinstance(converted, Skipped):
            result.skipped.append(converted)
            continue
        items.append(converted)
        label = converted.kind if converted.kind != "Record" else converted.spec["type"]
        result.counts[label] = result.counts.get(label, 0) + 1
    result.written, result.removed = write(items, options)
    return result
