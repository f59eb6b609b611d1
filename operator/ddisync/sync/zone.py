"""The ``Zone`` driver: one authoritative zone (``zone_auth``) per resource.

Found by status ref, then by marker within the view, then by fqdn in the view (a zone someone
else created: adopt or refuse).

Dependents: deleting a zone in NIOS deletes every record in it, so a Zone is not deleted while
Records of its namespace that ddisync manages lie in it. A Record names its zone by DNS name,
not by resource name; ``zone_keys`` spells both sides the same way, and the catalog's users
(``handlers/index.py``) does the rest:

- a Record uses the zone key of every suffix of its name (and, with ``createPTR``, of its PTR's
  reverse name), in its grid and view: ``www.team-a.example.com`` uses ``team-a.example.com``
  and ``example.com`` alike. Waiting for the records of subzones too is the stricter choice: it
  needs no knowledge of which zones exist, and a parent zone's deletion is never what takes a
  managed record away.
- a Zone is used under the key of its DNS name (a reverse zone's arpa name).

Records of other namespaces are not waited for (the catalog's users are per namespace): their
grants say which zones they write in, and they get ``ParentNotFound`` once their zone is gone.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.crd import ZONE
from ddisync.api.grid import DEFAULT_GRID
from ddisync.api.zone import ZoneSpec, dns_name_of_zone, normal_zone_fqdn
from ddisync.reconcile.zone import (
    ZONE_FIELDS,
    ZONE_OBJTYPE,
    DesiredZone,
    actual_zone,
    desired_zone,
    plan_zone,
)
from ddisync.sync.driver import Driver, Identity, Intent, Part, Resolver, Target, part_planner
from ddisync.sync.errors import SyncRefused
from ddisync.tenancy.grants import Reach
from ddisync.wapi.client import WapiObject
from ddisync.wapi.errors import NotFoundError

KIND = "Zone"


def zone_key(grid: str, view: str, dns_name: str) -> str:
    """How a zone is named among the users of the catalog: grid/view/DNS name. Interned: the
    catalog keeps one per suffix of every Record's name, most of them shared."""
    return sys.intern(f"{grid}/{view}/{dns_name.rstrip('.').lower()}")


def zone_keys_of_name(grid: str, view: str, name: str) -> tuple[str, ...]:
    """The keys of every zone that may hold ``name``: one per suffix of it."""
    labels = name.rstrip(".").lower().split(".")
    return tuple(zone_key(grid, view, ".".join(labels[i:])) for i in range(len(labels)))


class ZoneDriver(Driver[ZoneSpec, DesiredZone]):
    info = ZONE
    spec_model = ZoneSpec
    objtypes = (ZONE_OBJTYPE,)

    def return_fields(self, objtype: str) -> Sequence[str]:
        return ZONE_FIELDS

    def desired(
        self, spec: ZoneSpec, namespace: str, resolver: Resolver, status: Mapping[str, Any]
    ) -> DesiredZone:
        return desired_zone(spec)

    def reach(self, spec: ZoneSpec, desired: DesiredZone, namespace: str) -> Reach:
        """A forward zone by its name (equal to or below a granted zone suffix); a reverse
        zone by its network (inside a granted container), in its view either way."""
        reverse = desired.zone_format != "FORWARD"
        return Reach(
            grid=spec.grid,
            namespace=namespace,
            kind=self.kind,
            view=desired.view,
            names=() if reverse else (desired.fqdn,),
            addresses=(desired.fqdn,) if reverse else (),
            adopt=spec.adopt,
        )

    def primary(self, desired: DesiredZone, intent: Intent) -> Part:
        view = {"view": desired.view}

        return Part(
            objtype=ZONE_OBJTYPE,
            status_key="ref",
            noun="zone",
            plan=part_planner(plan_zone, actual_zone, desired, intent),
            return_fields=ZONE_FIELDS,
            scope=view,
            identity=Identity({"fqdn": desired.fqdn, **view}),
            explain=lambda error: _explain(desired, error),
        )

    def user_keys(self, spec: Mapping[str, Any], name: str) -> tuple[str, ...]:
        """The zone's key among its users' references (see the module's docstring)."""
        fqdn = spec.get("fqdn")
        if not isinstance(fqdn, str) or not fqdn:
            return ()
        try:
            dns_name = dns_name_of_zone(fqdn)
        except ValueError:
            return ()
        grid = str(spec.get("grid") or DEFAULT_GRID)
        return (zone_key(grid, str(spec.get("view") or "default"), dns_name),)

    def describe(self, obj: WapiObject) -> str:
        return f"zone {obj.get('fqdn')}"

    def status_fields(self, applied: Mapping[str, WapiObject | None]) -> dict[str, Any]:
        zone = actual_zone(applied["ref"] or {})
        return {
            "ref": zone.ref,
            "fqdn": zone.fqdn,
            "zoneFormat": zone.zone_format,
            "view": zone.view,
            "nsGroup": zone.ns_group,
        }

    def synced_message(self, spec: ZoneSpec, primary: WapiObject) -> str:
        return f"zone {primary.get('fqdn')} is in sync with Infoblox"

    def deletion_targets(self, spec: Mapping[str, Any], status: Mapping[str, Any]) -> list[Target]:
        """From the spec's view, else the status's; the status ref when known."""
        view = spec.get("view") or status.get("view") or "default"
        if not status.get("ref") and not _valid_fqdn(spec.get("fqdn")):
            return []  # never synced, and nothing to search for: nothing can be ours
        return [Target(ZONE_OBJTYPE, status.get("ref"), {"view": str(view)})]


def _valid_fqdn(fqdn: object) -> bool:
    if not isinstance(fqdn, str) or not fqdn:
        return False
    try:
        normal_zone_fqdn(fqdn)
    except ValueError:
        return False
    return True


def _explain(desired: DesiredZone, error: Exception) -> Exception:
    """A name server group that does not exist is named, like a missing parent."""
    if isinstance(error, NotFoundError) and "name server group" in error.text.lower():
        return SyncRefused(
            Reason.PARENT_NOT_FOUND,
            f"spec.nsGroup: no name server group {desired.ns_group!r} in Infoblox: create it "
            f"there, or correct spec.nsGroup (Infoblox: {error.text})",
        )
    return error


DRIVER = ZoneDriver()

__all__ = ["DRIVER", "KIND", "zone_key", "zone_keys_of_name"]
