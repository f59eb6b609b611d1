"""What a user writes in a Network spec, and what they are told when it is wrong."""

import pytest

from ddisync.api import InvalidSpecError, NetworkSpec, parse_spec


def test_a_minimal_spec_gets_the_documented_defaults() -> None:
    spec = parse_spec(NetworkSpec, {"cidr": "10.1.2.0/24"})
    assert spec.network_view == "default"
    assert spec.deletion_policy == "Delete"
    assert spec.adopt is False
    assert spec.extensible_attributes == {}


def test_an_ipv6_network_is_accepted() -> None:
    assert parse_spec(NetworkSpec, {"cidr": "2001:db8:1::/64"}).cidr == "2001:db8:1::/64"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {"cidr": "10.1.2.3/24"},
            "spec.cidr: '10.1.2.3/24' has host bits set; did you mean 10.1.2.0/24?",
        ),
        ({"cidr": "10.1.2.0"}, "spec.cidr: '10.1.2.0' needs a prefix length (e.g. 10.1.2.0/32)"),
        ({"cidr": "banana"}, "spec.cidr: 'banana' is not an IPv4 or IPv6 network"),
        ({"cidr": "2001:DB8::/32"}, "not in canonical form; write it as 2001:db8::/32"),
        ({}, "spec: set exactly one of cidr and allocate"),
        (
            {
                "cidr": "10.0.0.0/24",
                "allocate": {"fromContainer": "10.0.0.0/8", "prefixLength": 24},
            },
            "set exactly one of cidr and allocate",
        ),
        (
            {"allocate": {"fromContainer": "10.0.0.0/8", "prefixLength": 8}},
            "spec.allocate: prefixLength 8 must be longer than the container's /8",
        ),
        (
            {"allocate": {"fromContainer": "10.0.0.0/8", "prefixLength": 33}},
            "longer than an IPv4 address (32 bits)",
        ),
        ({"cidr": "10.0.0.0/24", "networkView": "a&b=c"}, "spec.networkView: String should match"),
        (
            {"cidr": "10.0.0.0/24", "comment": "x" * 257},
            "spec.comment: String should have at most 256",
        ),
        ({"cidr": "10.0.0.0/24", "comment": "line\nbreak"}, "must not contain control characters"),
        (
            {"cidr": "10.0.0.0/24", "extensibleAttributes": {"ddisync-uid": "x"}},
            "are ddisync's ownership markers",
        ),
        ({"cidr": "10.0.0.0/24", "deletionPolicy": "Keep"}, "spec.deletionPolicy: Input should be"),
        ({"cidr": "10.0.0.0/24", "cidrr": "typo"}, "spec.cidrr: Extra inputs are not permitted"),
    ],
)
def test_an_invalid_spec_names_the_field_and_the_fix(spec: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidSpecError) as caught:
        parse_spec(NetworkSpec, spec)
    assert message in str(caught.value)


def test_a_spec_that_is_not_a_mapping_is_invalid_not_a_crash() -> None:
    with pytest.raises(InvalidSpecError):
        parse_spec(NetworkSpec, ["not", "a", "spec"])
