"""The ``Record`` kind: one DNS record (A, AAAA, CNAME, PTR, TXT, MX, SRV or Host) in Infoblox.

Every rule below exists twice: as CEL in the CRD (the API server refuses a bad manifest) and
as pydantic validation here (what the operator enforces when the API server did not, e.g. an
old CRD or a cluster without CEL). The CEL rules are plain CEL (``has``, ``in``, ``matches``)
so that cel-python evaluates them in the tests; the IPv6 check in CEL is a shape check only
(hex digits, colons, dots), the model parses the address fully.

Decisions (the contract users see):

- **Names** are accepted in any case and without a trailing dot. DNS is case-insensitive and
  NIOS stores names lower-case, so ddisync sends them lower-case and compares them
  case-insensitively: ``Web.Example.com`` never causes an update loop.
- **Underscores** are allowed where DNS uses them for service labels: SRV names (which must
  start ``_service._proto.``), TXT names (``_dmarc``, ``sel._domainkey``) and CNAME names and
  targets (``_acme-challenge``). Hostnames (A, AAAA, Host, MX, PTR and all other targets) are
  letters, digits and hyphens. A leading ``*.`` (wildcard) is allowed for A, AAAA, CNAME, TXT
  and MX names. Labels are at most 63 characters, names at most 253.
- **TXT** ``text`` is one logical string of printable ASCII, at most 512 characters. ddisync
  splits it into quoted character-strings of at most 255 characters for WAPI and compares the
  concatenation of what NIOS returns (see ``ddisync.reconcile.record_txt``).
- **createPTR** on A/AAAA makes ddisync manage a separate ``record:ptr``. A Host record's
  reverse mapping belongs to the host object itself (NIOS answers PTR queries for a host with
  ``configure_for_dns`` whenever a reverse zone exists), so for Host the flag is accepted and
  no separate object is managed.
- **type** and **view** are immutable; changing **name** renames the record in Infoblox.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from typing import Self

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic.config import JsonDict

from ddisync.api.conditions import Condition
from ddisync.api.meta import (
    Comment,
    DeletionPolicy,
    ExtensibleAttributes,
    Model,
    ViewName,
    immutable,
)


class RecordType(StrEnum):
    A = "A"
    AAAA = "AAAA"
    CNAME = "CNAME"
    PTR = "PTR"
    TXT = "TXT"
    MX = "MX"
    SRV = "SRV"
    HOST = "Host"


ADDRESS_TYPES = frozenset({RecordType.A, RecordType.AAAA, RecordType.HOST})

# --- Syntax, written once for both pydantic (Python re) and CEL (RE2): no look-arounds. --------
_HOST_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_SERVICE_LABEL = r"[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_UNDERSCORE_LABEL = r"_[A-Za-z0-9]([A-Za-z0-9-]{0,60}[A-Za-z0-9])?"
HOSTNAME = rf"^{_HOST_LABEL}(\.{_HOST_LABEL})*$"
WILDCARD_HOSTNAME = rf"^(\*\.)?{_HOST_LABEL}(\.{_HOST_LABEL})*$"
SERVICE_NAME = rf"^{_SERVICE_LABEL}(\.{_SERVICE_LABEL})*$"
WILDCARD_SERVICE_NAME = rf"^(\*\.)?{_SERVICE_LABEL}(\.{_SERVICE_LABEL})*$"
SRV_NAME = rf"^{_UNDERSCORE_LABEL}\.{_UNDERSCORE_LABEL}\.{_HOST_LABEL}(\.{_HOST_LABEL})*$"
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = rf"^{_OCTET}(\.{_OCTET}){{3}}$"
IPV6_SHAPE = r"^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$"
PRINTABLE_ASCII = r"^[ -~]*$"
K8S_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"

MAX_NAME = 253
MAX_TEXT = 512
MAX_TTL = 2**31 - 1

# What each type's name may look like, and how to say so.
_HOST_WANTED = "a hostname (letters, digits, hyphens)"
_WILD_HOST = (WILDCARD_HOSTNAME, "a hostname (letters, digits, hyphens; may start '*.')")
_WILD_SERVICE = (
    WILDCARD_SERVICE_NAME,
    "a DNS name (letters, digits, hyphens, underscores; may start '*.')",
)
_NAME_SYNTAX: dict[RecordType, tuple[str, str]] = {
    RecordType.A: _WILD_HOST,
    RecordType.AAAA: _WILD_HOST,
    RecordType.MX: _WILD_HOST,
    RecordType.HOST: (HOSTNAME, _HOST_WANTED),
    RecordType.PTR: (HOSTNAME, _HOST_WANTED),
    RecordType.CNAME: _WILD_SERVICE,
    RecordType.TXT: _WILD_SERVICE,
    RecordType.SRV: (SRV_NAME, "of the form _service._proto.domain (e.g. _sip._tcp.example.com)"),
}

_FIELD_OF_TYPE: dict[str, tuple[RecordType, ...]] = {
    "canonical": (RecordType.CNAME,),
    "text": (RecordType.TXT,),
    "mail_exchanger": (RecordType.MX,),
    "preference": (RecordType.MX,),
    "target": (RecordType.SRV,),
    "port": (RecordType.SRV,),
    "priority": (RecordType.SRV,),
    "weight": (RecordType.SRV,),
    "ptrdname": (RecordType.PTR,),
}
_WIRE_NAME = {"mail_exchanger": "mailExchanger"}
# CNAMEs may point at service names (_acme-challenge delegation); other targets name hosts.
_TARGET_SYNTAX: dict[str, tuple[str, str]] = {
    "canonical": (SERVICE_NAME, "a DNS name (letters, digits, hyphens, underscores)"),
    "mail_exchanger": (HOSTNAME, _HOST_WANTED),
    "target": (HOSTNAME, _HOST_WANTED),
    "ptrdname": (HOSTNAME, _HOST_WANTED),
}


def dns_name_problem(value: str, pattern: str = HOSTNAME, wanted: str = "a hostname") -> str | None:
    """Why ``value`` is not a valid name of the given syntax, or None when it is."""
    if len(value) > MAX_NAME:
        return f"is {len(value)} characters long; a DNS name has at most {MAX_NAME}"
    if re.fullmatch(pattern.strip("^$"), value):
        return None
    if value.endswith("."):
        return f"{value!r} must be written without the trailing dot"
    for label in value.split("."):
        if not label:
            return f"{value!r} has an empty label"
        if len(label) > 63:
            return f"{value!r} has a label longer than 63 characters ({label[:20]}...)"
        bad = "".join(
            sorted({c for c in label if not (c.isascii() and (c.isalnum() or c in "-_*"))})
        )
        if bad:
            return f"{value!r} contains characters not allowed in DNS names: {bad!r}"
    return f"{value!r} must be {wanted}"


def parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An IPv4 or IPv6 address as ddisync accepts it (no zones, no IPv4-mapped IPv6)."""
    if "%" in value:
        raise ValueError(f"{value!r}: an address with a zone (%...) cannot be in DNS")
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise ValueError(f"{value!r} is an IPv4-mapped IPv6 address; use an A record instead")
    return address


