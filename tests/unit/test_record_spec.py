"""What a user writes in a Record spec, and what they are told when it is wrong.

Every case runs twice: through the pydantic model (what the operator enforces) and through
the generated CRD's schema and CEL rules (what the API server enforces), and both must agree.
"""

from pathlib import Path
from typing import Any

import pytest

from ddisync.api import InvalidSpecError, RecordSpec, RecordType, parse_spec
from tests.chart import crdvalidate

ROOT = Path(__file__).resolve().parents[2]
A = {"type": "A", "name": "web.example.com", "address": "10.1.0.5"}
NS = {"type": "NS", "name": "sub.example.com", "nameserver": "ns1.example.net"}

VALID: list[dict[str, Any]] = [
    A,
    {"type": "A", "name": "*.apps.example.com", "address": "10.1.0.5"},
    {"type": "A", "name": "Web.Example.COM", "address": "10.1.0.5", "createPTR": True},
    {"type": "A", "name": "web.example.com", "addressFrom": {"networkRef": {"name": "lan"}}},
    {"type": "AAAA", "name": "web.example.com", "address": "2001:DB8:0::1"},
    {"type": "Host", "name": "db.example.com", "address": "2001:db8::7", "createPTR": True},
    {"type": "Host", "name": "db.example.com", "addressFrom": {"networkRef": {"name": "lan"}}},
    {"type": "CNAME", "name": "_acme-challenge.example.com", "canonical": "_acme.dns.example.net"},
    {"type": "TXT", "name": "_dmarc.example.com", "text": 'v=DMARC1; p=reject; "quoted" \\'},
    {"type": "TXT", "name": "sel._domainkey.example.com", "text": "p=" + "A" * 500},
    {"type": "MX", "name": "example.com", "mailExchanger": "mx1.example.com", "preference": 0},
    {
        "type": "SRV",
        "name": "_sip._tcp.example.com",
        "target": "sip.example.com",
        "port": 65535,
        "priority": 0,
        "weight": 5,
    },
    {"type": "PTR", "address": "10.1.0.5", "ptrdname": "web.example.com"},
    {"type": "PTR", "name": "5.0.1.10.in-addr.arpa", "ptrdname": "web.example.com"},
    {
        "type": "PTR",
        "name": "5.0.1.10.IN-ADDR.ARPA",
        "address": "10.1.0.5",
        "ptrdname": "web.example.com",
    },
    NS,
    {**NS, "nameserver": "NS1.Sub.Example.com", "addresses": [{"address": "10.1.0.53"}]},
    {**NS, "addresses": [{"address": "10.1.0.53"}, {"address": "2001:db8::53"}]},
    {**NS, "createPTR": False, "adopt": True, "deletionPolicy": "Retain"},
    {**A, "ttl": 0, "comment": "web & friends", "extensibleAttributes": {"Site": "ams"}},
    {**A, "ttl": 2**31 - 1, "view": "internal", "deletionPolicy": "Retain", "adopt": True},
]

