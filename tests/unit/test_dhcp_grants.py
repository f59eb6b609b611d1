"""Fixed addresses and DHCP ranges proceed only inside a granted network view and container,
judged on what their drivers say they touch, before any WAPI call."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync.api import parse_spec
from ddisync.api.dhcp_range import DHCPRangeSpec
from ddisync.api.fixed_address import FixedAddressSpec
from ddisync.api.grant import DDIGrantSpec
from ddisync.reconcile.dhcp_range import desired_range
from ddisync.reconcile.fixed_address import desired_fixed_address
from ddisync.sync.dhcp_range import DRIVER as RANGE
from ddisync.sync.fixed_address import DRIVER as FIXED
from ddisync.tenancy import Aspect, Reach, check

GRANTS = {
    "team-a": parse_spec(
        DDIGrantSpec,
        {
            "namespaces": ["team-a"],
            "ipam": {"networkViews": ["default"], "containers": ["10.64.0.0/12", "10.80.0.0/12"]},
        },
    ),
    "dns-only": parse_spec(
        DDIGrantSpec, {"namespaces": ["dns-team"], "dns": {"zones": ["example.com"]}}
    ),
}


def fixed_reach(namespace: str = "team-a", cidr: str | None = None, **spec: Any) -> Reach:
    parsed = parse_spec(FixedAddressSpec, {"mac": "00:50:56:aa:bb:cc", **spec})
    return FIXED.reach(parsed, desired_fixed_address(parsed, cidr), namespace)


def range_reach(start: str, end: str, namespace: str = "team-a", **spec: Any) -> Reach:
    parsed = parse_spec(DHCPRangeSpec, {"start": start, "end": end, **spec})
    return RANGE.reach(parsed, desired_range(parsed), namespace)


def test_a_fixed_address_inside_a_granted_container_proceeds() -> None:
    assert check(fixed_reach(address="10.64.1.10"), GRANTS, {}) is None
    allocated = fixed_reach(cidr="10.64.1.0/24", addressFrom={"networkRef": {"name": "lan"}})
    assert check(allocated, GRANTS, {}) is None


@pytest.mark.parametrize(
    ("reach", "aspect", "message"),
    [
        (
            fixed_reach(address="192.0.2.10"),
            Aspect.ADDRESS,
            "address `192.0.2.10` is outside the containers granted to namespace team-a on "
            "grid default: 10.64.0.0/12, 10.80.0.0/12",
        ),
        (  # an address still to be allocated is judged by the Network it comes from
            fixed_reach(cidr="192.0.2.0/24", addressFrom={"networkRef": {"name": "lan"}}),
            Aspect.ADDRESS,
            "address `192.0.2.0/24` is outside",
        ),
        (
            fixed_reach(address="10.64.1.10", networkView="lab"),
            Aspect.NETWORK_VIEW,
            "network view `lab` is outside the network views granted",
        ),
        (
            fixed_reach(address="10.64.1.10", adopt=True),
            Aspect.ADOPT,
            "adopting Infoblox objects that ddisync did not create is not granted",
        ),
        (
            range_reach("192.0.2.1", "192.0.2.9"),
            Aspect.RANGE,
            "DHCP range `192.0.2.1-192.0.2.9` is outside the containers granted to namespace "
            "team-a on grid default: 10.64.0.0/12, 10.80.0.0/12",
        ),
        (  # half inside is not inside
            range_reach("10.79.255.250", "10.96.0.5"),
            Aspect.RANGE,
            "DHCP range `10.79.255.250-10.96.0.5` is outside",
        ),
        (  # two granted containers side by side are two grants of space, not one
            range_reach("10.79.255.250", "10.80.0.5"),
            Aspect.RANGE,
            "DHCP range `10.79.255.250-10.80.0.5` is outside",
        ),
        (
            range_reach("10.0.0.1", "10.0.0.9", namespace="dns-team"),
            Aspect.RANGE,
            "DHCP range `10.0.0.1-10.0.0.9` is outside the containers granted to namespace "
            "dns-team on grid default: none",
        ),
    ],
)
def test_outside_the_grants_is_refused_saying_what_and_where(
    reach: Reach, aspect: Aspect, message: str
) -> None:
    refusal = check(reach, GRANTS, {})
    assert refusal is not None and refusal.aspect is aspect
    assert message in str(refusal), str(refusal)


def test_a_range_inside_a_granted_container_proceeds() -> None:
    assert check(range_reach("10.64.1.100", "10.64.1.199"), GRANTS, {}) is None
