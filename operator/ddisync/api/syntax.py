"""The syntax of DNS names, addresses and TXT text, and the Python checks that explain it.

Each pattern is written once and used twice: by pydantic (Python ``re``) and in the CRD's CEL
rules (RE2). So the patterns use no look-arounds, which RE2 lacks. The IPv6 pattern is a shape
check only (hex digits, colons, dots): CEL cannot parse an address, ``parse_address`` does.
"""

from __future__ import annotations

import ipaddress
import re

from pydantic.config import JsonDict

# Labels of at most 63 characters: a hostname's (RFC 1123), a service name's (which may hold
# underscores: _dmarc, _acme-challenge) and SRV's leading _service and _proto.
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
MAC = r"^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$"  # 00:50:56:aa:bb:cc (or with dashes)
CAA_TAG = r"^[A-Za-z0-9]{1,15}$"  # RFC 8659 4.1: letters and digits
MAX_CAA_VALUE = 1024  # no limit in RFC 8659; an iodef URL or an issuer with its parameters fits
# What Kubernetes accepts as an object's name (an RFC 1123 subdomain, lower-case).
K8S_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"

MAX_NAME = 253  # RFC 1035: 255 octets on the wire are 253 characters written out
# One TXT record's text in all: a 4096-bit DKIM key (about 740 characters) with room to spare.
# It goes to DNS as strings of 255 at most; one DNS message holds about 64 KiB, and NIOS more.
MAX_TEXT = 4096
MAX_TTL = 2**31 - 1  # RFC 2181: a TTL with the top bit set means zero


def dns_name_problem(value: str, pattern: str = HOSTNAME, wanted: str = "a hostname") -> str | None:
    """Why ``value`` is not a valid name of the given syntax, or None when it is."""
    if len(value) > MAX_NAME:
        return f"is {len(value)} characters long; a DNS name has at most {MAX_NAME}"
    if re.fullmatch(pattern.strip("^$"), value):
        return None
    if value.endswith("."):
        return f"{value!r} ends with a dot: drop the trailing dot (names are written without it)"
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


def same_name(one: str | None, other: str | None) -> bool:
    """Whether two DNS names are the same name (case and a trailing dot aside)."""
    if one is None or other is None:
        return False
    return one.rstrip(".").lower() == other.rstrip(".").lower()


def text_problem(value: str) -> str | None:
    """Why ``value`` is not TXT text (printable ASCII), or None when it is."""
    if re.fullmatch(PRINTABLE_ASCII.strip("^$"), value):
        return None
    bad = sorted({repr(c) for c in value if not " " <= c <= "~"})
    return (
        "must be printable ASCII: no control characters (newlines, tabs) and no "
        f"non-ASCII characters (found {', '.join(bad[:5])})"
    )


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


def must_match(*patterns: str, message: str) -> JsonDict:
    """A CEL rule on a string field: it matches one of ``patterns``.

    CEL rather than the schema's ``pattern``: a CEL rule carries a message users can read.
    """
    rule = " || ".join(f"self.matches('{pattern}')" for pattern in patterns)
    return {"x-kubernetes-validations": [{"rule": rule, "message": message}]}