# (spec, message from the model, whether the API server's schema/CEL also refuses it)
INVALID: list[tuple[dict[str, Any], str, bool]] = [
    # A TXT that would pass for an NS record's claim, which deleting it would follow.
    (
        {"type": "TXT", "name": "_DDISYNC-NS-sub.example.org", "text": "x"},
        "are ddisync's own (the claims that own NS records): choose another name",
        True,
    ),
    ({**A, "address": "2001:db8::1"}, "spec.address: an A record needs an IPv4 address", True),
    (
        {"type": "AAAA", "name": "web.example.com", "address": "10.1.0.5"},
        "spec.address: an AAAA record needs an IPv6 address",
        True,
    ),
    ({**A, "address": "10.1.0.256"}, "spec.address: '10.1.0.256' is not an IPv4 or IPv6", True),
    ({**A, "address": "010.1.0.5"}, "is not an IPv4 or IPv6 address", True),
    (
        {"type": "AAAA", "name": "web.example.com", "address": "::ffff:10.1.0.5"},
        "IPv4-mapped IPv6 address; use an A record",
        False,  # CEL checks the shape of IPv6 only; the operator parses it
    ),
    (
        {"type": "AAAA", "name": "web.example.com", "address": "fe80::1%eth0"},
        "an address with a zone",
        True,
    ),
    ({**A, "name": "a" * 64 + ".example.com"}, "has a label longer than 63 characters", True),
    (
        {**A, "name": ("a" * 60 + ".") * 4 + "example.com"},
        "spec.name: String should have at most 253",
        True,
    ),
    ({**A, "name": "web..example.com"}, "has an empty label", True),
    ({**A, "name": "web.example.com."}, "drop the trailing dot", True),
    ({**A, "name": "-web.example.com"}, "spec.name: '-web.example.com' must be a hostname", True),
    ({**A, "name": "web_1.example.com"}, "must be a hostname (letters, digits, hyphens", True),
    ({**A, "name": "a&_max_results=1"}, "contains characters not allowed in DNS names: '&='", True),
    ({**A, "name": "web.*"}, "must be a hostname", True),
    ({**A, "name": "(a|b).example.com"}, "not allowed in DNS names: '()|'", True),
    ({**A, "name": "a?b=c#d.example.com"}, "not allowed in DNS names: '#=?'", True),
    ({**A, "name": "wéb.example.com"}, "not allowed in DNS names: 'é'", True),
    ({**A, "name": "web example.com"}, "not allowed in DNS names: ' '", True),
    (
        {"type": "Host", "name": "*.example.com", "address": "10.1.0.5"},
        "spec.name: '*.example.com' must be a hostname",
        True,
    ),
    (
        {
            "type": "SRV",
            "name": "sip.example.com",
            "target": "sip.example.com",
            "port": 5060,
            "priority": 1,
            "weight": 1,
        },
        "must be of the form _service._proto.domain",
        True,
    ),
    (
        {
            "type": "MX",
            "name": "example.com",
            "mailExchanger": "mx1.example.com",
            "preference": 65536,
        },
        "spec.preference: Input should be less than or equal to 65535",
        True,
    ),
    (
        {"type": "MX", "name": "example.com", "mailExchanger": "mx1.example.com", "preference": -1},
        "spec.preference: Input should be greater than or equal to 0",
        True,
    ),
    (
        {"type": "MX", "name": "example.com", "mailExchanger": "_mx.example.com", "preference": 10},
        "spec.mailExchanger: '_mx.example.com' must be a hostname",
        True,
    ),
    (
        {
            "type": "SRV",
            "name": "_sip._tcp.example.com",
            "target": "sip.example.com",
            "port": 70000,
            "priority": 1,
            "weight": 1,
        },
        "spec.port: Input should be less than or equal to 65535",
        True,
    ),
    (
        {
            "type": "SRV",
            "name": "_sip._tcp.example.com",
            "target": "sip.example.com",
            "port": 5060,
            "priority": -1,
            "weight": 1,
        },
        "spec.priority: Input should be greater than or equal to 0",
        True,
    ),
    (
        {
            "type": "SRV",
            "name": "_sip._tcp.example.com",
            "target": "sip.example.com",
            "port": 5060,
            "priority": 1,
            "weight": 65536,
        },
        "spec.weight: Input should be less than or equal to 65535",
        True,
    ),
    (
        {"type": "SRV", "name": "_sip._tcp.example.com", "target": "sip.example.com"},
        "spec: an SRV record needs spec.port and spec.priority and spec.weight",
        True,
    ),
    (
        {"type": "TXT", "name": "example.com", "text": "line\nbreak"},
        "spec.text: must be printable ASCII: no control characters",
        True,
    ),
    ({"type": "TXT", "name": "example.com", "text": "tab\there"}, "found '\\t'", True),
    ({"type": "TXT", "name": "example.com", "text": "nul\x00"}, "found '\\x00'", True),
    ({"type": "TXT", "name": "example.com", "text": "caf\u00e9"}, "non-ASCII", True),
    ({"type": "TXT", "name": "example.com", "text": ""}, "spec.text: String should have at", True),
    ({"type": "TXT", "name": "example.com", "text": "x" * 4097}, "at most 4096 characters", True),
    ({"type": "CNAME", "name": "www.example.com", "canonical": "www.example.com"}, "itself", True),
    # Another spelling of the same name: the model sees it, CEL (no case folding) does not.
    ({"type": "CNAME", "name": "www.example.com", "canonical": "WWW.example.com"}, "itself", False),
    ({**A, "canonical": "other.example.com"}, "spec.canonical: is not used by an A record", True),
    (
        {"type": "CNAME", "name": "www.example.com", "canonical": "web.example.com", "text": "x"},
        "spec.text: is not used by a CNAME record (only TXT)",
        True,
    ),
    ({**A, "preference": 10}, "spec.preference: is not used by an A record", True),
    ({**A, "ptrdname": "web.example.com"}, "spec.ptrdname: is not used by an A record", True),
    (
        {
            "type": "MX",
            "name": "example.com",
            "mailExchanger": "mx.example.com",
            "preference": 1,
            "address": "10.1.0.5",
        },
        "spec.address: is not used by an MX record",
        True,
    ),
    (
        {**A, "addressFrom": {"networkRef": {"name": "lan"}}},
        "spec.addressFrom: set exactly one of spec.address and spec.addressFrom, not both",
        True,
    ),
    (
        {"type": "A", "name": "web.example.com"},
        "spec: an A record needs spec.address or spec.addressFrom",
        True,
    ),
    (
        {
            "type": "PTR",
            "ptrdname": "web.example.com",
            "addressFrom": {"networkRef": {"name": "l"}},
        },
        "spec.addressFrom: is not used by a PTR record",
        True,
    ),
    (
        {
            **A,
            "addressFrom": None,
            "address": None,
            "type": "CNAME",
            "canonical": "x.example.com",
            "createPTR": True,
        },
        "spec.createPTR: is only for A, AAAA and Host records, not CNAME",
        True,
    ),
    ({"type": "CNAME", "name": "www.example.com"}, "a CNAME record needs spec.canonical", True),
    ({"type": "PTR", "name": "x.in-addr.arpa"}, "a PTR record needs spec.ptrdname", True),
    (
        {"type": "PTR", "ptrdname": "web.example.com"},
        "spec: a PTR record needs spec.name or spec.address",
        True,
    ),
    (
        {
            "type": "PTR",
            "name": "6.0.1.10.in-addr.arpa",
            "address": "10.1.0.5",
            "ptrdname": "web.example.com",
        },
        "is not the reverse name of spec.address 10.1.0.5 (5.0.1.10.in-addr.arpa)",
        False,  # CEL cannot compute a reverse name
    ),
    ({"name": "web.example.com", "address": "10.1.0.5"}, "spec.type: Field required", True),
    ({**A, "type": "SPF"}, "spec.type: Input should be 'A', 'AAAA'", True),
    ({**A, "ttl": -1}, "spec.ttl: Input should be greater than or equal to 0", True),
    ({**A, "ttl": 2**31}, "spec.ttl: Input should be less than or equal to 2147483647", True),
    ({**A, "view": "default&x=1"}, "spec.view: String should match pattern", True),
    (
        {**A, "comment": "two\nlines"},
        "spec.comment: must not contain control characters",
        False,  # the comment type is shared with Network and has no CEL rule
    ),
    (
        {**A, "extensibleAttributes": {"ddisync-owner": "me"}},
        "are ddisync's ownership markers",
        False,  # reserved names are the operator's business
    ),
    (
        {**A, "address": None, "addressFrom": {"networkRef": {"name": "Lan_1"}}},
        "spec.addressFrom.networkRef.name: String should match pattern",
        True,
    ),
    ({**A, "adress": "10.1.0.6"}, "spec.adress: Extra inputs are not permitted", True),
    ({**NS, "nameserver": None}, "spec: an NS record needs spec.nameserver", True),
    ({**A, "nameserver": "ns1.example.net"}, "spec.nameserver: is not used by an A record", True),
    ({**NS, "nameserver": "ns_1.example.net"}, "spec.nameserver: 'ns_1.example.net' must be", True),
    ({**NS, "name": "*.example.com"}, "spec.name: '*.example.com' must be a hostname", True),
    (
        {**NS, "ttl": 300},
        "spec.ttl: is not used by an NS record: NIOS has no TTL on NS records; remove spec.ttl",
        True,
    ),
    (
        {**NS, "comment": "delegation"},
        "spec.comment: is not used by an NS record: NIOS has no comment on NS records",
        True,
    ),
    (
        {**NS, "extensibleAttributes": {"Site": "ams"}},
        "spec.extensibleAttributes: is not used by an NS record: NIOS has no extensible",
        True,
    ),
    ({**NS, "createPTR": True}, "spec.createPTR: is only for A, AAAA and Host records", True),
    ({**NS, "address": "10.1.0.53"}, "spec.address: is not used by an NS record", True),
    (
        {**NS, "addresses": [{"address": "10.1.0.53", "mac": "00:50:56:aa:bb:cc"}]},
        "spec.addresses: 10.1.0.53: an NS record's addresses are its glue addresses; remove mac",
        True,
    ),
    (
        {
            **NS,
            "addresses": [
                {"address": "10.1.0.53", "mac": "00:50:56:aa:bb:cc", "configureForDHCP": True}
            ],
        },
        "remove mac and configureForDHCP",
        True,
    ),
    ({**A, "addresses": [{"address": "10.1.0.53"}]}, "(only Host and NS)", True),
    ({**NS, "addresses": [{"address": "10.1.0.256"}]}, "is not an IPv4 or IPv6 address", True),
]


