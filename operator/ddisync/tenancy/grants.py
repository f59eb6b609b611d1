"""Judge what one resource would touch against the DDIGrants of its namespace. Pure: no I/O.

A ``Reach`` says what a resource would touch in Infoblox; ``check`` answers None (go ahead)
or a ``Refusal`` to report before any WAPI call. The rule: a resource proceeds only when ONE
grant for its namespace on its grid covers *everything* in its Reach. Two grants that each
cover half do not add up: a grant is a unit an admin reviewed, and stitching grants together
would allow combinations nobody wrote down.

How each field of a ``Reach`` is judged against one grant (all must hold):

    field          | judged when   | holds when
    grid           | always        | spec.grid is the same name ("default": the operator's own
                   |               | connection)
    namespace      | always        | listed in spec.namespaces, or its labels are selected by
                   |               | spec.namespaceSelector (see ``selector``)
    view           | not None      | the grant has dns, and the view is in dns.views (exact)
    names          | each one      | the grant has dns, and the name, lower-cased and without a
                   |               | trailing dot, equals a dns.zones suffix or ends in
                   |               | ".<suffix>" (``*.a.example.com`` is inside a.example.com;
                   |               | ``evila.example.com`` is not inside a.example.com)
    record_type    | not None      | the grant has dns, and dns.recordTypes is left out or
                   |               | lists the type
    addresses      | each one      | the grant has ipam, and the address (or network) lies
                   |               | inside one of ipam.containers, of the same family
    network_view   | not None      | the grant has ipam, and it is in ipam.networkViews
    networks       | each one      | the grant has ipam, and the CIDR equals or lies inside one
                   |               | of ipam.containers, of the same family
    prefix_length  | not None      | ipam.prefixLength is left out, or min <= it <= max
                   | None          | the same, for each of ``networks``' own prefix lengths
    adopt          | True          | the grant says adopt: true
    ranges         | each one      | the grant has ipam, and the whole range (``start-end``)
                   |               | lies inside ONE of ipam.containers (two granted containers
                   |               | side by side do not make one: a grant is judged whole)

What a caller puts in a ``Reach`` (the planner builds them from the desired state):

- Network with ``cidr``: kind "Network", network_view, networks=(cidr,); prefix_length may
  stay None (the cidr's own length is judged). With ``allocate``: networks=(fromContainer,)
  and prefix_length=allocate.prefixLength (the size it would take, not the container's).
- Record: kind "Record", record_type, view, names=(spec.name, *spec.aliases) (a Host's aliases
  are names in DNS too). For CNAME, MX and SRV only the record's own name: canonical,
  mailExchanger and target may point anywhere, as may a PTR's ptrdname.
- ``createPTR`` on A, AAAA or Host: addresses=(address,) too, or, when the address is still to
  be allocated (addressFrom), the cidr of the Network it comes from: an address lies inside a
  container when that network does.
- PTR: addresses=(address,) (from spec.address, or read back from the reverse name), and no
  names: the reverse name lies in in-addr.arpa or ip6.arpa, which grants do not list.
- Host without createPTR: NIOS answers reverse queries for a host by itself whenever a reverse
  zone exists (see ``ddisync.api.record``). The contract judges a Host's address only with
  createPTR; putting it in addresses always is the stricter choice, and the checker takes it.
- Zone: kind "Zone", view; a forward zone names=(fqdn,) (equal to or below a granted zone
  suffix), a reverse zone addresses=(its CIDR,) (inside a granted container).
- adopt=spec.adopt.
- FixedAddress: kind "FixedAddress", network_view, addresses=(address,) or, when allocated
  (addressFrom), the cidr of the Network it comes from.
- DHCPRange: kind "DHCPRange", network_view, ranges=("start-end",).

Which refusal is reported when no grant covers the resource (the "closest" one): the grant
with the fewest refused aspects (an aspect is a row above; several refused names count once),
ties broken by grant name. Its first refused aspect, in the order of the table, is reported,
with what *that grant* allows for it. When the namespace has several grants on the grid, the
message names that grant and says one grant must cover the whole resource, so a user whose
Record is half in one grant and half in another learns why.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ddisync.api.grant import DDIGrantSpec
from ddisync.api.record_rules import RecordType
from ddisync.tenancy.selector import selects

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Reach:
    """What one resource would touch in Infoblox, in the terms grants are written in."""

    grid: str
    namespace: str
    kind: str  # "Network", "Record", "Zone", "FixedAddress", "DHCPRange": for messages
    record_type: RecordType | None = None
    view: str | None = None
    names: tuple[str, ...] = ()
    network_view: str | None = None
    networks: tuple[str, ...] = ()  # cidrs, or the containers allocated from
    prefix_length: int | None = None
    addresses: tuple[str, ...] = ()  # PTR and createPTR addresses (or networks they come from)
    adopt: bool = False
    ranges: tuple[str, ...] = ()  # DHCP ranges, "start-end"


class Aspect(StrEnum):
    """What a refusal is about; the order is the order in which a grant is judged."""

    GRANT = "Grant"  # no grant for the namespace on the grid at all
    VIEW = "View"
    ZONE = "Zone"
    RECORD_TYPE = "RecordType"
    ADDRESS = "Address"
    NETWORK_VIEW = "NetworkView"
    CONTAINER = "Container"
    PREFIX_LENGTH = "PrefixLength"
    ADOPT = "Adopt"
    RANGE = "Range"


@dataclass(frozen=True)
class Refusal:
    """Why a resource may not proceed; ``str()`` is the message for its Ready condition."""

    aspect: Aspect
    refused: str  # the value refused: a name, a view, a type, an address, a CIDR, "/9"
    allowed: tuple[str, ...]  # what the grant judged closest allows there (empty: nothing)
    grant: str | None  # that grant's name; None when the namespace has no grant on the grid
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class _Problem:
    aspect: Aspect
    refused: str
    allowed: tuple[str, ...] = ()


def grants_for(
    namespace: str, labels: Mapping[str, str], grid: str, grants: Mapping[str, DDIGrantSpec]
) -> dict[str, DDIGrantSpec]:
    """The grants (name -> spec, by name) for ``namespace`` with ``labels`` on ``grid``."""
    return {
        name: spec
        for name, spec in sorted(grants.items())
        if spec.grid == grid and _covers_namespace(spec, namespace, labels)
    }


def check(
    reach: Reach, grants: Mapping[str, DDIGrantSpec], namespace_labels: Mapping[str, str]
) -> Refusal | None:
    """None when one grant covers all of ``reach``; otherwise the closest refusal.

    ``grants`` are all DDIGrants (name -> spec), of every grid and namespace: the ones that
    apply are picked here, and the others help explain a refusal.
    """
    applicable = grants_for(reach.namespace, namespace_labels, reach.grid, grants)
    if not applicable:
        return _no_grant(reach, grants, namespace_labels)
    judged: list[tuple[int, str, _Problem]] = []
    for name, spec in applicable.items():
        problems = _problems(reach, spec)
        if not problems:
            return None
        judged.append((len(problems), name, problems[0]))
    _, name, problem = min(judged, key=lambda item: (item[0], item[1]))
    return Refusal(
        aspect=problem.aspect,
        refused=problem.refused,
        allowed=problem.allowed,
        grant=name,
        message=_message(reach, problem, name, len(applicable)),
    )


# --- One grant --------------------------------------------------------------------------------


def _covers_namespace(spec: DDIGrantSpec, namespace: str, labels: Mapping[str, str]) -> bool:
    if namespace in spec.namespaces:
        return True
    return spec.namespace_selector is not None and selects(spec.namespace_selector, labels)


def _problems(reach: Reach, spec: DDIGrantSpec) -> list[_Problem]:
    """Each aspect of ``reach`` that ``spec`` does not cover (its first refused value)."""
    dns, ipam = spec.dns, spec.ipam
    views = tuple(dns.views) if dns else ()
    zones = tuple(dns.zones) if dns else ()
    types: tuple[str, ...] = ()
    if dns is not None:
        types = tuple(str(t) for t in (dns.record_types or RecordType))
    network_views = tuple(ipam.network_views) if ipam else ()
    containers = tuple(ipam.containers) if ipam else ()
    found = [
        _first_outside(Aspect.VIEW, _given(reach.view), views, lambda v: v in views),
        _first_outside(Aspect.ZONE, reach.names, zones, lambda n: _inside_zones(n, zones)),
        _first_outside(
            Aspect.RECORD_TYPE, _given(reach.record_type), types, lambda t: t in types
        ),
        _first_outside(
            Aspect.ADDRESS, reach.addresses, containers, lambda a: _inside(a, containers)
        ),
        _first_outside(
            Aspect.RANGE, reach.ranges, containers, lambda r: _range_inside(r, containers)
        ),
        _first_outside(
            Aspect.NETWORK_VIEW,
            _given(reach.network_view),
            network_views,
            lambda v: v in network_views,
        ),
        _first_outside(
            Aspect.CONTAINER, reach.networks, containers, lambda n: _inside(n, containers)
        ),
        _prefix_problem(reach, spec),
        _Problem(Aspect.ADOPT, "adopt", ("adopt: false",)) if reach.adopt and not spec.adopt
        else None,
    ]  # fmt: skip
    return [problem for problem in found if problem is not None]


def _given(value: str | None) -> tuple[str, ...]:
    return () if value is None else (str(value),)


def _first_outside(
    aspect: Aspect,
    values: tuple[str, ...],
    allowed: tuple[str, ...],
    inside: Callable[[str], bool],
) -> _Problem | None:
    for value in values:
        if not inside(value):
            return _Problem(aspect, value, allowed)
    return None


def _inside_zones(name: str, zones: tuple[str, ...]) -> bool:
    name = name.lower().removesuffix(".")
    return any(name == zone or name.endswith(f".{zone}") for zone in zones)


@functools.lru_cache(maxsize=4096)
def _network(value: str) -> IPNetwork | None:
    """An address or CIDR as a network; None when it is neither (and so inside nothing).

    Host bits are masked away, which can only make the network larger: never more allowed.
    """
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def _inside(value: str, containers: tuple[str, ...]) -> bool:
    network = _network(value)
    if network is None:
        return False
    for container in containers:
        outer = _network(container)
        # subnet_of raises on mixed families: an IPv6 address is never inside an IPv4 container.
        same_family = outer is not None and outer.version == network.version
        if same_family and network.subnet_of(outer):  # type: ignore[arg-type]
            return True
    return False


def _range_inside(value: str, containers: tuple[str, ...]) -> bool:
    """``start-end`` lies inside one container: both ends inside the same one."""
    start, _, end = value.partition("-")
    return any(_inside(start, (c,)) and _inside(end, (c,)) for c in containers)


def _prefix_problem(reach: Reach, spec: DDIGrantSpec) -> _Problem | None:
    if reach.prefix_length is not None:
        lengths: tuple[int, ...] = (reach.prefix_length,)
    else:  # an unparsable network has no length; it is refused as outside the containers
        lengths = tuple(n.prefixlen for n in map(_network, reach.networks) if n is not None)
    bounds = spec.ipam.prefix_length if spec.ipam else None
    low, high = (bounds.min, bounds.max) if bounds else (0, 128)
    allowed = (_range_text(low, high),) if spec.ipam else ()
    for length in lengths:
        if spec.ipam is None or not low <= length <= high:
            return _Problem(Aspect.PREFIX_LENGTH, f"/{length}", allowed)
    return None


def _range_text(low: int, high: int) -> str:
    return f"/{low}" if low == high else f"/{low} to /{high}"


# --- Messages ---------------------------------------------------------------------------------

_SUBJECT = {
    Aspect.VIEW: "DNS view `{}`",
    Aspect.ZONE: "`{}`",
    Aspect.RECORD_TYPE: "record type `{}`",
    Aspect.ADDRESS: "address `{}`",
    Aspect.RANGE: "DHCP range `{}`",
    Aspect.NETWORK_VIEW: "network view `{}`",
    Aspect.CONTAINER: "network `{}`",
    Aspect.PREFIX_LENGTH: "prefix length {}",
}
_GRANTED = {
    Aspect.VIEW: "DNS views",
    Aspect.ZONE: "zones",
    Aspect.RECORD_TYPE: "record types",
    Aspect.ADDRESS: "containers",
    Aspect.RANGE: "containers",
    Aspect.NETWORK_VIEW: "network views",
    Aspect.CONTAINER: "containers",
    Aspect.PREFIX_LENGTH: "prefix lengths",
}


def _message(reach: Reach, problem: _Problem, grant: str, grant_count: int) -> str:
    where = f"namespace {reach.namespace} on grid {reach.grid}"
    by = f" by DDIGrant {grant}" if grant_count > 1 else ""
    note = (
        f" (the closest of its {grant_count} DDIGrants on this grid; one of them must cover "
        f"the whole {reach.kind})"
        if grant_count > 1
        else ""
    )
    if problem.aspect is Aspect.ADOPT:
        return (
            f"adopting Infoblox objects that ddisync did not create is not granted to "
            f"{where}: DDIGrant {grant} says adopt: false{note}"
        )
    subject = _SUBJECT[problem.aspect].format(problem.refused)
    allowed = ", ".join(problem.allowed) or "none"
    granted = _GRANTED[problem.aspect]
    return f"{subject} is outside the {granted} granted to {where}{by}: {allowed}{note}"


def _no_grant(
    reach: Reach, grants: Mapping[str, DDIGrantSpec], labels: Mapping[str, str]
) -> Refusal:
    elsewhere = sorted(
        {
            spec.grid
            for spec in grants.values()
            if spec.grid != reach.grid and _covers_namespace(spec, reach.namespace, labels)
        }
    )
    hint = f" (it has DDIGrants on grid {', '.join(elsewhere)})" if elsewhere else ""
    return Refusal(
        aspect=Aspect.GRANT,
        refused=reach.namespace,
        allowed=(),
        grant=None,
        message=f"namespace {reach.namespace} has no DDIGrant on grid {reach.grid}{hint}",
    )
