"""Every error the simulator sends, in one table, shaped exactly as NIOS sends it.

NIOS answers a failed WAPI call with a JSON body ``{"Error", "code", "text"}``. The ``Error``
string wraps the human ``text`` in an envelope that depends on the error class (spec §6)::

    proto     400  Client.Ibap.Proto               AdmConProtoError: <text>
    json      400  Client.Ibap.Proto.JSONDecoding  AdmConProtoError: <text>
    data      400  Client.Ibap.Data                AdmConDataError: None (IBDataError:
                                                   IB.Data:<text>)
    conflict  400  Client.Ibap.Data.Conflict       AdmConDataError: None (IBDataConflictError:
                                                   IB.Data.Conflict:<text>)
    notfound  404  Client.Ibap.Data.NotFound       AdmConDataNotFoundError: <text>

``MESSAGES`` maps a short key to (class, text template). Keys whose text comes from real
appliance output or documentation are marked [V]/[C] in the spec; the rest are [U] choices of
this simulator and are listed in ``README.md``. Code raises ``fail("key", **params)``; nothing
else builds an error body, so a text can only come from this table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

__all__ = ["CLASSES", "MESSAGES", "WapiError", "fail"]


@dataclass(frozen=True, slots=True)
class ErrorClass:
    status: int
    code: str
    envelope: str  # format string with {text}


CLASSES: Final[dict[str, ErrorClass]] = {
    "proto": ErrorClass(400, "Client.Ibap.Proto", "AdmConProtoError: {text}"),
    "json": ErrorClass(400, "Client.Ibap.Proto.JSONDecoding", "AdmConProtoError: {text}"),
    "data": ErrorClass(
        400, "Client.Ibap.Data", "AdmConDataError: None (IBDataError: IB.Data:{text})"
    ),
    "conflict": ErrorClass(
        400,
        "Client.Ibap.Data.Conflict",
        "AdmConDataError: None (IBDataConflictError: IB.Data.Conflict:{text})",
    ),
    "notfound": ErrorClass(404, "Client.Ibap.Data.NotFound", "AdmConDataNotFoundError: {text}"),
}

# key: (class, text template). [U] marks a simulator choice (no real text known).
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    # --- protocol errors
    "too_large": ("proto", "Result set too large (> {limit})"),
    "unknown_type": ("proto", "Unknown object type ({objtype})"),
    "unknown_field": ("proto", "Unknown argument/field: '{field}'"),
    "unknown_argument": ("proto", "Unknown argument: {arg}="),
    "not_searchable": ("proto", "Field is not searchable: {field}"),
    "bad_modifier": (  # [U]
        "proto",
        "Search modifier '{modifier}' is not allowed for field: {field}",
    ),
    "not_readable": ("proto", "Field is not readable: {field}"),
    "not_writable": ("proto", "Field is not writable: {field}"),
    "missing_field": ("proto", "field for create missing: {field}"),
    "bad_type": ("proto", "Invalid value for {field}: {value}: Must be {kind} type"),
    "bad_value": ("proto", "Invalid value for {field}: {value}: {reason}"),  # [U] reasons
    "unknown_ea": ("proto", "Unknown extensible attribute: {name}"),
    "paging_needs_object": ("proto", "_return_as_object needs to be enabled for paging requests."),
    "paging_on_ref": ("proto", "Paging is not supported for object reference read operations"),
    "bad_page_id": ("proto", "Invalid page id: {page_id}"),  # [U]
    "bad_page_size": ("proto", "Invalid value for _max_results: {value}"),  # [U]
    "function_method": ("proto", "Function {function} illegal with this method"),
    "unknown_function": ("proto", "Function {function} is not valid for this object"),  # [U]
    "no_unique_network": ("proto", "{arg} does not match any unique networks/ranges ({field})"),
    "no_search_result": (
        "proto",
        "The search parameters {params} for object {objtype} did not return any result",
    ),
    "bad_request_body": ("proto", "{reason}"),  # [U] multi-request shape errors
    "read_only_type": ("proto", "Operation {method} not allowed for {objtype}"),  # [U]
    "bad_json": ("json", "JSON Decoding: {reason}"),
    # --- data errors
    "no_free_ip": ("data", "Cannot find {num} available IP address(es) in this network."),
    "no_free_network": ("data", "Can not find requested number of networks"),  # [U] envelope
    "cannot_delete_default": ("data", "The default {what} cannot be deleted."),  # [U]
    # --- conflicts
    "record_exists": ("conflict", "The record '{name}' already exists."),
    "network_exists": (
        "conflict",
        "The network {network} already exists.  Select another network.",
    ),
    "no_parent": ("conflict", "The action is not allowed. A parent was not found."),
    "apex_cname": ("conflict", "Zone '{zone}' cannot have an empty CNAME."),
    "encloses_networks": (  # [U]
        "conflict",
        "The network {network} would contain existing networks. "
        "Create a network container instead.",
    ),
    "object_exists": ("conflict", "The {what} '{name}' already exists."),  # [U] views, zones
    "range_overlap": (  # [U]
        "conflict",
        "The range {start}-{end} overlaps an existing range.",
    ),
    "address_in_use": (  # [U] fixed address on a used address
        "conflict",
        "The IP address {address} is already in use.",
    ),
    "mac_in_use": (  # [U] two reservations for one client in one network
        "conflict",
        "The fixed address {other} already has the MAC address {mac} in network {network}.",
    ),
    "ea_in_use": ("conflict", "The extensible attribute '{name}' is in use."),  # [U]
    "nsgroup_in_use": (  # [U]
        "conflict",
        "The name server group '{name}' is assigned to zone {zone} and cannot be deleted.",
    ),
    # --- not found
    "ref_not_found": ("notfound", "Reference {ref} not found"),
    "view_not_found": ("notfound", "View {name} not found"),
    "netview_not_found": ("notfound", "Network view {name} not found"),  # [U]
    "nsgroup_not_found": ("notfound", "Name server group {name} not found"),  # [U]
}


class WapiError(Exception):
    """An error answered to the client as NIOS would: status plus {"Error","code","text"}."""

    def __init__(self, status: int, code: str, error: str, text: str) -> None:
        super().__init__(error)
        self.status = status
        self.code = code
        self.error = error
        self.text = text

    def body(self) -> str:
        # NIOS lays error bodies out with this exact indentation (spec §2 Response formatting).
        dump = json.dumps
        return (
            f'{{ "Error": {dump(self.error)}, \n  "code": {dump(self.code)}, \n'
            f'  "text": {dump(self.text)}\n}}'
        )

    def as_dict(self) -> dict[str, str]:
        return {"Error": self.error, "code": self.code, "text": self.text}


def fail(key: str, **params: object) -> WapiError:
    """Build the error for ``key`` from the table; raise the result."""
    cls_name, template = MESSAGES[key]
    cls = CLASSES[cls_name]
    text = template.format(**params)
    return WapiError(cls.status, cls.code, cls.envelope.format(text=text), text)