class NetworkRef(Model):
    name: str = Field(
        max_length=253,
        pattern=K8S_NAME,
        description="Name of a Network in the same namespace.",
    )


class AddressFrom(Model):
    """Allocate the next free address of a ``Network`` (inside the create call)."""

    network_ref: NetworkRef


_IMMUTABLE = "is immutable: create a new Record instead"


def _matches(pattern: str, message: str) -> JsonDict:
    """A CEL rule on a string field (CEL, not ``pattern``: it carries a readable message)."""
    return {
        "x-kubernetes-validations": [{"rule": f"self.matches('{pattern}')", "message": message}]
    }


class RecordSpec(Model):
    """Desired state of one DNS record. Which fields apply depends on ``type``."""

    # Immutable through RECORD_SPEC_RULES: the CRD generator inlines an enum's $ref and keeps
    # no rule written beside it.
    type: RecordType = Field(description="Record type. Immutable.")
    view: ViewName = Field(
        "default",
        description="Infoblox DNS view. Immutable.",
        json_schema_extra=immutable("view", "Record"),
    )
    address: str | None = Field(
        None,
        max_length=45,
        description="A: IPv4, AAAA: IPv6, Host: either; PTR: the address whose reverse name "
        "the record gets.",
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": f"self.matches('{IPV4}') || self.matches('{IPV6_SHAPE}')",
                    "message": "spec.address must be an IPv4 or IPv6 address",
                }
            ]
        },
    )
    address_from: AddressFrom | None = Field(
        None,
        description="A, AAAA, Host: take the next free address of a Network instead of "
        "naming one. The address stays the record's once allocated. Immutable.",
        json_schema_extra=immutable("addressFrom", "Record"),
    )
    name: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="Fully qualified name, without the trailing dot. Changing it renames the "
        "record. Optional only for a PTR record that gives an address.",
        json_schema_extra=_matches(
            WILDCARD_SERVICE_NAME,
            "spec.name must be a DNS name: labels of letters, digits, hyphens, underscores",
        ),
    )
    canonical: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="CNAME: the name the alias points to.",
        json_schema_extra=_matches(
            SERVICE_NAME,
            "spec.canonical must be a DNS name: labels of letters, digits, hyphens, underscores",
        ),
    )
    text: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_TEXT,
        description="TXT: the text, one string of printable ASCII as resolvers return it "
        "joined; ddisync splits it into 255-character strings for DNS. No quotes needed.",
        json_schema_extra=_matches(
            PRINTABLE_ASCII,
            "spec.text must be printable ASCII (no control or non-ASCII characters)",
        ),
    )
    mail_exchanger: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="MX: the mail server's hostname.",
        json_schema_extra=_matches(HOSTNAME, "spec.mailExchanger must be a hostname"),
    )
    preference: int | None = Field(
        None, ge=0, le=65535, description="MX: preference, lower is preferred."
    )
    target: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="SRV: the target host.",
        json_schema_extra=_matches(HOSTNAME, "spec.target must be a hostname"),
    )
    port: int | None = Field(None, ge=0, le=65535, description="SRV: the port.")
    priority: int | None = Field(None, ge=0, le=65535, description="SRV: priority.")
    weight: int | None = Field(None, ge=0, le=65535, description="SRV: weight.")
    ptrdname: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="PTR: the name the address points back to.",
        json_schema_extra=_matches(HOSTNAME, "spec.ptrdname must be a hostname"),
    )
    create_ptr: bool = Field(
        False,
        alias="createPTR",
        description="A, AAAA: also manage the reverse (PTR) record. Host: NIOS keeps a host's "
        "reverse mapping itself whenever a reverse zone exists.",
    )
    ttl: int | None = Field(
        None,
        ge=0,
        le=MAX_TTL,
        description="Time to live in seconds; absent: inherit the zone's.",
    )
    comment: Comment | None = Field(None, description="Comment on the Infoblox record.")
    extensible_attributes: ExtensibleAttributes = Field(default_factory=dict)
    deletion_policy: DeletionPolicy = Field(
        DeletionPolicy.DELETE,
        description="Delete: remove the Infoblox record with the resource. Retain: keep it.",
    )
    adopt: bool = Field(
        False,
        description="Take over an existing Infoblox record that ddisync does not own. "
        "Without it such a record gives Ready=False, reason NotOwned.",
    )

    # Each check runs on its own field, so errors read ``spec.<field>: ...``; a check may look
    # back at fields declared before it (info.data), which is absent when it failed itself.
    # What a type *requires* is checked last, on the whole spec: pydantic would report a
    # missing field under its Python name (mail_exchanger), not the one users write.

    @field_validator("address")
    @classmethod
    def _address_fits_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if value is None:
            return value
        address = parse_address(value)
        if kind is None:
            return value
        if kind not in (*ADDRESS_TYPES, RecordType.PTR):
            raise ValueError(f"is not used by {_a(kind)} record")
        if kind is RecordType.A and address.version != 4:
            raise ValueError(f"an A record needs an IPv4 address, not {value!r} (use AAAA)")
        if kind is RecordType.AAAA and address.version != 6:
            raise ValueError(f"an AAAA record needs an IPv6 address, not {value!r} (use A)")
        return value

    @field_validator("address_from")
    @classmethod
    def _one_address_source(
        cls, value: AddressFrom | None, info: ValidationInfo
    ) -> AddressFrom | None:
        kind = info.data.get("type")
        if value is None or kind is None:
            return value
        if kind not in ADDRESS_TYPES:
            raise ValueError(f"is not used by {_a(kind)} record (only A, AAAA and Host)")
        if info.data.get("address") is not None:
            raise ValueError("set exactly one of spec.address and spec.addressFrom, not both")
        return value

    @field_validator("name")
    @classmethod
    def _name_fits_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if value is None or kind is None:
            return value
        pattern, wanted = _NAME_SYNTAX[kind]
        problem = dns_name_problem(value, pattern, wanted)
        if problem:
            raise ValueError(problem)
        address = info.data.get("address")
        if kind is RecordType.PTR and address is not None:
            reverse = parse_address(address).reverse_pointer
            if value.lower() != reverse:
                raise ValueError(
                    f"{value!r} is not the reverse name of spec.address {address} ({reverse}); "
                    "give one of the two"
                )
        return value

    @field_validator("canonical", "mail_exchanger", "target", "ptrdname")
    @classmethod
    def _target_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        _used_by_type(value, info)
        if value is None:
            return value
        problem = dns_name_problem(value, *_TARGET_SYNTAX[info.field_name or ""])
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("text")
    @classmethod
    def _printable_text(cls, value: str | None, info: ValidationInfo) -> str | None:
        _used_by_type(value, info)
        if value is not None and not re.fullmatch(PRINTABLE_ASCII.strip("^$"), value):
            bad = sorted({repr(c) for c in value if not " " <= c <= "~"})
            raise ValueError(
                "must be printable ASCII: no control characters (newlines, tabs) and no "
                f"non-ASCII characters (found {', '.join(bad[:5])})"
            )
        return value

    @field_validator("preference", "port", "priority", "weight")
    @classmethod
    def _number_used_by_type(cls, value: int | None, info: ValidationInfo) -> int | None:
        _used_by_type(value, info)
        return value

    @field_validator("create_ptr")
    @classmethod
    def _ptr_for_addresses(cls, value: bool, info: ValidationInfo) -> bool:
        kind = info.data.get("type")
        if value and kind is not None and kind not in ADDRESS_TYPES:
            raise ValueError(f"is only for A, AAAA and Host records, not {kind}")
        return value

    @model_validator(mode="after")
    def _type_has_what_it_needs(self) -> Self:
        kind = self.type
        missing = [
            f"spec.{_WIRE_NAME.get(field, field)}"
            for field, types in _FIELD_OF_TYPE.items()
            if kind in types and getattr(self, field) is None
        ]
        if missing:
            raise ValueError(f"{_a(kind)} record needs {' and '.join(missing)}")
        if kind in ADDRESS_TYPES and self.address is None and self.address_from is None:
            raise ValueError(f"{_a(kind)} record needs spec.address or spec.addressFrom")
        if kind is RecordType.PTR and self.name is None and self.address is None:
            raise ValueError("a PTR record needs spec.name or spec.address")
        if kind is not RecordType.PTR and self.name is None:
            raise ValueError(f"{_a(kind)} record needs spec.name")
        return self


