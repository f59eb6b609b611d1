"""The FixedAddress and DHCPRange planners (pure): what reaches Infoblox for a spec."""

from __future__ import annotations

from typing import Any

from ddisync.api import parse_spec
from ddisync.api.dhcp_range import DHCPRangeSpec
from ddisync.api.fixed_address import FixedAddressSpec
from ddisync.reconcile.dhcp_range import actual_range, desired_range, plan_dhcp_range
from ddisync.reconcile.fixed_address import (
    actual_fixed_address,
    desired_fixed_address,
    plan_fixed_address,
)
from ddisync.reconcile.ownership import Owner, ea_wire
from ddisync.reconcile.plan import Create, NoChange, Refuse, Update

OWNER = Owner("c1", "FixedAddress", "team-a", "printer", "uid-1")
REF = "fixedaddress/ZG5z:10.64.1.10/default"


def fixed(**spec: Any) -> Any:
    parsed = parse_spec(FixedAddressSpec, {"mac": "00-50-56-AA-BB-CC", **spec})
    cidr = "10.64.1.0/24" if parsed.address_from is not None else None
    return desired_fixed_address(parsed, cidr)


def found(**fields: Any) -> Any:
    obj = {
        "_ref": REF, "ipv4addr": "10.64.1.10", "mac": "00:50:56:aa:bb:cc",
        "network": "10.64.1.0/24", "network_view": "default",
        "extattrs": ea_wire(OWNER.markers()), **fields,
    }  # fmt: skip
    return actual_fixed_address(obj)


def test_a_reservation_is_created_with_its_mac_as_nios_stores_it_and_its_options() -> None:
    action = plan_fixed_address(
        fixed(address="10.64.1.10", options=[{"name": "routers", "value": "10.64.1.1"},
                                             {"name": "ntp-servers", "value": "10.64.1.2"}]),
        None, OWNER, adopt=False,
    )  # fmt: skip
    assert isinstance(action, Create) and action.objtype == "fixedaddress"
    assert action.data["mac"] == "00:50:56:aa:bb:cc"
    # routers applies only with its use flag; other options apply as listed
    assert action.data["options"] == [
        {"name": "ntp-servers", "value": "10.64.1.2"},
        {"name": "routers", "value": "10.64.1.1", "use_option": True},
    ]


def test_an_allocated_reservation_takes_its_address_in_the_create_call() -> None:
    action = plan_fixed_address(
        fixed(addressFrom={"networkRef": {"name": "lan"}}), None, OWNER, adopt=False
    )
    assert isinstance(action, Create)
    assert action.data["ipv4addr"] == "func:nextavailableip:10.64.1.0/24,default"


def test_a_reservation_as_wanted_is_no_change_whatever_the_mac_spelling() -> None:
    inherited = [{"name": "routers", "value": "10.0.0.1", "use_option": False, "num": 3}]
    actual = found(options=inherited)  # an inherited option is not the object's own
    assert isinstance(plan_fixed_address(fixed(address="10.64.1.10"), actual, OWNER, adopt=False),
                      NoChange)  # fmt: skip
    allocated = fixed(addressFrom={"networkRef": {"name": "lan"}})
    assert isinstance(plan_fixed_address(allocated, found(), OWNER, adopt=False), NoChange)


def test_only_what_differs_is_updated_and_options_not_in_the_spec_go() -> None:
    actual = found(options=[{"name": "ntp-servers", "value": "10.9.9.9", "use_option": False}],
                   name="old")  # fmt: skip
    action = plan_fixed_address(
        fixed(address="10.64.1.11", mac="00:50:56:aa:bb:cd"), actual, OWNER, adopt=False
    )
    assert isinstance(action, Update)
    assert action.data == {
        "ipv4addr": "10.64.1.11", "mac": "00:50:56:aa:bb:cd", "name": "", "options": [],
    }  # fmt: skip


def test_a_reservation_elsewhere_is_refused() -> None:
    other_view = found(network_view="lab")
    action = plan_fixed_address(fixed(address="10.64.1.10"), other_view, OWNER, adopt=False)
    assert isinstance(action, Refuse) and action.reason == "ImmutableField"
    outside = found(ipv4addr="10.65.0.1")
    allocated = fixed(addressFrom={"networkRef": {"name": "lan"}})
    action = plan_fixed_address(allocated, outside, OWNER, adopt=False)
    assert isinstance(action, Refuse) and "never allocates a second address" in action.message


def test_a_range_is_resized_in_place() -> None:
    spec = parse_spec(DHCPRangeSpec, {"start": "10.64.1.100", "end": "10.64.1.149"})
    actual = actual_range({
        "_ref": "range/ZG5z:10.64.1.100/10.64.1.199/default", "start_addr": "10.64.1.100",
        "end_addr": "10.64.1.199", "network_view": "default",
        "extattrs": ea_wire(OWNER.markers()),
    })  # fmt: skip
    action = plan_dhcp_range(desired_range(spec), actual, OWNER, adopt=False)
    assert isinstance(action, Update) and action.data == {"end_addr": "10.64.1.149"}
