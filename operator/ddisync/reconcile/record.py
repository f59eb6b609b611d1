"""Planning for ``Record``: what to do in Infoblox so that it matches a spec.

Decision table of ``plan_record`` (first matching row wins):

==================  ========================================  ====================================
found in Infoblox   condition                                 action
==================  ========================================  ====================================
no                  -                                         Create (markers + spec fields; the
                                                              address may be allocated inline)
yes                 another object type (spec.type changed)   Refuse ImmutableField
yes                 another DNS view                          Refuse ImmutableField
yes                 addressFrom, no address in the Network    Refuse ImmutableField
yes                 FOREIGN markers (another resource)        Refuse Conflict
yes                 no markers, adopt false                   Refuse NotOwned
yes                 no markers, adopt true                    Update (adopting): markers + fields
yes                 ours, fields differ                       Update (only what differs)
yes                 ours, all equal                           NoChange
==================  ========================================  ====================================

Field by field (values normalised as in ``record_desired``):

- ``name`` differs: a rename, ``PUT name`` (NIOS answers with a new ref). A PTR that names its
  address is moved with ``ipv4addr``/``ipv6addr`` instead (NIOS derives the name).
- address: A/AAAA send ``ipv4addr``/``ipv6addr``; a Host gets exactly the spec's addresses
  (``address`` or ``addresses``; with ``addresses`` each with its ``mac`` and
  ``configure_for_dhcp``, with ``address`` those are left as they are): a family
  whose addresses differ is sent whole (WAPI replaces the list), the entries kept with their
  ``_ref``, so Infoblox keeps their sub-objects; a family that is equal is not sent.
- ``aliases`` (Host): compared as a set; absent in the spec means none. With ``addressFrom`` any
  address inside the Network is the right one: ddisync never allocates again, so an allocated
  address survives restarts and a lost status (the sync layer finds the record by marker).
- ``text`` compared as decoded text, written encoded (``record_txt``).
- ``ttl`` absent in the spec means "inherit": ``use_ttl: false``; present: ``ttl`` + ``use_ttl``.
- ``comment`` absent means "no comment"; extensible attributes as for Network: the spec's are
  set, others kept, names in ``forget`` removed, markers never removed.

The DNS conflicts NIOS reports on create (duplicate, CNAME clash, no parent zone) are mapped
to Conflict / ParentNotFound at the handler edge; nothing here predicts them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ddisync.api.meta import DeletionPolicy
from ddisync.api.record import RecordType
from ddisync.reconcile.changes import FieldChanges, change_existing, deletion
from ddisync.reconcile.ownership import (
    Owner,
    ea_wire,
)
from ddisync.reconcile.plan import (
    Action,
    Create,
    FieldChange,
)
from ddisync.reconcile.record_desired import (
    OBJTYPES,
    RETURN_FIELDS,
    ActualRecord,
    Allocation,
    DesiredRecord,
    HostAddressWant,
    actual_record,
    desired_record,
    normal_address,
    normal_mac,
    record_value,
    reverse_name,
)
from ddisync.reconcile.record_ns import claim_in
from ddisync.reconcile.record_txt import encode_txt

__all__ = [
    "OBJTYPES",
    "RETURN_FIELDS",
    "ActualRecord",
    "Allocation",
    "DesiredRecord",
    "actual_record",
    "desired_record",
    "identity_search",
    "plan_record",
    "plan_record_deletion",
    "record_value",
    "reverse_name",
    "same_identity",
]

# Plain fields compared as they are (names already lower-case on both sides).
_SCALARS = (
    "canonical",
    "mail_exchanger",
    "preference",
    "target",
    "port",
    "priority",
    "weight",
    "ptrdname",
    "ca_flag",
    "ca_tag",
    "ca_value",
)


def _ip_key(address: str) -> str:
    return "ipv4addr" if ipaddress.ip_address(address).version == 4 else "ipv6addr"


def _describe(desired: DesiredRecord) -> str:
    return f"{desired.type} record {desired.name} in view {desired.view}"


def _create(desired: DesiredRecord, owner: Owner) -> Create:
    data: dict[str, Any] = {
        "view": desired.view,
        "comment": desired.comment,
        "extattrs": ea_wire({**desired.extattrs, **owner.markers()}),
    }
    if desired.ttl is not None:
        data |= {"ttl": desired.ttl, "use_ttl": True}
    address = desired.address or (desired.allocation.function if desired.allocation else None)
    family = _family(desired)
    match desired.type:
        case RecordType.A | RecordType.AAAA:
            data |= {"name": desired.name, f"ipv{family}addr": address}
        case RecordType.HOST:
            # The host's A/AAAA and (with a reverse zone) PTR come from this flag.
            data |= {"name": desired.name, "configure_for_dns": True}
            if desired.host_addresses:
                for version in (4, 6):
                    items = [
                        _host_item(w, []) for w in desired.host_addresses if w.version == version
                    ]
                    if items:
                        data[f"ipv{version}addrs"] = items
            else:  # allocated inside the create call
                data[f"ipv{family}addrs"] = [{f"ipv{family}addr": address}]
            if desired.aliases:
                data["aliases"] = list(desired.aliases)
        case RecordType.PTR if desired.address is not None:
            # NIOS derives the reverse name from the address (as the official clients send it).
            data |= {_ip_key(desired.address): desired.address, "ptrdname": desired.ptrdname}
        case RecordType.TXT:
            data |= {"name": desired.name, "text": encode_txt(desired.text or "")}
        case _:
            data["name"] = desired.name
            data |= {
                key: getattr(desired, key) for key in _SCALARS if getattr(desired, key) is not None
            }
    return Create(objtype=desired.objtype, data=data)


def _family(desired: DesiredRecord) -> int:
    if desired.address is not None:
        return ipaddress.ip_address(desired.address).version
    if desired.allocation is not None:
        return desired.allocation.version
    return 6 if desired.type is RecordType.AAAA else 4


def _kept_address(desired: DesiredRecord, actual: ActualRecord) -> str | None:
    """The address the record should have: the spec's, or the one allocated earlier."""
    if desired.address is not None:
        return desired.address
    if desired.allocation is not None:
        return next((a for a in actual.addresses if desired.allocation.holds(a)), None)
    return None


