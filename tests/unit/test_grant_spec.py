"""What a cluster admin writes in a DDIGrant, and what they are told when it is wrong."""

import pytest

from ddisync.api import InvalidSpecError, RecordType, parse_spec
from ddisync.api.grant import DDIGrantSpec, SelectorOperator

ISSUE_EXAMPLE = {
    "grid": "default",
    "namespaces": ["team-a"],
    "dns": {
        "views": ["default"],
        "zones": ["team-a.example.com"],
        "recordTypes": ["A", "AAAA", "CNAME", "TXT", "MX", "SRV", "Host", "PTR"],
    },
    "ipam": {
        "networkViews": ["default"],
        "containers": ["10.64.0.0/12"],
        "prefixLength": {"min": 24, "max": 29},
    },
    "adopt": False,
}


def grant(**fields: object) -> dict[str, object]:
    return {"namespaces": ["team-a"], "dns": {"zones": ["team-a.example.com"]}, **fields}


def test_the_issue_example_parses() -> None:
    spec = parse_spec(DDIGrantSpec, ISSUE_EXAMPLE)
    assert spec.grid == "default"
    assert spec.namespaces == ["team-a"]
    assert spec.dns is not None and spec.dns.zones == ["team-a.example.com"]
    assert spec.dns.record_types is not None and RecordType.HOST in spec.dns.record_types
    assert spec.ipam is not None and spec.ipam.containers == ["10.64.0.0/12"]
    assert spec.ipam.prefix_length is not None
    assert (spec.ipam.prefix_length.min, spec.ipam.prefix_length.max) == (24, 29)
    assert spec.adopt is False


def test_left_out_fields_get_the_documented_defaults() -> None:
    spec = parse_spec(DDIGrantSpec, {"namespaces": ["a"], "ipam": {"containers": ["10.0.0.0/8"]}})
    assert spec.grid == "default"
    assert spec.dns is None  # no DNS at all
    assert spec.ipam is not None
    assert spec.ipam.network_views == ["default"]
    assert spec.ipam.prefix_length is None  # any size
    assert spec.adopt is False
    dns = parse_spec(DDIGrantSpec, grant()).dns
    assert dns is not None and dns.views == ["default"] and dns.record_types is None  # all types


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("Team-A.Example.COM", "team-a.example.com"),
        ("team-a.example.com.", "team-a.example.com"),
        ("_tcp.team-a.example.com", "_tcp.team-a.example.com"),
        ("com", "com"),
    ],
)
def test_zone_suffixes_are_normalised_lower_case_without_the_trailing_dot(
    written: str, kept: str
) -> None:
    dns = parse_spec(DDIGrantSpec, grant(dns={"zones": [written]})).dns
    assert dns is not None and dns.zones == [kept]


def test_a_prefix_length_range_may_be_open_on_either_side() -> None:
    ipam = {"containers": ["10.0.0.0/8"], "prefixLength": {"max": 29}}
    spec = parse_spec(DDIGrantSpec, grant(ipam=ipam))
    assert spec.ipam is not None and spec.ipam.prefix_length is not None
    assert (spec.ipam.prefix_length.min, spec.ipam.prefix_length.max) == (0, 29)


def test_ipv6_containers_are_accepted() -> None:
    spec = parse_spec(DDIGrantSpec, grant(ipam={"containers": ["2001:db8:a::/48"]}))
    assert spec.ipam is not None and spec.ipam.containers == ["2001:db8:a::/48"]


def test_a_namespace_selector_alone_is_enough() -> None:
    selector = {
        "matchLabels": {"team": "a"},
        "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["dev", "prod"]},
            {"key": "example.com/frozen", "operator": "DoesNotExist"},
        ],
    }
    spec = parse_spec(DDIGrantSpec, {"namespaceSelector": selector, "dns": {"zones": ["a.b"]}})
    assert spec.namespaces == []
    assert spec.namespace_selector is not None
    assert spec.namespace_selector.match_labels == {"team": "a"}
    operators = [e.operator for e in spec.namespace_selector.match_expressions]
    assert operators == [SelectorOperator.IN, SelectorOperator.DOES_NOT_EXIST]