def _article(kind: str) -> str:
    return "an" if kind in ("A", "AAAA", "MX", "SRV") else "a"


def _a(kind: RecordType) -> str:
    """The article and the type: 'an A', 'a CNAME', 'an MX', 'an SRV'."""
    return f"{_article(kind)} {kind}"


def _used_by_type(value: object, info: ValidationInfo) -> None:
    """Refuse a field the record type does not use (canonical on an A record, ...)."""
    kind = info.data.get("type")
    types = _FIELD_OF_TYPE[info.field_name or ""]
    if value is not None and kind is not None and kind not in types:
        raise ValueError(f"is not used by {_a(kind)} record (only {', '.join(types)})")


def _exactly_for(field: str, kind: str) -> dict[str, str]:
    return {
        "rule": f"(self.type == '{kind}') == has(self.{field})",
        "message": f"spec.{field} is required for {kind} records and only for them",
    }


def _name_rule(types: tuple[str, ...], pattern: str, wanted: str) -> dict[str, str]:
    kinds = ", ".join(f"'{t}'" for t in types)
    return {
        "rule": f"!(self.type in [{kinds}]) || !has(self.name) || self.name.matches('{pattern}')",
        "message": f"spec.name of {_article(types[0])} {'/'.join(types)} record must be {wanted}",
    }