def _immutable_violation(desired: DesiredRecord, actual: ActualRecord) -> str | None:
    if actual.objtype != desired.objtype:
        return (
            f"spec.type is {desired.type} but the Infoblox object {actual.ref} is a "
            f"{actual.objtype}; type is immutable: create a new Record instead"
        )
    if actual.view != desired.view:
        return (
            f"spec.view is {desired.view!r} but the record lives in view {actual.view!r}; "
            "view is immutable: create a new Record instead"
        )
    if actual.text is not None and claim_in(actual.text) is not None:
        return (
            f"spec.type is {desired.type} but the Infoblox object {actual.ref} is the claim of "
            "an NS record; type is immutable: create a new Record instead"
        )
    if desired.allocation is not None and _kept_address(desired, actual) is None:
        return (
            f"spec.addressFrom: the record's address {', '.join(actual.addresses) or '(none)'} "
            f"is outside the Network's {desired.allocation.cidr}; ddisync never allocates a "
            "second address: set spec.address to move the record, or create a new Record"
        )
    return None


def _item_version(item: Mapping[str, Any]) -> int:
    return 4 if "ipv4addr" in item else 6


def _as_want(item: Mapping[str, Any]) -> HostAddressWant:
    """A host address item as read, in the desired form (to compare)."""
    version = _item_version(item)
    mac = item.get("mac")
    return HostAddressWant(
        normal_address(str(item.get(f"ipv{version}addr", ""))),
        normal_mac(mac) if isinstance(mac, str) and mac else None,
        item.get("configure_for_dhcp") is True,
    )


