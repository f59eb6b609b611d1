"""Planning for ``DHCPRange``: what to do in Infoblox so that a range matches a spec.

Decision table of ``plan_dhcp_range`` (first matching row wins):

==================  ======================================  ======================================
found in Infoblox   condition                               action
==================  ======================================  ======================================
no                  -                                       Create (markers + spec fields)
yes                 network view differs from the spec      Refuse ImmutableField
yes                 FOREIGN markers (another resource)      Refuse Conflict
yes                 no markers, adopt false                 Refuse NotOwned
yes                 no markers, adopt true                  Update (adopting): markers + fields
yes                 ours, fields differ                     Update (only what differs: start,
                                                            end, comment): resized in place
yes                 ours, all equal                         NoChange
==================  ======================================  ======================================

A range someone else made is found by its start and end in the network view (``identity``).
One that merely overlaps is not ours to find: Infoblox refuses the create (``Conflict``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ddisync.api.dhcp_range import DHCPRangeSpec
from ddisync.reconcile.changes import FieldChanges, change_existing, changed_fields
from ddisync.reconcile.ownership import Owner, ea_values, ea_wire
from ddisync.reconcile.plan import Action, Create

OBJTYPE = "range"
RANGE_FIELDS = ("start_addr", "end_addr", "network", "network_view", "comment", "extattrs")


@dataclass(frozen=True)
class DesiredRange:
    start: str
    end: str
    network_view: str
    comment: str
    extattrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ActualRange:
    ref: str
    start: str
    end: str
    network: str
    network_view: str
    comment: str
    extattrs: dict[str, str]


def desired_range(spec: DHCPRangeSpec) -> DesiredRange:
    return DesiredRange(
        start=spec.start,
        end=spec.end,
        network_view=spec.network_view,
        comment=spec.comment or "",
        extattrs=dict(spec.extensible_attributes),
    )


def actual_range(obj: Mapping[str, Any]) -> ActualRange:
    return ActualRange(
        ref=str(obj["_ref"]),
        start=str(obj.get("start_addr", "")),
        end=str(obj.get("end_addr", "")),
        network=str(obj.get("network", "")),
        network_view=str(obj.get("network_view", "default")),
        comment=str(obj.get("comment") or ""),
        extattrs=ea_values(obj.get("extattrs")),
    )


def _create(desired: DesiredRange, owner: Owner) -> Create:
    return Create(
        objtype=OBJTYPE,
        data={
            "start_addr": desired.start,
            "end_addr": desired.end,
            "network_view": desired.network_view,
            "comment": desired.comment,
            "extattrs": ea_wire({**desired.extattrs, **owner.markers()}),
        },
    )


def _field_changes(desired: DesiredRange, actual: ActualRange) -> FieldChanges:
    return changed_fields(
        (
            ("start_addr", desired.start, actual.start),
            ("end_addr", desired.end, actual.end),
            ("comment", desired.comment, actual.comment),
        )
    )


def plan_dhcp_range(
    desired: DesiredRange,
    actual: ActualRange | None,
    owner: Owner,
    *,
    adopt: bool,
    forget: Collection[str] = (),
) -> Action:
    """The one action that brings Infoblox to the spec (see the module's table)."""
    if actual is None:
        return _create(desired, owner)
    violation = None
    if actual.network_view != desired.network_view:
        violation = (
            f"spec.networkView is {desired.network_view!r} but the range lives in "
            f"{actual.network_view!r}; networkView is immutable: create a new DHCPRange instead"
        )
    return change_existing(
        actual.ref,
        what=f"range {actual.start}-{actual.end} in network view {actual.network_view}",
        immutable_violation=violation,
        field_changes=lambda: _field_changes(desired, actual),
        wanted_attributes=desired.extattrs,
        actual_attributes=actual.extattrs,
        owner=owner,
        adopt=adopt,
        forget=forget,
    )
