"""Hypothesis strategies for Network and Record specs: valid-ish, hostile, and plain wrong.

A spec reaches the operator as JSON from the API server, which (with an old CRD, or without
CEL) may not have checked anything. So every field gets, besides sensible values: any JSON value
of any type, huge strings (up to ~100 kB), unicode that looks harmless (right-to-left
overrides, zero-width spaces, NUL, C1 controls, line separators), query syntax that would
change a WAPI search if it were pasted into a URL (``a&_max_results=1``, ``*ddisync-uid=x``),
and regular-expression metacharacters.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from hypothesis import strategies as st

# Characters and snippets that have a meaning somewhere on the way to the grid.
SPECIALS = (
    "&", "=", "*", "~", "?", "#", "%", "+", " ", "/", ":", ",", ";", "!", "<", ">",
    "%00", "%26", "%2A", "%3D", "\x00", "\n", "\r\n", "\t", "\x1b[31m", "\x7f", "\x85", "\x9b",
    "\u200b", "\u200d", "\u202e", "\u2066", "\u2028", "\u2029", "\ufeff", "\ufffd",
    ".*", "^$", "(a+)+$", "[", "]", "\\", "\\d", "$1", "|", "{1,}", "'", '"', "`", "${x}",
    "{{x}}", "../", "İ", "ß", "ﬁ", "١٢٣", "\U0001d7d9\U0001d7d8", "é", "日本",
)  # fmt: skip
INJECTIONS = (
    "a&_max_results=1",
    "x&_return_fields=*",
    "*ddisync-uid=x",
    "name~=.*",
    "a?b#c",
    "10.0.0.0/24&network_view=other",
    "default&_paging=0",
    "a%26b",
    "func:nextavailableip:10.0.0.0/8,default",
    "_ref",
    "host.example.com&_function=next_available_ip",
    "example.com\r\nX-Injected: 1",
)
SNIPPETS = SPECIALS + INJECTIONS


def _huge(char_and_count: tuple[str, int]) -> str:
    char, count = char_and_count
    return char * count


hostile_text: st.SearchStrategy[str] = st.one_of(
    st.text(max_size=40),
    st.sampled_from(SNIPPETS),
    st.builds(
        lambda a, s, b: a + s + b,
        st.text(max_size=8),
        st.sampled_from(SNIPPETS),
        st.text(max_size=8),
    ),
    st.tuples(
        st.sampled_from(["a", "é", "\u202e", "1", "&", ".", "a.", "日"]),
        st.integers(min_value=250, max_value=100_000),
    ).map(_huge),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_values: st.SearchStrategy[Any] = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(hostile_text, children, max_size=3)
    ),
    max_leaves=8,
)


def field(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A field's value: usually a sensible one, else something hostile or of another type."""
    return st.one_of(valid, valid, hostile_text, json_values)


