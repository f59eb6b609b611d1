"""Host records with several addresses and aliases (reconcile.record), with no I/O."""

from __future__ import annotations

from typing import Any

from ddisync.api.grant import DDIGrantSpec
from ddisync.api.record import RecordSpec
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Create, NoChange, Update
from ddisync.reconcile.record import actual_record, desired_record, plan_record
from ddisync.sync.record import DRIVER as RECORD
from ddisync.tenancy.grants import check

OWNER = Owner("c1", "Record", "ns", "db", "uid-1")
MARKERS = {
    "ddisync-cluster": {"value": "c1"},
    "ddisync-owner": {"value": "ns/Record/db"},
    "ddisync-uid": {"value": "uid-1"},
}
V4 = {"_ref": "record:host_ipv4addr/a:10.1.0.5/db.example.com/default", "ipv4addr": "10.1.0.5",
      "mac": "00:50:56:aa:bb:cc", "configure_for_dhcp": True, "host": "db.example.com"}  # fmt: skip
V6 = {"_ref": "record:host_ipv6addr/b:2001%3Adb8%3A%3A5/db.example.com/default",
      "ipv6addr": "2001:db8::5", "configure_for_dhcp": False, "host": "db.example.com"}  # fmt: skip


def _desired(**spec: Any):  # type: ignore[no-untyped-def]
    fields = {"type": "Host", "name": "db.example.com", **spec}
    return desired_record(RecordSpec.model_validate(fields))


def _host(**fields: Any):  # type: ignore[no-untyped-def]
    return actual_record({
        "_ref": "record:host/x:db.example.com/default", "name": "db.example.com",
        "view": "default", "ipv4addrs": [V4], "ipv6addrs": [V6], "configure_for_dns": True,
        "extattrs": MARKERS, **fields,
    })  # fmt: skip


ADDRESSES = [
    {"address": "10.1.0.5", "mac": "00:50:56:AA:BB:CC", "configureForDHCP": True},
    {"address": "2001:db8::5"},
]


def test_a_host_is_created_with_each_family_its_dhcp_settings_and_aliases() -> None:
    action = plan_record(
        _desired(addresses=ADDRESSES, aliases=["B.example.com", "a.example.com"]),
        None, OWNER, adopt=False,
    )  # fmt: skip
    assert isinstance(action, Create)
    assert action.data["ipv4addrs"] == [
        {"ipv4addr": "10.1.0.5", "mac": "00:50:56:aa:bb:cc", "configure_for_dhcp": True}
    ]
    assert action.data["ipv6addrs"] == [{"ipv6addr": "2001:db8::5"}]
    assert action.data["aliases"] == ["a.example.com", "b.example.com"]


def test_the_same_addresses_in_another_order_and_case_change_nothing() -> None:
    spec = {"addresses": list(reversed(ADDRESSES)), "aliases": ["X.example.com"]}
    actual = _host(aliases=["x.example.com"])
    assert isinstance(plan_record(_desired(**spec), actual, OWNER, adopt=False), NoChange)


def test_one_address_added_sends_its_family_with_the_kept_entry_as_it_is() -> None:
    added = [*ADDRESSES, {"address": "10.1.0.6"}]
    action = plan_record(_desired(addresses=added), _host(), OWNER, adopt=False)
    assert isinstance(action, Update)
    assert action.data == {
        "ipv4addrs": [
            {"_ref": V4["_ref"], "ipv4addr": "10.1.0.5", "mac": "00:50:56:aa:bb:cc",
             "configure_for_dhcp": True},
            {"ipv4addr": "10.1.0.6"},
        ]
    }  # fmt: skip
    (change,) = action.changes
    assert (change.field, change.new) == (
        "addresses", "10.1.0.5 (mac 00:50:56:aa:bb:cc, DHCP), 2001:db8::5, 10.1.0.6",
    )  # fmt: skip


def test_dropping_dhcp_turns_it_off_explicitly_and_removing_an_alias_sends_the_rest() -> None:
    spec = {"addresses": [{"address": "10.1.0.5"}, {"address": "2001:db8::5"}]}
    action = plan_record(_desired(**spec), _host(aliases=["x.example.com"]), OWNER, adopt=False)
    assert isinstance(action, Update)
    assert action.data["ipv4addrs"] == [
        {"_ref": V4["_ref"], "ipv4addr": "10.1.0.5", "configure_for_dhcp": False}
    ]
    assert action.data["aliases"] == [] and "ipv6addrs" not in action.data


def test_a_hosts_aliases_are_judged_by_the_grants_like_its_name() -> None:
    grant = DDIGrantSpec.model_validate(
        {"namespaces": ["ns"], "dns": {"views": ["default"], "zones": ["example.com"]}}
    )
    spec = RecordSpec.model_validate(
        {"type": "Host", "name": "db.example.com", "address": "10.1.0.5",
         "aliases": ["www.other.org"]}
    )  # fmt: skip
    refusal = check(RECORD.reach(spec, desired_record(spec), "ns"), {"g": grant}, {})
    assert refusal is not None and refusal.refused == "www.other.org"


def test_with_one_address_the_mac_and_dhcp_set_in_infoblox_are_left_alone() -> None:
    actual = _host(ipv6addrs=[])
    assert isinstance(
        plan_record(_desired(address="10.1.0.5"), actual, OWNER, adopt=False), NoChange
    )
    # Moved to an address of the other family: the IPv4 entry goes, nothing is invented.
    action = plan_record(_desired(address="2001:db8::5"), actual, OWNER, adopt=False)
    assert isinstance(action, Update)
    assert action.data == {"ipv4addrs": [], "ipv6addrs": [{"ipv6addr": "2001:db8::5"}]}
