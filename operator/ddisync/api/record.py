"""The ``Record`` kind: one DNS record (A, AAAA, CNAME, PTR, TXT, MX, SRV, CAA or Host) in
Infoblox.

Every rule exists twice: as CEL in the CRD (the API server refuses a bad manifest) and as
pydantic validation here (what the operator enforces when the API server did not, e.g. an old
CRD or a cluster without CEL). The CEL rules are plain CEL (``has``, ``in``, ``matches``) so
that cel-python evaluates them in the tests; the IPv6 check in CEL is a shape check only (hex
digits, colons, dots), the model parses the address fully. The syntax both use is in
``ddisync.api.syntax``; what each type takes, and the CEL rules on the whole spec, in
``ddisync.api.record_rules``. Their public names are importable from here too.

Decisions (the contract users see):

- **Names** are accepted in any case and without a trailing dot. DNS is case-insensitive and
  NIOS stores names lower-case, so ddisync sends them lower-case and compares them
  case-insensitively: ``Web.Example.com`` never causes an update loop.
- **Underscores** are allowed where DNS uses them for service labels: SRV names (which must
  start ``_service._proto.``), TXT names (``_dmarc``, ``sel._domainkey``) and CNAME names and
  targets (``_acme-challenge``). Hostnames (A, AAAA, Host, MX, PTR and all other targets) are
  letters, digits and hyphens. A leading ``*.`` (wildcard) is allowed for A, AAAA, CNAME, TXT
  and MX names. Labels are at most 63 characters, names at most 253.
- **TXT** ``text`` is one logical string of printable ASCII, at most 4,096 characters (a
  4096-bit DKIM key fits). ddisync
  splits it into quoted character-strings of at most 255 characters for WAPI and compares the
  concatenation of what NIOS returns (see ``ddisync.reconcile.record_txt``).
- **createPTR** on A/AAAA makes ddisync manage a separate ``record:ptr``. A Host record's
  reverse mapping belongs to the host object itself (NIOS answers PTR queries for a host with
  ``configure_for_dns`` whenever a reverse zone exists), so for Host the flag is accepted and
  no separate object is managed.
- **CAA** (RFC 8659): ``flags`` (0-255; 128 is "critical"), ``tag`` (``issue``, ``issuewild``,
  ``iodef``, or another tag of letters and digits; compared case-insensitively, sent
  lower-case) and ``value`` (printable ASCII, as written: ``letsencrypt.org``,
  ``mailto:security@example.com``). Several CAA records may share a name; the same name, tag
  and value is the same record (``flags`` is updated in place).
- **Host** takes one ``address``, or ``addresses``: a list of IPv4 and IPv6 addresses, each
  with an optional ``mac`` and ``configureForDHCP`` (IPv4 only: DHCPv6 identifies clients by
  DUID, which ddisync does not manage), or ``addressFrom``. The entries are the host's
  addresses exactly: an entry without ``mac`` has none, ``configureForDHCP`` is false unless
  set (with a single ``address`` the MAC and DHCP setting in Infoblox are left alone).
  Adding or removing one address leaves the others' Infoblox sub-objects (their refs and DHCP
  settings) as they were. ``aliases`` are further names of the host (absent: none); they
  are names in DNS, so grants judge them like the host's name.
- **NS** (a delegation: ``name`` is the delegated name, ``nameserver`` the server, and
  ``addresses`` its glue addresses, IPv4 and IPv6 mixed, absent: none). NIOS keeps no TTL,
  comment or extensible attributes on NS records, so those fields are refused, and ownership is
  kept in a companion TXT record (``ddisync.reconcile.record_ns``). ``name`` and
  ``nameserver`` are immutable; ``addresses`` are updated in place.
- **type** and **view** are immutable; changing **name** renames the record in Infoblox.
"""

from __future__ import annotations

import re
from typing import Annotated, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ddisync.api.conditions import Condition
from ddisync.api.grid import grid_field
from ddisync.api.meta import (
    Comment,
    DeletionPolicy,
    ExtensibleAttributes,
    Model,
    ViewName,
    adopt_field,
    deletion_policy_field,
    immutable,
)
from ddisync.api.record_rules import (
    ADDRESS_TYPES,
    CLAIM_PREFIX,
    NAME_SYNTAX,
    NO_COMMON_FIELDS,
    RECORD_SPEC_RULES,
    RESERVED_NAME,
    TARGET_SYNTAX,
    TYPES_USING_FIELD,
    RecordType,
    not_on_ns,
    refuse_if_unused,
    wire_name,
    with_article,
)
from ddisync.api.syntax import (
    CAA_TAG,
    HOSTNAME,
    IPV4,
    IPV6_SHAPE,
    K8S_NAME,
    MAC,
    MAX_CAA_VALUE,
    MAX_NAME,
    MAX_TEXT,
    MAX_TTL,
    PRINTABLE_ASCII,
    SERVICE_NAME,
    SRV_NAME,
    WILDCARD_HOSTNAME,
    WILDCARD_SERVICE_NAME,
    dns_name_problem,
    must_match,
    parse_address,
    same_name,
    text_problem,
)