def _suffix(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A valid value with something appended: what an injection attempt looks like."""
    return st.builds(lambda v, s: v + s, valid, st.sampled_from(SNIPPETS))


def _cidr(version: int, low: int, high: int) -> st.SearchStrategy[str]:
    base = "10.0.0.0/8" if version == 4 else "2001:db8::/32"
    network = ipaddress.ip_network(base)

    def make(prefix: int, index: int) -> str:
        subnets = 2 ** (prefix - network.prefixlen)
        offset = (index % subnets) << (network.max_prefixlen - prefix)
        return str(ipaddress.ip_network((int(network.network_address) + offset, prefix)))

    return st.builds(make, st.integers(low, high), st.integers(0, 2**32))


valid_cidr = st.one_of(_cidr(4, 16, 30), _cidr(6, 48, 64))
cidrs = st.one_of(valid_cidr, _suffix(valid_cidr), st.sampled_from(["10.0.0.1/24", "10.0.0.0"]))
views = st.one_of(
    st.just("default"), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True)
)
ea_names = st.one_of(st.sampled_from(["Site", "Owner", "ddisync-uid", "DDISYNC-x"]), hostile_text)
ea_values = st.one_of(st.sampled_from(["Paris", "a b", ""]), hostile_text)
extensible_attributes = st.dictionaries(ea_names, field(ea_values), max_size=3)
comments = st.one_of(st.text(max_size=40), hostile_text)
policies = st.sampled_from(["Delete", "Retain", "delete", "Keep"])

# Values a careful user could write (unicode, RTL and zero-width characters included).
clean_text = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=60)
clean_attributes = st.dictionaries(
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,20}", fullmatch=True).filter(
        lambda n: not n.lower().startswith("ddisync-")
    ),
    clean_text.map(lambda t: t[:256]),
    max_size=3,
)

_label = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9]", fullmatch=True)
hostnames = st.builds(
    lambda labels, zone: ".".join([*labels, zone]),
    st.lists(_label, min_size=1, max_size=3),
    st.sampled_from(["example.com", "example.org", "EXAMPLE.com", "nowhere.test"]),
)
clean_names = st.one_of(
    hostnames, hostnames.map(lambda n: "*." + n), hostnames.map(lambda n: "_acme-challenge." + n)
)
names = st.one_of(
    hostnames,
    hostnames.map(lambda n: "*." + n),
    hostnames.map(lambda n: "_sip._tcp." + n),
    hostnames.map(lambda n: n + "."),
    _suffix(hostnames),
)
ipv4 = st.ip_addresses(v=4, network="10.0.0.0/8").map(str)
ipv6 = st.ip_addresses(v=6, network="2001:db8::/32").map(str)
addresses = st.one_of(
    ipv4, ipv6, _suffix(ipv4), st.sampled_from(["fe80::1%eth0", "::ffff:1.2.3.4"])
)
ports = st.integers(-1, 70_000)
texts = st.one_of(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=600))


def _mutate(draw: st.DrawFn, spec: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    """Replace up to two fields (or add unknown ones) with hostile values of any type."""
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.one_of(st.sampled_from(keys), hostile_text))
        spec[key] = draw(st.one_of(hostile_text, json_values))
    return spec


@st.composite
def _network_spec(draw: st.DrawFn) -> dict[str, Any]:
    """A sensible spec (exactly one of cidr and allocate, most of the time), mutated a little."""
    clean = draw(st.booleans())  # half of them valid: the planners and the operator get work
    spec: dict[str, Any] = {}
    source = draw(st.sampled_from(["cidr", "allocate"] if clean else ["cidr", "both", "neither"]))
    if source in ("cidr", "both"):
        spec["cidr"] = draw(valid_cidr if clean else cidrs)
    if source in ("allocate", "both"):
        container = draw(st.sampled_from(["10.0.0.0/8", "2001:db8::/32"]))
        prefixes = st.integers(9, 30) if container.startswith("10.") else st.integers(33, 64)
        spec["allocate"] = {
            "fromContainer": container,
            "prefixLength": draw(prefixes if clean else st.integers(-1, 130)),
        }
    optional = {
        "networkView": st.just("default") if clean else views,
        "comment": clean_text if clean else comments,
        "extensibleAttributes": clean_attributes if clean else extensible_attributes,
        "deletionPolicy": st.sampled_from(["Delete", "Retain"]) if clean else policies,
        "adopt": st.booleans(),
    }
    for key, valid in optional.items():
        if draw(st.booleans()):
            spec[key] = draw(valid)
    return spec if clean else _mutate(draw, spec, ["cidr", "allocate", *optional])


network_specs: st.SearchStrategy[Any] = st.one_of(_network_spec(), json_values)

# What each type needs, with sensible values; any other field is an intruder.
_NEEDS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "A": {"name": hostnames, "address": ipv4},
    "AAAA": {"name": hostnames, "address": ipv6},
    "Host": {"name": hostnames, "address": st.one_of(ipv4, ipv6)},
    "CNAME": {"name": clean_names, "canonical": hostnames},
    "TXT": {"name": clean_names, "text": texts.filter(lambda t: 0 < len(t) <= 512)},
    "MX": {"name": hostnames, "mailExchanger": hostnames, "preference": st.integers(0, 100)},
    "SRV": {
        "name": hostnames.map(lambda n: "_sip._tcp." + n),
        "target": hostnames,
        "port": st.integers(0, 65535),
        "priority": st.integers(0, 100),
        "weight": st.integers(0, 100),
    },
    "PTR": {"address": st.one_of(ipv4, ipv6), "ptrdname": hostnames},
    "NS": {"name": hostnames, "nameserver": hostnames},
}
_ANY_FIELD: dict[str, st.SearchStrategy[Any]] = {
    "name": names,
    "address": addresses,
    "canonical": hostnames,
    "text": texts,
    "mailExchanger": hostnames,
    "preference": ports,
    "target": hostnames,
    "port": ports,
    "priority": ports,
    "weight": ports,
    "ptrdname": hostnames,
    "nameserver": hostnames,
}


@st.composite
def _record_spec(draw: st.DrawFn) -> dict[str, Any]:
    """A sensible spec of one type (now and then missing a field it needs, or carrying one
    of another type), mutated a little."""
    clean = draw(st.booleans())
    kind = draw(st.sampled_from(sorted(_NEEDS)))
    spec: dict[str, Any] = {"type": kind}
    for key, valid in _NEEDS[kind].items():
        spec[key] = draw(valid)
    if kind in ("A", "AAAA", "Host") and draw(st.booleans()):
        del spec["address"]
        spec["addressFrom"] = {"networkRef": {"name": draw(_label)}}
    optional = {
        "view": st.just("default") if clean else views,
        "ttl": st.integers(0, 86400) if clean else st.integers(-1, 2**32),
        "comment": clean_text if clean else comments,
        "extensibleAttributes": clean_attributes if clean else extensible_attributes,
        "deletionPolicy": st.sampled_from(["Delete", "Retain"]) if clean else policies,
        "adopt": st.booleans(),
        "createPTR": st.just(False) if clean else st.booleans(),
    }
    for key, valid in optional.items():
        if draw(st.booleans()):
            spec[key] = draw(valid)
    if clean:
        return spec
    if not draw(st.integers(0, 5)):  # a field of another type, or one missing
        key = draw(st.sampled_from(sorted(_ANY_FIELD)))
        if key in spec:
            del spec[key]
        else:
            spec[key] = draw(_ANY_FIELD[key])
    return _mutate(draw, spec, [*_ANY_FIELD, "type", "addressFrom", *optional])


record_objects: st.SearchStrategy[dict[str, Any]] = _record_spec()
"""Record specs that are at least JSON objects (hostile inside)."""
record_specs: st.SearchStrategy[Any] = st.one_of(record_objects, json_values)
