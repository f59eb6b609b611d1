"""A resource proceeds only inside one DDIGrant of its namespace on its grid; every attack a
tenant could try on a shared WAPI account is refused with a message saying what and why."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync.api import RecordType, parse_spec
from ddisync.api.grant import DDIGrantSpec
from ddisync.tenancy import Aspect, Reach, Refusal, check, grants_for

TEAM_A = {
    "grid": "default",
    "namespaces": ["team-a"],
    "dns": {
        "views": ["default"],
        "zones": ["team-a.example.com"],
        "recordTypes": ["A", "AAAA", "CNAME", "TXT", "MX", "SRV", "Host", "PTR"],
    },
    "ipam": {
        "networkViews": ["default"],
        "containers": ["10.64.0.0/12", "2001:db8:a::/48"],
        "prefixLength": {"min": 24, "max": 64},
    },
}
TEAM_B = {
    "namespaces": ["team-b"],
    "dns": {"zones": ["team-b.example.com"]},
    "ipam": {"containers": ["10.80.0.0/12"]},
    "adopt": True,
}


def grants(**specs: dict[str, Any]) -> dict[str, DDIGrantSpec]:
    return {name.replace("_", "-"): parse_spec(DDIGrantSpec, spec) for name, spec in specs.items()}


GRANTS = grants(team_a=TEAM_A, team_b=TEAM_B)


def record(
    name: str | None,
    record_type: RecordType = RecordType.A,
    *,
    namespace: str = "team-a",
    view: str = "default",
    addresses: tuple[str, ...] = (),
    adopt: bool = False,
    grid: str = "default",
) -> Reach:
    return Reach(
        grid=grid,
        namespace=namespace,
        kind="Record",
        record_type=record_type,
        view=view,
        names=() if name is None else (name,),
        addresses=addresses,
        adopt=adopt,
    )


def network(
    cidr: str,
    *,
    prefix_length: int | None = None,
    namespace: str = "team-a",
    view: str = "default",
    adopt: bool = False,
) -> Reach:
    return Reach(
        grid="default",
        namespace=namespace,
        kind="Network",
        network_view=view,
        networks=(cidr,),
        prefix_length=prefix_length,
        adopt=adopt,
    )


def refused(reach: Reach, given: dict[str, DDIGrantSpec] = GRANTS, **labels: str) -> Refusal:
    refusal = check(reach, given, labels)
    assert refusal is not None, f"{reach} was allowed"
    return refusal


# --- What a grant allows ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "reach",
    [
        record("www.team-a.example.com"),
        record("team-a.example.com", RecordType.MX),  # the team's own apex
        record("_sip._tcp.team-a.example.com", RecordType.SRV),
        record("_acme-challenge.team-a.example.com", RecordType.TXT),
        record("*.team-a.example.com", RecordType.CNAME),
        record("db.team-a.example.com", RecordType.A, addresses=("10.64.3.4",)),  # createPTR
        record("db.team-a.example.com", RecordType.AAAA, addresses=("2001:db8:a::5",)),
        record("db.team-a.example.com", RecordType.HOST, addresses=("10.64.3.0/24",)),  # from
        record(None, RecordType.PTR, addresses=("10.79.255.255",)),
        network("10.64.1.0/24"),
        network("10.64.0.0/12", prefix_length=26),  # allocate a /26 from the container
        network("2001:db8:a:1::/64"),
    ],
    ids=lambda reach: f"{reach.kind}-{reach.record_type}-{reach.names or reach.networks}",
)
def test_what_lies_inside_the_grant_proceeds(reach: Reach) -> None:
    assert check(reach, GRANTS, {}) is None


def test_targets_are_not_judged_a_cname_may_point_anywhere() -> None:
    # The Reach of a CNAME holds its own name only (see the module docstring); its canonical
    # name, like an MX's exchanger or an SRV's target, points wherever it likes.
    assert check(record("cdn.team-a.example.com", RecordType.CNAME), GRANTS, {}) is None


def test_record_types_left_out_mean_all() -> None:
    spec = grants(all_types={"namespaces": ["team-b"], "dns": {"zones": ["b.example"]}})
    for record_type in RecordType:
        name = "_x._tcp.b.example" if record_type is RecordType.SRV else "b.example"
        assert check(record(name, record_type, namespace="team-b"), spec, {}) is None


def test_a_grant_without_a_prefix_length_allows_any_size_inside_its_containers() -> None:
    assert check(network("10.80.0.0/12", namespace="team-b"), GRANTS, {}) is None
    assert check(network("10.80.0.0/30", namespace="team-b"), GRANTS, {}) is None


def test_a_resource_that_touches_nothing_needs_only_a_grant() -> None:
    assert check(Reach(grid="default", namespace="team-a", kind="Record"), GRANTS, {}) is None


# --- Attacks ------------------------------------------------------------------------------------


def test_adopting_needs_adopt_true_in_the_grant() -> None:
    refusal = refused(record("www.team-a.example.com", adopt=True))
    assert refusal.aspect is Aspect.ADOPT
    assert str(refusal) == (
        "adopting Infoblox objects that ddisync did not create is not granted to namespace "
        "team-a on grid default: DDIGrant team-a says adopt: false"
    )
    assert refused(network("10.64.1.0/24", adopt=True)).aspect is Aspect.ADOPT
    # team-b's grant says adopt: true.
    team_b = record("www.team-b.example.com", namespace="team-b", adopt=True)
    assert check(team_b, GRANTS, {}) is None


def test_an_a_record_in_another_teams_zone_is_refused() -> None:
    refusal = refused(record("www.team-b.example.com"))
    assert refusal == Refusal(
        aspect=Aspect.ZONE,
        refused="www.team-b.example.com",
        allowed=("team-a.example.com",),
        grant="team-a",
        message="`www.team-b.example.com` is outside the zones granted to namespace team-a on "
        "grid default: team-a.example.com",
    )


def test_a_cname_outside_the_zones_is_refused_with_the_issue_message() -> None:
    refusal = refused(record("www.example.com", RecordType.CNAME))
    assert str(refusal) == (
        "`www.example.com` is outside the zones granted to namespace team-a on grid default: "
        "team-a.example.com"
    )


@pytest.mark.parametrize("record_type", [RecordType.MX, RecordType.TXT])
def test_mx_and_txt_at_the_company_apex_are_refused(record_type: RecordType) -> None:
    refusal = refused(record("example.com", record_type))
    assert (refusal.aspect, refusal.refused) == (Aspect.ZONE, "example.com")


def test_a_ptr_for_an_address_outside_the_granted_containers_is_refused() -> None:
    refusal = refused(record(None, RecordType.PTR, addresses=("10.80.0.1",)))
    assert str(refusal) == (
        "address `10.80.0.1` is outside the containers granted to namespace team-a on grid "
        "default: 10.64.0.0/12, 2001:db8:a::/48"
    )


def test_create_ptr_for_an_address_outside_the_granted_containers_is_refused() -> None:
    reach = record("db.team-a.example.com", RecordType.A, addresses=("192.0.2.10",))
    assert refused(reach).aspect is Aspect.ADDRESS
    # ... also when the address comes from a network outside them (addressFrom).
    reach = record("db.team-a.example.com", RecordType.A, addresses=("10.64.0.0/11",))
    assert refused(reach).refused == "10.64.0.0/11"


def test_a_ptr_needs_a_grant_with_ipam() -> None:
    dns_only = grants(dns_only={"namespaces": ["team-a"], "dns": {"zones": ["a.example"]}})
    refusal = refused(record(None, RecordType.PTR, addresses=("10.0.0.1",)), dns_only)
    assert refusal.allowed == ()
    assert str(refusal).endswith("granted to namespace team-a on grid default: none")


def test_a_slash_9_from_the_shared_10_8_container_is_refused() -> None:
    # allocate: {fromContainer: 10.0.0.0/8, prefixLength: 9}
    refusal = refused(network("10.0.0.0/8", prefix_length=9))
    assert str(refusal) == (
        "network `10.0.0.0/8` is outside the containers granted to namespace team-a on grid "
        "default: 10.64.0.0/12, 2001:db8:a::/48"
    )


def test_a_network_inside_the_container_but_outside_the_prefix_lengths_is_refused() -> None:
    refusal = refused(network("10.64.0.0/16"))
    assert str(refusal) == (
        "prefix length /16 is outside the prefix lengths granted to namespace team-a on grid "
        "default: /24 to /64"
    )
    assert refused(network("10.64.0.0/12", prefix_length=9)).aspect is Aspect.PREFIX_LENGTH
    assert refused(network("10.64.0.0/12", prefix_length=22)).refused == "/22"


def test_prefix_lengths_bound_both_ends() -> None:
    narrow = grants(
        n={
            "namespaces": ["team-a"],
            "ipam": {"containers": ["10.0.0.0/8"], "prefixLength": {"min": 24, "max": 29}},
        }
    )
    assert check(network("10.1.0.0/24"), narrow, {}) is None
    assert check(network("10.1.0.0/29"), narrow, {}) is None
    assert refused(network("10.1.0.0/30"), narrow).refused == "/30"
    assert refused(network("10.0.0.0/8", prefix_length=23), narrow).refused == "/23"
    exact = grants(
        n={
            "namespaces": ["team-a"],
            "ipam": {"containers": ["10.0.0.0/8"], "prefixLength": {"min": 24, "max": 24}},
        }
    )
    assert refused(network("10.1.0.0/25"), exact).allowed == ("/24",)


def test_a_network_in_an_ungranted_network_view_is_refused() -> None:
    refusal = refused(network("10.64.1.0/24", view="lab"))
    assert str(refusal) == (
        "network view `lab` is outside the network views granted to namespace team-a on grid "
        "default: default"
    )


def test_a_record_in_an_ungranted_dns_view_is_refused() -> None:
    refusal = refused(record("www.team-a.example.com", view="external"))
    assert (refusal.aspect, refusal.allowed) == (Aspect.VIEW, ("default",))
    assert str(refusal).startswith("DNS view `external` is outside the DNS views granted")


def test_a_record_type_the_grant_does_not_list_is_refused() -> None:
    only_a = grants(
        a={"namespaces": ["team-a"], "dns": {"zones": ["a.example"], "recordTypes": ["A", "AAAA"]}}
    )
    refusal = refused(record("x.a.example", RecordType.CNAME), only_a)
    assert str(refusal) == (
        "record type `CNAME` is outside the record types granted to namespace team-a on grid "
        "default: A, AAAA"
    )


def test_a_network_needs_a_grant_with_ipam() -> None:
    dns_only = grants(dns_only={"namespaces": ["team-a"], "dns": {"zones": ["a.example"]}})
    assert refused(network("10.64.1.0/24"), dns_only).aspect is Aspect.NETWORK_VIEW


def test_a_record_needs_a_grant_with_dns() -> None:
    ipam_only = grants(ipam_only={"namespaces": ["team-a"], "ipam": {"containers": ["10.0.0.0/8"]}})
    refusal = refused(record("www.team-a.example.com"), ipam_only)
    assert (refusal.aspect, refusal.allowed) == (Aspect.VIEW, ())


def test_an_unparsable_address_is_refused_not_an_error() -> None:
    reach = record("x.team-a.example.com", addresses=("not-an-address",))
    assert refused(reach).aspect is Aspect.ADDRESS
    assert refused(network("banana")).aspect is Aspect.CONTAINER


# --- Zone suffixes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "team-a.example.com",
        "www.team-a.example.com",
        "WWW.Team-A.Example.COM",
        "www.team-a.example.com.",
        "a.b.c.team-a.example.com",
        "*.team-a.example.com",
    ],
)
def test_names_inside_a_suffix(name: str) -> None:
    assert check(record(name), GRANTS, {}) is None


@pytest.mark.parametrize(
    "name",
    [
        "evilteam-a.example.com",  # ends in the suffix, but not in ".<suffix>"
        "team-a.example.com.evil.com",
        "example.com",
        "*.example.com",  # a wildcard over every team
        "team-a-example.com",
        "a.example.com",
    ],
)
def test_names_outside_a_suffix(name: str) -> None:
    assert refused(record(name)).aspect is Aspect.ZONE


def test_a_suffix_written_upper_case_with_a_trailing_dot_matches_like_any_other() -> None:
    dotted = grants(d={"namespaces": ["team-a"], "dns": {"zones": ["Team-A.Example.COM."]}})
    assert check(record("www.team-a.example.com"), dotted, {}) is None
    assert check(record("WWW.TEAM-A.EXAMPLE.COM."), dotted, {}) is None
    assert refused(record("evilteam-a.example.com"), dotted).allowed == ("team-a.example.com",)


def test_the_first_name_outside_is_reported() -> None:
    reach = Reach(
        grid="default",
        namespace="team-a",
        kind="Record",
        view="default",
        names=("ok.team-a.example.com", "bad.example.org", "worse.example.net"),
    )
    assert refused(reach).refused == "bad.example.org"


# --- IPv6 ---------------------------------------------------------------------------------------


def test_ipv6_containers_hold_ipv6_networks_and_addresses_only() -> None:
    assert check(network("2001:db8:a:ff00::/56"), GRANTS, {}) is None
    assert refused(network("2001:db8:b::/64")).aspect is Aspect.CONTAINER
    assert refused(network("2001:db8::/32", prefix_length=48)).aspect is Aspect.CONTAINER
    aaaa = record("v6.team-a.example.com", RecordType.AAAA, addresses=("2001:db8:b::1",))
    assert refused(aaaa).refused == "2001:db8:b::1"
    # An IPv4 address is never inside an IPv6 container (nor the reverse), whatever the bits.
    v6_only = grants(v6={"namespaces": ["team-a"], "ipam": {"containers": ["::/0"]}})
    assert refused(network("10.0.0.0/24"), v6_only).aspect is Aspect.CONTAINER
    ptr = record(None, RecordType.PTR, addresses=("10.0.0.1",))
    assert refused(ptr, grants(v6={**TEAM_A, "ipam": {"containers": ["::/0"]}})).refused == (
        "10.0.0.1"
    )


def test_the_prefix_length_range_applies_to_ipv6_too() -> None:
    assert refused(network("2001:db8:a::/120")).refused == "/120"
    assert check(network("2001:db8:a::/48", prefix_length=64), GRANTS, {}) is None


# --- Which grants apply -------------------------------------------------------------------------


def test_a_namespace_without_a_grant_on_the_grid_can_do_nothing() -> None:
    refusal = refused(record("www.team-c.example.com", namespace="team-c"))
    assert refusal == Refusal(
        aspect=Aspect.GRANT,
        refused="team-c",
        allowed=(),
        grant=None,
        message="namespace team-c has no DDIGrant on grid default",
    )


def test_a_grant_on_another_grid_does_not_apply_and_is_pointed_out() -> None:
    corp = grants(corp={**TEAM_A, "grid": "corp"})
    refusal = refused(record("www.team-a.example.com"), corp)
    assert str(refusal) == (
        "namespace team-a has no DDIGrant on grid default (it has DDIGrants on grid corp)"
    )
    assert check(record("www.team-a.example.com", grid="corp"), corp, {}) is None


def test_another_namespaces_grant_does_not_apply() -> None:
    assert refused(record("www.team-b.example.com")).grant == "team-a"
    assert check(record("www.team-b.example.com", namespace="team-b"), GRANTS, {}) is None


def test_grants_for_picks_by_grid_then_by_name_or_selector() -> None:
    every = grants(
        by_name={**TEAM_A},
        by_label={**TEAM_B, "namespaces": [], "namespaceSelector": {"matchLabels": {"team": "a"}}},
        other_grid={**TEAM_A, "grid": "corp"},
        other_ns={**TEAM_B},
    )
    assert list(grants_for("team-a", {"team": "a"}, "default", every)) == ["by-label", "by-name"]
    assert list(grants_for("team-a", {}, "default", every)) == ["by-name"]
    assert list(grants_for("team-a", {}, "corp", every)) == ["other-grid"]
    assert list(grants_for("team-z", {"team": "a"}, "default", every)) == ["by-label"]


def test_a_namespace_selector_grants_by_labels() -> None:
    selected = grants(
        sel={
            "namespaceSelector": {
                "matchLabels": {"ddisync.io/team": "a"},
                "matchExpressions": [
                    {"key": "env", "operator": "In", "values": ["dev", "prod"]},
                    {"key": "frozen", "operator": "DoesNotExist"},
                ],
            },
            "dns": {"zones": ["team-a.example.com"]},
        }
    )
    reach = record("www.team-a.example.com", namespace="anything")
    labels = {"ddisync.io/team": "a", "env": "dev"}
    assert check(reach, selected, labels) is None
    assert check(reach, selected, {**labels, "frozen": "yes"}) is not None
    assert check(reach, selected, {**labels, "env": "test"}) is not None
    assert check(reach, selected, {"env": "dev"}) is not None
    assert str(check(reach, selected, {})) == "namespace anything has no DDIGrant on grid default"


# --- One grant must cover everything ------------------------------------------------------------


def test_one_grant_must_cover_everything_halves_of_two_do_not_add_up() -> None:
    split = grants(
        a_names={
            "namespaces": ["team-a"],
            "dns": {"zones": ["team-a.example.com"], "recordTypes": ["A"]},
        },
        b_types={
            "namespaces": ["team-a"],
            "dns": {"zones": ["other.example.com"], "recordTypes": ["CNAME"]},
        },
    )
    reach = record("www.team-a.example.com", RecordType.CNAME)
    refusal = refused(reach, split)
    # One refused aspect each: the tie goes to the first name.
    assert (refusal.grant, refusal.aspect) == ("a-names", Aspect.RECORD_TYPE)
    assert str(refusal) == (
        "record type `CNAME` is outside the record types granted to namespace team-a on grid "
        "default by DDIGrant a-names: A (the closest of its 2 DDIGrants on this grid; one of "
        "them must cover the whole Record)"
    )


def test_a_record_with_create_ptr_split_over_a_dns_grant_and_an_ipam_grant_is_refused() -> None:
    split = grants(
        dns={"namespaces": ["team-a"], "dns": {"zones": ["team-a.example.com"]}},
        ipam={"namespaces": ["team-a"], "ipam": {"containers": ["10.64.0.0/12"]}},
    )
    reach = record("db.team-a.example.com", addresses=("10.64.0.9",))
    refusal = refused(reach, split)
    # dns misses one aspect (the address), ipam three (view, zone, type): dns is closest.
    assert (refusal.grant, refusal.aspect, refusal.allowed) == ("dns", Aspect.ADDRESS, ())


def test_the_closest_grant_is_the_one_refusing_the_fewest_aspects() -> None:
    two = grants(
        aaa_far={
            "namespaces": ["team-a"],
            "dns": {"zones": ["x.example"], "views": ["v"], "recordTypes": ["TXT"]},
        },
        zzz_near={"namespaces": ["team-a"], "dns": {"zones": ["x.example"]}},
    )
    refusal = refused(record("www.team-a.example.com"), two)
    assert (refusal.grant, refusal.aspect) == ("zzz-near", Aspect.ZONE)


def test_any_one_covering_grant_is_enough() -> None:
    two = grants(narrow={**TEAM_A, "dns": {"zones": ["x.example"]}}, wide=TEAM_A)
    assert check(record("www.team-a.example.com"), two, {}) is None