def _without_none(spec: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in spec.items() if value is not None}


def _server_violations(spec: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    crd = crdvalidate.load_crds(ROOT / "crds")[("ddisync.io/v1alpha1", "Record")]

    def body(spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "ddisync.io/v1alpha1",
            "kind": "Record",
            "metadata": {"name": "r", "namespace": "ns"},
            "spec": _without_none(spec),
        }

    report = crdvalidate.validate(crd, body(spec), body(old) if old is not None else None)
    assert not report.skipped, report.skipped  # every rule is plain CEL that celpy evaluates
    return [str(violation) for violation in report.violations]


def test_a_minimal_spec_gets_the_documented_defaults() -> None:
    spec = parse_spec(RecordSpec, A)
    assert spec.type is RecordType.A
    assert spec.view == "default"
    assert spec.create_ptr is False
    assert spec.ttl is None
    assert spec.deletion_policy == "Delete"
    assert spec.adopt is False
    assert spec.extensible_attributes == {}


@pytest.mark.parametrize("spec", VALID, ids=lambda spec: f"{spec['type']}:{spec.get('name')}")
def test_a_valid_spec_is_accepted_by_the_model_and_the_api_server(spec: dict[str, Any]) -> None:
    parse_spec(RecordSpec, spec)
    assert _server_violations(spec) == []


@pytest.mark.parametrize(
    ("spec", "message", "server_refuses"), INVALID, ids=[case[1][:60] for case in INVALID]
)
def test_an_invalid_spec_names_the_field_and_the_fix(
    spec: dict[str, Any], message: str, server_refuses: bool
) -> None:
    with pytest.raises(InvalidSpecError) as caught:
        parse_spec(RecordSpec, _without_none(spec))
    assert message in str(caught.value)
    assert bool(_server_violations(spec)) is server_refuses


def test_create_ptr_is_spelled_as_in_the_design() -> None:
    spec = parse_spec(RecordSpec, {**A, "createPTR": True})
    assert spec.create_ptr is True
    assert spec.model_dump(by_alias=True)["createPTR"] is True


def test_a_name_keeps_its_case_in_the_spec() -> None:
    # The spec is the user's; reconcile lower-cases when it compares and writes.
    assert parse_spec(RecordSpec, {**A, "name": "Web.Example.com"}).name == "Web.Example.com"


@pytest.mark.parametrize(
    ("field", "old_value", "new_value"),
    [
        ("type", "A", "AAAA"),
        ("view", "default", "internal"),
        ("addressFrom", {"networkRef": {"name": "lan"}}, {"networkRef": {"name": "dmz"}}),
    ],
)
def test_the_api_server_refuses_changing_an_immutable_field(
    field: str, old_value: Any, new_value: Any
) -> None:
    base: dict[str, Any] = {
        "type": "A",
        "name": "web.example.com",
        "addressFrom": {"networkRef": {"name": "lan"}},
    }
    if field == "type":
        base["addressFrom"] = None
        base["address"] = "10.1.0.5"
        new = {**base, "type": new_value, "address": "2001:db8::5"}
    else:
        new = {**base, field: new_value}
    violations = _server_violations(new, old={**base, field: old_value})
    assert any(f"{field} is immutable" in violation for violation in violations), violations


@pytest.mark.parametrize(
    ("field", "new_value"), [("name", "other.example.com"), ("nameserver", "ns2.example.net")]
)
def test_the_api_server_refuses_changing_an_ns_records_name_or_nameserver(
    field: str, new_value: str
) -> None:
    violations = _server_violations({**NS, field: new_value}, old=NS)
    assert any("name and nameserver of an NS record are immutable" in v for v in violations)


def test_an_ns_records_addresses_may_change() -> None:
    old = {**NS, "addresses": [{"address": "10.1.0.53"}]}
    assert _server_violations({**NS, "addresses": [{"address": "10.1.0.54"}]}, old=old) == []


def test_renaming_is_allowed_by_the_api_server() -> None:
    assert _server_violations({**A, "name": "www.example.com"}, old=A) == []


def test_a_spec_that_is_not_a_mapping_is_invalid_not_a_crash() -> None:
    with pytest.raises(InvalidSpecError):
        parse_spec(RecordSpec, "A web.example.com 10.1.0.5")
