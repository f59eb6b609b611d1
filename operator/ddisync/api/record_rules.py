"""What each record type takes: its name syntax, the fields it requires and forbids.

The tables here feed both enforcers: the validators of ``RecordSpec`` (``ddisync.api.record``)
and ``RECORD_SPEC_RULES``, the CEL rules on the whole spec that the API server checks.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import ValidationInfo
from pydantic.alias_generators import to_camel

from ddisync.api.syntax import (
    HOSTNAME,
    IPV4,
    IPV6_SHAPE,
    SERVICE_NAME,
    SRV_NAME,
    WILDCARD_HOSTNAME,
    WILDCARD_SERVICE_NAME,
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
    CAA = "CAA"
    NS = "NS"


ADDRESS_TYPES = frozenset({RecordType.A, RecordType.AAAA, RecordType.HOST})
# NIOS keeps no TTL, comment or extensible attributes on these types (record:ns): spec fields
# naming them are refused rather than silently ignored.
NO_COMMON_FIELDS = frozenset({RecordType.NS})

# The first label of an NS record's claim (``reconcile.record_ns``): reserved, so that no
# Record (a TXT written to look like a claim) can make ddisync delete an NS record it names.
CLAIM_PREFIX = "_ddisync-ns-"
RESERVED_NAME = f"names whose first label starts with {CLAIM_PREFIX!r} are ddisync's own (the \
claims that own NS records): choose another name"

# What each type's name may look like, and how to say so.
_HOST_WANTED = "a hostname (letters, digits, hyphens)"
_WILD_HOST = (WILDCARD_HOSTNAME, "a hostname (letters, digits, hyphens; may start '*.')")
_WILD_SERVICE = (
    WILDCARD_SERVICE_NAME,
    "a DNS name (letters, digits, hyphens, underscores; may start '*.')",
)
NAME_SYNTAX: dict[RecordType, tuple[str, str]] = {
    RecordType.A: _WILD_HOST,
    RecordType.AAAA: _WILD_HOST,
    RecordType.MX: _WILD_HOST,
    RecordType.HOST: (HOSTNAME, _HOST_WANTED),
    RecordType.PTR: (HOSTNAME, _HOST_WANTED),
    RecordType.CNAME: _WILD_SERVICE,
    RecordType.TXT: _WILD_SERVICE,
    RecordType.SRV: (SRV_NAME, "of the form _service._proto.domain (e.g. _sip._tcp.example.com)"),
    RecordType.CAA: _WILD_HOST,
    RecordType.NS: (HOSTNAME, _HOST_WANTED),
}

# The spec fields only some types use (by Python name), and those types.
TYPES_USING_FIELD: dict[str, tuple[RecordType, ...]] = {
    "canonical": (RecordType.CNAME,),
    "text": (RecordType.TXT,),
    "mail_exchanger": (RecordType.MX,),
    "preference": (RecordType.MX,),
    "target": (RecordType.SRV,),
    "port": (RecordType.SRV,),
    "priority": (RecordType.SRV,),
    "weight": (RecordType.SRV,),
    "ptrdname": (RecordType.PTR,),
    "flags": (RecordType.CAA,),
    "tag": (RecordType.CAA,),
    "value": (RecordType.CAA,),
    "nameserver": (RecordType.NS,),
}
# CNAMEs may point at service names (_acme-challenge delegation); other targets name hosts.
TARGET_SYNTAX: dict[str, tuple[str, str]] = {
    "canonical": (SERVICE_NAME, "a DNS name (letters, digits, hyphens, underscores)"),
    "mail_exchanger": (HOSTNAME, _HOST_WANTED),
    "target": (HOSTNAME, _HOST_WANTED),
    "ptrdname": (HOSTNAME, _HOST_WANTED),
    "nameserver": (HOSTNAME, _HOST_WANTED),
}


def wire_name(field: str) -> str:
    """The name users write for a spec field (its camelCase alias, as ``api.meta.Model``
    makes it: ``mail_exchanger`` is ``mailExchanger``)."""
    return to_camel(field)


def _article(kind: str) -> str:
    return "an" if kind in ("A", "AAAA", "MX", "SRV", "NS") else "a"  # a CAA, a CNAME


def with_article(kind: RecordType) -> str:
    """The article and the type: 'an A', 'a CNAME', 'an MX', 'an SRV'."""
    return f"{_article(kind)} {kind}"


# The spec fields an NS record refuses (NIOS has no such field on record:ns), by wire name.
NS_REFUSED: dict[str, str] = {
    "ttl": "TTL",
    "comment": "comment",
    "extensibleAttributes": "extensible attributes",
}


def not_on_ns(field: str) -> str:
    """Why ``spec.<field>`` (a wire name of ``NS_REFUSED``) is refused on an NS record, and
    the fix (the model prefixes the field, the CEL message names it)."""
    return (
        f"is not used by an NS record: NIOS has no {NS_REFUSED[field]} on NS records; "
        f"remove spec.{field}"
    )


def refuse_if_unused(value: object, info: ValidationInfo) -> None:
    """Refuse a field the record type does not use (canonical on an A record, ...)."""
    kind = info.data.get("type")
    types = TYPES_USING_FIELD[info.field_name or ""]
    if value is not None and kind is not None and kind not in types:
        raise ValueError(f"is not used by {with_article(kind)} record (only {', '.join(types)})")


# --- The same rules in CEL, on the whole spec, for the API server. -----------------------------


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


def _name_rules() -> list[dict[str, str]]:
    """One rule per name syntax of ``NAME_SYNTAX``, for the types that share it."""
    types_by_syntax: dict[tuple[str, str], list[str]] = {}
    for kind, syntax in NAME_SYNTAX.items():
        types_by_syntax.setdefault(syntax, []).append(kind.value)
    return [_name_rule(tuple(types), *syntax) for syntax, types in types_by_syntax.items()]


_ADDRESS_KINDS = "['A', 'AAAA', 'Host']"

RECORD_SPEC_RULES: list[dict[str, str]] = [
    {
        "rule": "self.type != 'CNAME' || !has(self.canonical) || !has(self.name) "
        "|| self.canonical != self.name",
        "message": "spec.canonical is the record's own name: a CNAME pointing to itself is a "
        "loop no resolver can follow",
    },
    {
        "rule": "self.type == oldSelf.type",
        "message": "type is immutable: create a new Record instead",
    },
    {
        "rule": "!(self.type in ['A', 'AAAA']) || has(self.address) != has(self.addressFrom)",
        "message": "A and AAAA records need exactly one of spec.address and spec.addressFrom",
    },
    {
        "rule": "self.type != 'Host' || (has(self.address) ? 1 : 0) + (has(self.addresses) ? 1 : 0)"
        " + (has(self.addressFrom) ? 1 : 0) == 1",
        "message": "Host records need exactly one of spec.address, spec.addresses and "
        "spec.addressFrom",
    },
    {
        "rule": "self.type in ['Host', 'NS'] || !has(self.addresses)",
        "message": "spec.addresses is only for Host and NS records",
    },
    {
        "rule": "self.type == 'Host' || !has(self.aliases)",
        "message": "spec.aliases is only for Host records",
    },
    {
        "rule": "self.type != 'NS' || !has(self.addresses) || self.addresses.all(a, !has(a.mac) "
        "&& (!has(a.configureForDHCP) || !a.configureForDHCP))",
        "message": "spec.addresses of an NS record are its glue addresses: remove mac and "
        "configureForDHCP",
    },
    {
        "rule": "self.type != 'NS' || oldSelf.type != 'NS' || (has(self.name) "
        "&& has(oldSelf.name) && self.name == oldSelf.name && has(self.nameserver) "
        "&& has(oldSelf.nameserver) && self.nameserver == oldSelf.nameserver)",
        "message": "name and nameserver of an NS record are immutable: create a new Record instead",
    },
    *(
        {
            "rule": f"self.type != 'NS' || !has(self.{field})",
            "message": f"spec.{field} {not_on_ns(field)}",
        }
        for field in NS_REFUSED
    ),
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
    *_name_rules(),
    {
        # Only these types' name syntax allows an underscore (the others refuse it already);
        # the type guard first, so that the API server decides most Records without a regex.
        "rule": "!(self.type in ['CNAME', 'TXT', 'SRV']) || !has(self.name) "
        f"|| !self.name.matches('(?i)^{CLAIM_PREFIX}')",
        "message": f"spec.name: {RESERVED_NAME}",
    },
    *(_exactly_for(wire_name(f), kinds[0]) for f, kinds in TYPES_USING_FIELD.items()),
    {
        "rule": f"!has(self.createPTR) || !self.createPTR || self.type in {_ADDRESS_KINDS}",
        "message": "spec.createPTR is only for A, AAAA and Host records",
    },
]