def test_an_empty_selector_is_accepted_it_selects_every_namespace() -> None:
    spec = parse_spec(DDIGrantSpec, {"namespaceSelector": {}, "dns": {"zones": ["a.b"]}})
    assert spec.namespace_selector is not None


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"dns": {"zones": ["a.b"]}},
            "spec: set namespaces and/or namespaceSelector: the grant is for nobody",
        ),
        (
            {"namespaces": [], "dns": {"zones": ["a.b"]}},
            "set namespaces and/or namespaceSelector",
        ),
        ({"namespaces": ["a"]}, "spec: set dns and/or ipam: the grant allows nothing"),
        (grant(dns={"zones": []}), "spec.dns.zones: List should have at least 1 item"),
        (grant(dns={"views": ["default"]}), "spec.dns.zones: Field required"),
        (
            grant(dns={"zones": ["*.team-a.example.com"]}),
            "spec.dns.zones.0: '*.team-a.example.com': write the zone suffix without the "
            "wildcard ('team-a.example.com')",
        ),
        (grant(dns={"zones": ["team-a..example.com"]}), "has an empty label"),
        (grant(dns={"zones": ["."]}), "'.' is not a zone suffix"),
        (grant(dns={"zones": [""]}), "'' is not a zone suffix"),
        (grant(dns={"zones": ["team a.example.com"]}), "contains characters not allowed"),
        (grant(dns={"zones": ["a.b", "https://x.example"]}), "spec.dns.zones.1:"),
        (
            grant(dns={"zones": ["a.b"], "recordTypes": []}),
            "spec.dns.recordTypes: List should have at least 1 item",
        ),
        (
            grant(dns={"zones": ["a.b"], "recordTypes": ["SOA"]}),
            "spec.dns.recordTypes.0: Input should be 'A', 'AAAA'",
        ),
        (grant(dns={"zones": ["a.b"], "views": []}), "spec.dns.views: List should have at least"),
        (grant(ipam={"containers": []}), "spec.ipam.containers: List should have at least 1"),
        (
            grant(ipam={"containers": ["10.64.0.1/12"]}),
            "spec.ipam.containers.0: '10.64.0.1/12' has host bits set; did you mean 10.64.0.0/12?",
        ),
        (grant(ipam={"containers": ["10.64.0.0"]}), "needs a prefix length"),
        (grant(ipam={"containers": ["2001:DB8::/32"]}), "write it as 2001:db8::/32"),
        (
            grant(ipam={"containers": ["10.0.0.0/8"], "prefixLength": {"min": 29, "max": 24}}),
            "spec.ipam.prefixLength: min (29) must not be greater than max (24)",
        ),
        (
            grant(ipam={"containers": ["10.0.0.0/8"], "prefixLength": {"max": 129}}),
            "spec.ipam.prefixLength.max: Input should be less than or equal to 128",
        ),
        (
            grant(ipam={"containers": ["10.0.0.0/8"], "prefixLength": {"min": -1}}),
            "spec.ipam.prefixLength.min: Input should be greater than or equal to 0",
        ),
        (grant(namespaces=["Team_A"]), "spec.namespaces.0: String should match"),
        (grant(grid="Corp Grid"), "spec.grid: String should match"),
        (
            grant(namespaceSelector={"matchExpressions": [{"key": "a", "operator": "In"}]}),
            "operator In needs at least one value",
        ),
        (
            grant(
                namespaceSelector={
                    "matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]
                }
            ),
            "operator Exists takes no values",
        ),
        (
            grant(namespaceSelector={"matchExpressions": [{"key": "a", "operator": "Is"}]}),
            "spec.namespaceSelector.matchExpressions.0.operator: Input should be 'In'",
        ),
        (
            grant(namespaceSelector={"matchLabels": {"team": "a b"}}),
            "spec.namespaceSelector.matchLabels.team: String should match",
        ),
        (grant(adopt="sometimes"), "spec.adopt: Input should be a valid boolean"),
        (grant(zones=["a.b"]), "spec.zones: Extra inputs are not permitted"),
    ],
)
def test_an_invalid_grant_names_the_field_and_the_fix(
    spec: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidSpecError) as error:
        parse_spec(DDIGrantSpec, spec)
    assert message in str(error.value)