def _host_wants(desired: DesiredRecord, actual: ActualRecord) -> tuple[HostAddressWant, ...]:
    """The Host's addresses: the spec's, or the one allocated earlier."""
    if desired.host_addresses:
        return desired.host_addresses
    kept = _kept_address(desired, actual)
    return (HostAddressWant(kept),) if kept is not None else ()


def _comparable(want: HostAddressWant, dhcp: bool) -> HostAddressWant:
    """What is compared of an address: all of it, or (``dhcp`` False) the address alone."""
    return want if dhcp else HostAddressWant(want.address)


def _host_item(
    want: HostAddressWant, have: Sequence[Mapping[str, Any]], dhcp: bool = True
) -> dict[str, Any]:
    """The WAPI item of one wanted host address; with the ref of the item it already is, and
    (``dhcp`` False: not the spec's to say) that item's mac and DHCP setting."""
    key = f"ipv{want.version}addr"
    item: dict[str, Any] = {key: want.address}
    was_dhcp = False
    for old in have:
        if _as_want(old).address == want.address and isinstance(old.get("_ref"), str):
            item = {"_ref": old["_ref"], **item}
            was_dhcp = old.get("configure_for_dhcp") is True
            if not dhcp:
                kept = ("mac", "configure_for_dhcp")
                return {**item, **{k: old[k] for k in kept if k in old}}
    if want.mac is not None:
        item["mac"] = want.mac
    if want.configure_for_dhcp or was_dhcp:  # NIOS's default is false: sent to change it
        item["configure_for_dhcp"] = want.configure_for_dhcp
    return item


def _host_text(wants: Sequence[HostAddressWant]) -> str | None:
    """Host addresses in a diff: ``10.1.0.5 (mac 00:50:56:aa:bb:cc, DHCP), 2001:db8::5``."""
    texts = []
    for want in wants:
        extra = [f"mac {want.mac}"] if want.mac else []
        extra += ["DHCP"] if want.configure_for_dhcp else []
        texts.append(f"{want.address} ({', '.join(extra)})" if extra else want.address)
    return ", ".join(texts) or None


def _address_changes(desired: DesiredRecord, actual: ActualRecord) -> dict[str, Any]:
    if desired.type is RecordType.HOST:
        if not _host_wants(desired, actual):
            return {}  # an allocated address gone: _immutable_violation says so
        data: dict[str, Any] = {}
        for version in (4, 6):
            have = [i for i in actual.host_items if _item_version(i) == version]
            want = [w for w in _host_wants(desired, actual) if w.version == version]
            dhcp = desired.host_dhcp
            if {_comparable(_as_want(i), dhcp) for i in have} != {
                _comparable(w, dhcp) for w in want
            }:
                # The whole list, as WAPI replaces it; entries kept are sent with their ref
                # and settings as they are, so only the address added or removed changes.
                data[f"ipv{version}addrs"] = [_host_item(w, have, dhcp) for w in want]
        if actual.configure_for_dns is False:
            data["configure_for_dns"] = True
        return data
    wanted = _kept_address(desired, actual)
    if wanted is not None and actual.addresses != (wanted,):
        return {_ip_key(wanted): wanted}
    return {}