_ADDRESS_KINDS = "['A', 'AAAA', 'Host']"

# Rules on the whole spec, for the API server (the same rules are enforced above).
RECORD_SPEC_RULES: list[dict[str, str]] = [
    {"rule": "self.type == oldSelf.type", "message": f"type {_IMMUTABLE}"},
    {
        "rule": f"!(self.type in {_ADDRESS_KINDS}) || has(self.address) != has(self.addressFrom)",
        "message": "A, AAAA and Host records need exactly one of spec.address and spec.addressFrom",
    },
    {
        "rule": f"!has(self.addressFrom) || self.type in {_ADDRESS_KINDS}",
        "message": "spec.addressFrom is only for A, AAAA and Host records",
    },
    {
        "rule": "!has(self.address) || self.type in ['A', 'AAAA', 'Host', 'PTR']",
        "message": "spec.address is only for A, AAAA, Host and PTR records",
    },
    {
        "rule": f"self.type != 'A' || !has(self.address) || self.address.matches('{IPV4}')",
        "message": "spec.address of an A record must be an IPv4 address",
    },
    {
        "rule": (
            f"self.type != 'AAAA' || !has(self.address) || self.address.matches('{IPV6_SHAPE}')"
        ),
        "message": "spec.address of an AAAA record must be an IPv6 address",
    },
    {
        "rule": "has(self.name) || (self.type == 'PTR' && has(self.address))",
        "message": "spec.name is required (a PTR record may give spec.address instead)",
    },
    _name_rule(("A", "AAAA", "MX"), *_WILD_HOST),
    _name_rule(("Host", "PTR"), HOSTNAME, _HOST_WANTED),
    _name_rule(("CNAME", "TXT"), *_WILD_SERVICE),
    _name_rule(("SRV",), *_NAME_SYNTAX[RecordType.SRV]),
    *(_exactly_for(_WIRE_NAME.get(f, f), kinds[0]) for f, kinds in _FIELD_OF_TYPE.items()),
    {
        "rule": f"!has(self.createPTR) || !self.createPTR || self.type in {_ADDRESS_KINDS}",
        "message": "spec.createPTR is only for A, AAAA and Host records",
    },
]


class RecordStatus(Model):
    """What ddisync last saw and did."""

    ref: str | None = Field(None, description="The Infoblox object reference (_ref).")
    fqdn: str | None = Field(None, description="The record's name as Infoblox stores it.")
    address: str | None = Field(None, description="The address (given or allocated).")
    value: str | None = Field(
        None, description="The record's data in short: address, target, text, ..."
    )
    view: str | None = Field(None, description="The DNS view it lives in.")
    ptr_ref: str | None = Field(
        None, description="The reverse record ddisync manages for createPTR (_ref)."
    )
    conditions: list[Condition] = Field(default_factory=list)
    observed_generation: int | None = Field(None, description="Generation last reconciled.")
    last_sync_time: str | None = Field(
        None,
        description="When Infoblox was last confirmed to match the spec.",
        json_schema_extra={"format": "date-time"},
    )