__all__ = [
    "ADDRESS_TYPES",
    "HOSTNAME",
    "IPV4",
    "IPV6_SHAPE",
    "K8S_NAME",
    "MAX_NAME",
    "MAX_TEXT",
    "MAX_TTL",
    "PRINTABLE_ASCII",
    "RECORD_SPEC_RULES",
    "SERVICE_NAME",
    "SRV_NAME",
    "WILDCARD_HOSTNAME",
    "WILDCARD_SERVICE_NAME",
    "AddressFrom",
    "HostAddress",
    "NetworkRef",
    "RecordSpec",
    "RecordStatus",
    "RecordType",
    "dns_name_problem",
    "parse_address",
]


class NetworkRef(Model):
    name: str = Field(
        max_length=253,
        pattern=K8S_NAME,
        description="Name of a Network in the same namespace.",
    )


class AddressFrom(Model):
    """Allocate the next free address of a ``Network`` (inside the create call)."""

    network_ref: NetworkRef


HostName = Annotated[
    str,
    Field(
        max_length=MAX_NAME,
        json_schema_extra=must_match(
            HOSTNAME, message="spec.aliases must be hostnames (letters, digits, hyphens)"
        ),
    ),
]


class HostAddress(Model):
    """One address of a Host record, with its DHCP reservation."""

    address: str = Field(
        max_length=45,
        description="An IPv4 or IPv6 address.",
        json_schema_extra=must_match(
            IPV4, IPV6_SHAPE, message="spec.addresses[].address must be an IPv4 or IPv6 address"
        ),
    )
    mac: str | None = Field(
        None,
        description="IPv4: the MAC address of the host's interface (00:50:56:aa:bb:cc).",
        json_schema_extra=must_match(MAC, message="mac must be six hex pairs (00:50:56:aa:bb:cc)"),
    )
    configure_for_dhcp: bool = Field(
        False,
        alias="configureForDHCP",
        description="IPv4: serve this address to the MAC by DHCP (a reservation); needs mac.",
    )

    @field_validator("address")
    @classmethod
    def _an_address(cls, value: str) -> str:
        parse_address(value)
        return value

    @field_validator("mac")
    @classmethod
    def _a_mac(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(MAC.strip("^$"), value):
            raise ValueError(f"{value!r} must be six hex pairs, e.g. 00:50:56:aa:bb:cc")
        return value

    @model_validator(mode="after")
    def _dhcp_needs_ipv4_and_mac(self) -> Self:
        v6 = parse_address(self.address).version == 6
        if v6 and (self.mac is not None or self.configure_for_dhcp):
            raise ValueError(
                f"{self.address}: mac and configureForDHCP are for IPv4 addresses (DHCPv6 "
                "identifies clients by DUID, which ddisync does not manage)"
            )
        if self.configure_for_dhcp and self.mac is None:
            raise ValueError(f"{self.address}: configureForDHCP needs a mac")
        return self


class RecordSpec(Model):
    """Desired state of one DNS record. Which fields apply depends on ``type``."""

    # Immutable through RECORD_SPEC_RULES: the CRD generator inlines an enum's $ref and keeps
    # no rule written beside it.
    type: RecordType = Field(description="Record type. Immutable.")
    grid: str = grid_field("Record")
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
        json_schema_extra=must_match(
            IPV4, IPV6_SHAPE, message="spec.address must be an IPv4 or IPv6 address"
        ),
    )
    addresses: list[HostAddress] | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="Host: its addresses, IPv4 and IPv6 mixed, each with an optional mac and "
        "configureForDHCP (instead of address). NS: the name server's glue addresses (no mac "
        "nor configureForDHCP; absent: none).",
    )
    aliases: list[HostName] | None = Field(
        None,
        max_length=64,
        description="Host: further names of the host (absent: none).",
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
        json_schema_extra=must_match(
            WILDCARD_SERVICE_NAME,
            message="spec.name must be a DNS name: labels of letters, digits, hyphens, underscores",
        ),
    )
    canonical: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="CNAME: the name the alias points to.",
        json_schema_extra=must_match(
            SERVICE_NAME,
            message="spec.canonical must be a DNS name: labels of letters, digits, hyphens, "
            "underscores",
        ),
    )
    text: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_TEXT,
        description="TXT: the text, one string of printable ASCII as resolvers return it "
        "joined; ddisync splits it into 255-character strings for DNS. No quotes needed.",
        json_schema_extra=must_match(
            PRINTABLE_ASCII,
            message="spec.text must be printable ASCII (no control or non-ASCII characters)",
        ),
    )
    mail_exchanger: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="MX: the mail server's hostname.",
        json_schema_extra=must_match(HOSTNAME, message="spec.mailExchanger must be a hostname"),
    )
    preference: int | None = Field(
        None, ge=0, le=65535, description="MX: preference, lower is preferred."
    )
    target: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="SRV: the target host.",
        json_schema_extra=must_match(HOSTNAME, message="spec.target must be a hostname"),
    )
    port: int | None = Field(None, ge=0, le=65535, description="SRV: the port.")
    priority: int | None = Field(None, ge=0, le=65535, description="SRV: priority.")
    weight: int | None = Field(None, ge=0, le=65535, description="SRV: weight.")
    ptrdname: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="PTR: the name the address points back to.",
        json_schema_extra=must_match(HOSTNAME, message="spec.ptrdname must be a hostname"),
    )
    flags: int | None = Field(
        None, ge=0, le=255, description="CAA: the flags octet (0, or 128: issuer critical)."
    )
    tag: str | None = Field(
        None,
        max_length=15,
        description="CAA: the property tag: issue, issuewild, iodef, ...",
        json_schema_extra=must_match(
            CAA_TAG, message="spec.tag must be letters and digits (issue, issuewild, iodef)"
        ),
    )
    value: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_CAA_VALUE,
        description="CAA: the property value, e.g. letsencrypt.org or mailto:security@example.com.",
        json_schema_extra=must_match(PRINTABLE_ASCII, message="spec.value must be printable ASCII"),
    )
    nameserver: str | None = Field(
        None,
        max_length=MAX_NAME,
        description="NS: the name server the delegated name (spec.name) points to. Immutable.",
        json_schema_extra=must_match(HOSTNAME, message="spec.nameserver must be a hostname"),
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
    deletion_policy: DeletionPolicy = deletion_policy_field("record")
    adopt: bool = adopt_field("record")

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
            raise ValueError(f"is not used by {with_article(kind)} record")
        if kind is RecordType.A and address.version != 4:
            raise ValueError(f"an A record needs an IPv4 address, not {value!r} (use AAAA)")
        if kind is RecordType.AAAA and address.version != 6:
            raise ValueError(f"an AAAA record needs an IPv6 address, not {value!r} (use A)")
        return value

    @field_validator("addresses")
    @classmethod
    def _host_addresses(
        cls, value: list[HostAddress] | None, info: ValidationInfo
    ) -> list[HostAddress] | None:
        kind = info.data.get("type")
        if value is None or kind is None:
            return value
        if kind not in (RecordType.HOST, RecordType.NS):
            raise ValueError(f"is not used by {with_article(kind)} record (only Host and NS)")
        if info.data.get("address") is not None:
            raise ValueError("set exactly one of spec.address and spec.addresses, not both")
        seen: set[str] = set()
        for entry in value:
            if kind is RecordType.NS and (entry.mac is not None or entry.configure_for_dhcp):
                raise ValueError(
                    f"{entry.address}: an NS record's addresses are its glue addresses; "
                    "remove mac and configureForDHCP"
                )
            address = str(parse_address(entry.address))
            if address in seen:
                raise ValueError(f"{entry.address} is listed twice")
            seen.add(address)
        return value

    @field_validator("aliases")
    @classmethod
    def _host_aliases(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        kind = info.data.get("type")
        if value is None or kind is None:
            return value
        if kind is not RecordType.HOST:
            raise ValueError(f"is not used by {with_article(kind)} record (only Host)")
        seen: set[str] = set()
        for alias in value:
            problem = dns_name_problem(alias, HOSTNAME, "a hostname (letters, digits, hyphens)")
            if problem:
                raise ValueError(problem)
            if alias.lower().rstrip(".") in seen:
                raise ValueError(f"{alias!r} is listed twice")
            seen.add(alias.lower().rstrip("."))
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
            raise ValueError(f"is not used by {with_article(kind)} record (only A, AAAA and Host)")
        if info.data.get("address") is not None:
            raise ValueError("set exactly one of spec.address and spec.addressFrom, not both")
        if info.data.get("addresses") is not None:
            raise ValueError("set exactly one of spec.addresses and spec.addressFrom, not both")
        return value

    @field_validator("name")
    @classmethod
    def _name_fits_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = info.data.get("type")
        if value is None or kind is None:
            return value
        pattern, wanted = NAME_SYNTAX[kind]
        problem = dns_name_problem(value, pattern, wanted)
        if problem:
            raise ValueError(problem)
        if value.lower().startswith(CLAIM_PREFIX):
            raise ValueError(RESERVED_NAME)
        address = info.data.get("address")
        if kind is RecordType.PTR and address is not None:
            reverse = parse_address(address).reverse_pointer
            if value.lower() != reverse:
                raise ValueError(
                    f"{value!r} is not the reverse name of spec.address {address} ({reverse}); "
                    "give one of the two"
                )
        return value

    @field_validator("canonical", "mail_exchanger", "target", "ptrdname", "nameserver")
    @classmethod
    def _target_name(cls, value: str | None, info: ValidationInfo) -> str | None:
        refuse_if_unused(value, info)
        if value is None:
            return value
        problem = dns_name_problem(value, *TARGET_SYNTAX[info.field_name or ""])
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("text")
    @classmethod
    def _printable_text(cls, value: str | None, info: ValidationInfo) -> str | None:
        refuse_if_unused(value, info)
        if value is not None and (problem := text_problem(value)):
            raise ValueError(problem)
        return value

    @field_validator("flags", "tag", "value")
    @classmethod
    def _caa_field(cls, value: int | str | None, info: ValidationInfo) -> int | str | None:
        refuse_if_unused(value, info)
        tag = value if info.field_name == "tag" and isinstance(value, str) else None
        if tag is not None and not re.fullmatch(CAA_TAG.strip("^$"), tag):
            raise ValueError(f"{value!r} must be letters and digits (issue, issuewild, iodef)")
        if (
            info.field_name == "value"
            and isinstance(value, str)
            and (problem := text_problem(value))
        ):
            raise ValueError(problem)
        return value

    @field_validator("preference", "port", "priority", "weight")
    @classmethod
    def _number_used_by_type(cls, value: int | None, info: ValidationInfo) -> int | None:
        refuse_if_unused(value, info)
        return value

    @field_validator("ttl", "comment", "extensible_attributes")
    @classmethod
    def _not_on_ns(cls, value: object, info: ValidationInfo) -> object:
        kind = info.data.get("type")
        if value is not None and kind in NO_COMMON_FIELDS:
            raise ValueError(not_on_ns(wire_name(str(info.field_name))))
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
            f"spec.{wire_name(field)}"
            for field, types in TYPES_USING_FIELD.items()
            if kind in types and getattr(self, field) is None
        ]
        if missing:
            raise ValueError(f"{with_article(kind)} record needs {' and '.join(missing)}")
        given = self.address or self.address_from or self.addresses
        if kind in ADDRESS_TYPES and given is None:
            more = ", spec.addresses" if kind is RecordType.HOST else ""
            raise ValueError(
                f"{with_article(kind)} record needs spec.address{more} or spec.addressFrom"
            )
        if any(same_name(alias, self.name) for alias in self.aliases or ()):
            raise ValueError("spec.aliases: the host's own name is not an alias of it")
        if kind is RecordType.PTR and self.name is None and self.address is None:
            raise ValueError("a PTR record needs spec.name or spec.address")
        if kind is not RecordType.PTR and self.name is None:
            raise ValueError(f"{with_article(kind)} record needs spec.name")
        if kind is RecordType.CNAME and same_name(self.canonical, self.name):
            raise ValueError(
                "spec.canonical is the record's own name: a CNAME pointing to itself is a loop "
                "no resolver can follow"
            )
        return self


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
    claim_ref: str | None = Field(
        None,
        description="NS: the TXT record that says ddisync owns the NS record (_ref); NIOS "
        "keeps no extensible attributes on NS records.",
    )
    conditions: list[Condition] = Field(default_factory=list)
    observed_generation: int | None = Field(None, description="Generation last reconciled.")
    last_sync_time: str | None = Field(
        None,
        description="When Infoblox was last confirmed to match the spec.",
        json_schema_extra={"format": "date-time"},
    )