def _field_changes(desired: DesiredRecord, actual: ActualRecord) -> FieldChanges:
    data: dict[str, Any] = {}
    changes: list[FieldChange] = []
    address_data = _address_changes(desired, actual)
    if address_data and desired.type is RecordType.HOST:
        dhcp = desired.host_dhcp
        have = _host_text([_comparable(_as_want(item), dhcp) for item in actual.host_items])
        wanted = _host_text([_comparable(w, dhcp) for w in _host_wants(desired, actual)])
        changes.append(FieldChange("addresses", have, wanted))
        data |= address_data
    elif address_data:
        changes.append(
            FieldChange(
                "address", ", ".join(actual.addresses) or None, _kept_address(desired, actual)
            )
        )
        data |= address_data
    if desired.type is RecordType.HOST and desired.aliases != actual.aliases:
        changes.append(
            FieldChange(
                "aliases", ", ".join(actual.aliases) or None, ", ".join(desired.aliases) or None
            )
        )
        data["aliases"] = list(desired.aliases)
    renamed_by_address = desired.type is RecordType.PTR and desired.address is not None
    if actual.name != desired.name and not renamed_by_address:
        changes.append(FieldChange("name", actual.name, desired.name))
        data["name"] = desired.name
    for key in _SCALARS:
        wanted, have = getattr(desired, key), getattr(actual, key)
        if wanted is not None and wanted != have:
            changes.append(FieldChange(key, _text(have), _text(wanted)))
            data[key] = wanted
    if desired.text is not None and desired.text != actual.text:
        changes.append(FieldChange("text", actual.text, desired.text))
        data["text"] = encode_txt(desired.text)
    if desired.ttl != actual.ttl:
        changes.append(FieldChange("ttl", _text(actual.ttl), _text(desired.ttl)))
        data |= {"use_ttl": False} if desired.ttl is None else {"ttl": desired.ttl, "use_ttl": True}
    if actual.comment != desired.comment:
        changes.append(FieldChange("comment", actual.comment, desired.comment))
        data["comment"] = desired.comment
    return data, changes


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def plan_record(
    desired: DesiredRecord,
    actual: ActualRecord | None,
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
        what=_describe(desired),
        immutable_violation=_immutable_violation(desired, actual),
        field_changes=lambda: _field_changes(desired, actual),
        wanted_attributes=desired.extattrs,
        actual_attributes=actual.extattrs,
        owner=owner,
        adopt=adopt,
        forget=forget,
    )


def plan_record_deletion(
    actual: ActualRecord | None, owner: Owner, policy: DeletionPolicy
) -> Action | None:
    """What deleting the resource does to one of its Infoblox objects (the record or its PTR);
    ``None`` when there is nothing to do. Objects that are not ours are never touched.
    """
    return None if actual is None else deletion(actual.ref, actual.extattrs, owner, policy)


def identity_search(desired: DesiredRecord) -> dict[str, str] | None:
    """WAPI search arguments for an existing record that *is* this one (to adopt or refuse),
    or ``None`` when only the ownership marker can find it (an allocated address).

    Types that allow several records per name are narrowed by their value (A/AAAA by address,
    MX by mail exchanger, SRV by target, PTR by ptrdname, CAA by value, then its tag with
    ``same_identity``, as tags match case-insensitively); TXT by name only, so the caller
    keeps the results for which ``same_identity`` holds (WAPI's ``text`` is quoted).
    """
    view = {"view": desired.view}
    match desired.type:
        case RecordType.A | RecordType.AAAA:
            if desired.address is None:
                return None
            return {"name": desired.name, _ip_key(desired.address): desired.address, **view}
        case RecordType.PTR:
            where = (
                {_ip_key(desired.address): desired.address}
                if desired.address is not None
                else {"name": desired.name}
            )
            return {**where, "ptrdname": desired.ptrdname or "", **view}
        case RecordType.MX:
            return {"name": desired.name, "mail_exchanger": desired.mail_exchanger or "", **view}
        case RecordType.SRV:
            return {"name": desired.name, "target": desired.target or "", **view}
        case RecordType.CAA:  # several per name: one CA each; the flags may be updated
            return {"name": desired.name, "ca_value": desired.ca_value or "", **view}
        case RecordType.HOST if desired.allocation is not None:
            return None
        case _:  # Host, CNAME (one per name), TXT (filtered by same_identity)
            return {"name": desired.name, **view}


def same_identity(desired: DesiredRecord, actual: ActualRecord) -> bool:
    """Whether a search result from ``identity_search`` is this record rather than a sibling."""
    if desired.type is RecordType.TXT:
        return actual.name == desired.name and actual.text == desired.text
    if desired.type is RecordType.SRV:
        return actual.name == desired.name and actual.port == desired.port
    if desired.type is RecordType.CAA:
        return actual.ca_tag == desired.ca_tag
    return True
