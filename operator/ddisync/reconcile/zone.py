"""Planning for ``Zone``: what to do in Infoblox so that it matches a spec.

Decision table of ``plan_zone`` (first matching row wins):

==================  ===================================  =========================================
found in Infoblox   condition                            action
==================  ===================================  =========================================
no                  -                                    Create (markers + spec fields)
yes                 fqdn/view differs from the spec      Refuse ImmutableField
yes                 FOREIGN markers (another resource)   Refuse Conflict
yes                 no markers, adopt false              Refuse NotOwned
yes                 no markers, adopt true               Update (adopting): markers + spec fields
yes                 ours, fields differ                  Update (only what differs)
yes                 ours, all equal                      NoChange
==================  ===================================  =========================================

Fields: ``comment`` ("" when absent) and ``ns_group`` (only when the spec names one: absent,
the zone's name servers are not ddisync's to change; see ``ddisync.api.zone``). Extensible
attributes as for Network.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ddisync.api.zone import ZoneSpec, normal_zone_fqdn, zone_format
from ddisync.reconcile.changes import FieldChanges, change_existing, changed_fields
from ddisync.reconcile.ownership import Owner, ea_values, ea_wire
from ddisync.reconcile.plan import Action, Create

ZONE_OBJTYPE = "zone_auth"
ZONE_FIELDS = ("fqdn", "view", "zone_format", "ns_group", "comment", "extattrs")


@dataclass(frozen=True)
class DesiredZone:
    fqdn: str  # lower-case name, or a canonical CIDR
    zone_format: str
    view: str
    ns_group: str | None
    comment: str
    extattrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ActualZone:
    ref: str
    fqdn: str
    zone_format: str
    view: str
    ns_group: str | None
    comment: str
    extattrs: dict[str, str]


def desired_zone(spec: ZoneSpec) -> DesiredZone:
    fqdn = normal_zone_fqdn(spec.fqdn)
    return DesiredZone(
        fqdn=fqdn,
        zone_format=zone_format(fqdn),
        view=spec.view,
        ns_group=spec.ns_group,
        comment=spec.comment or "",
        extattrs=dict(spec.extensible_attributes),
    )


def actual_zone(obj: Mapping[str, Any]) -> ActualZone:
    fqdn = str(obj.get("fqdn", ""))
    ns_group = obj.get("ns_group")
    return ActualZone(
        ref=str(obj["_ref"]),
        fqdn=normal_zone_fqdn(fqdn) if fqdn else "",
        zone_format=str(obj.get("zone_format") or "FORWARD"),
        view=str(obj.get("view", "default")),
        ns_group=str(ns_group) if ns_group else None,
        comment=str(obj.get("comment", "")),
        extattrs=ea_values(obj.get("extattrs")),
    )


def _create(desired: DesiredZone, owner: Owner) -> Create:
    data: dict[str, Any] = {
        "fqdn": desired.fqdn,
        "view": desired.view,
        "zone_format": desired.zone_format,
        "comment": desired.comment,
        "extattrs": ea_wire({**desired.extattrs, **owner.markers()}),
    }
    if desired.ns_group is not None:
        data["ns_group"] = desired.ns_group
    return Create(objtype=ZONE_OBJTYPE, data=data)


def _immutable_violation(desired: DesiredZone, actual: ActualZone) -> str | None:
    if actual.view != desired.view:
        return (
            f"spec.view is {desired.view!r} but the zone lives in view {actual.view!r}; view "
            "is immutable: create a new Zone instead"
        )
    if actual.fqdn != desired.fqdn:
        return (
            f"spec.fqdn is {desired.fqdn} but the zone in Infoblox is {actual.fqdn}; fqdn is "
            "immutable: create a new Zone instead"
        )
    return None


def _field_changes(desired: DesiredZone, actual: ActualZone) -> FieldChanges:
    """nsGroup only when the spec names one: left out, the zone's name servers stay."""
    group = () if desired.ns_group is None else (("ns_group", desired.ns_group, actual.ns_group),)
    return changed_fields((*group, ("comment", desired.comment, actual.comment)))


def plan_zone(
    desired: DesiredZone,
    actual: ActualZone | None,
    owner: Owner,
    *,
    adopt: bool,
    forget: Collection[str] = (),
) -> Action:
    """The one action that brings Infoblox to the spec (see the module's table)."""
    if actual is None:
        return _create(desired, owner)
    return change_existing(
        actual.ref,
        what=f"zone {actual.fqdn} in view {actual.view}",
        immutable_violation=_immutable_violation(desired, actual),
        field_changes=lambda: _field_changes(desired, actual),
        wanted_attributes=desired.extattrs,
        actual_attributes=actual.extattrs,
        owner=owner,
        adopt=adopt,
        forget=forget,
    )
