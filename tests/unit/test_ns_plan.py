"""The NS decision tables (reconcile.record_ns), row by row, with no I/O."""

from typing import Any

import pytest

from ddisync.api import Reason, RecordSpec
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Create, NoChange, Refuse, Update
from ddisync.reconcile.record_desired import DesiredRecord, desired_record
from ddisync.reconcile.record_ns import (
    Claim,
    actual_ns,
    claim_name,
    plan_claim,
    plan_hold,
    plan_ns,
    read_claim,
)
from ddisync.reconcile.record_txt import decode_txt, encode_txt
from ddisync.sync.record_ns import claimed_ns

OWNER = Owner("c1", "Record", "team", "sub", "uid-1")
MARKERS = {name: {"value": value} for name, value in OWNER.markers().items()}
NS = {"type": "NS", "name": "Sub.Example.com", "nameserver": "NS1.example.net"}
CLAIM = "_ddisync-ns-sub.example.com"


def _desired(**spec: Any) -> DesiredRecord:
    return desired_record(RecordSpec.model_validate({**NS, **spec}))


def _claim(state: str = "pending", nameserver: str = "ns1.example.net", **fields: Any) -> Any:
    text = f"ddisync ns claim: name=sub.example.com nameserver={nameserver} state={state}"
    obj = {
        "_ref": f"record:txt/ZG5z:{CLAIM}/default",
        "name": CLAIM,
        "view": "default",
        "text": encode_txt(text),
        "extattrs": MARKERS,
    }
    return {**obj, **fields}


def _ns(*addresses: str, nameserver: str = "ns1.example.net", **fields: Any) -> Any:
    obj = {
        "_ref": "record:ns/ZG5z:sub.example.com/ns1/default",
        "name": "sub.example.com",
        "nameserver": nameserver,
        "view": "default",
        "addresses": [{"address": a, "auto_create_ptr": True} for a in addresses],
    }
    return {**obj, **fields}


def test_the_claim_lies_beside_the_delegation_in_its_parent() -> None:
    assert claim_name("Sub.Example.com") == CLAIM
    long = "a" * 60
    hashed = claim_name(f"{long}.example.com")
    label = hashed.split(".")[0]
    assert len(label) <= 63 and label.startswith("_ddisync-ns-") and len(label) == 28
    assert hashed.endswith(".example.com")


def test_a_claim_is_read_back_from_its_text_and_nothing_else_is_a_claim() -> None:
    assert read_claim(_claim("held")) == Claim("sub.example.com", "ns1.example.net", "held")
    assert read_claim({"text": '"v=spf1 -all"'}) is None
    assert read_claim({}) is None


def test_no_claim_is_created_pending_with_the_markers() -> None:
    action = plan_claim(_desired(), None, OWNER, adopt=False)
    assert isinstance(action, Create) and action.objtype == "record:txt"
    assert action.data["name"] == CLAIM
    assert decode_txt(action.data["text"]) == (
        "ddisync ns claim: name=sub.example.com nameserver=ns1.example.net state=pending"
    )
    assert action.data["extattrs"] == MARKERS


@pytest.mark.parametrize("state", ["pending", "held"])
def test_our_claim_is_left_in_its_state(state: str) -> None:
    assert plan_claim(_desired(), _claim(state), OWNER, adopt=False) == NoChange(_claim()["_ref"])


@pytest.mark.parametrize(
    ("found", "says"),
    [
        (_claim(nameserver="ns2.example.net"), "name and nameserver are immutable"),
        (_claim(text='"hello"'), "is not an NS claim of ddisync; type is immutable"),
        ({**_claim(), "_ref": "record:a/x:y/default"}, "type is immutable"),
        (_claim(view="internal"), "view is immutable"),
    ],
)
def test_a_claim_for_something_else_is_an_immutable_field(found: Any, says: str) -> None:
    action = plan_claim(_desired(), found, OWNER, adopt=True)
    assert isinstance(action, Refuse) and action.reason is Reason.IMMUTABLE_FIELD
    assert says in action.message


def test_another_resources_claim_is_a_conflict_even_with_adopt() -> None:
    other = {
        name: {"value": v} for name, v in Owner("c1", "Record", "t", "x", "u2").markers().items()
    }
    action = plan_claim(_desired(), _claim("held", extattrs=other), OWNER, adopt=True)
    assert isinstance(action, Refuse) and action.reason is Reason.CONFLICT


def test_an_unmarked_claim_is_not_owned_unless_adopted() -> None:
    refused = plan_claim(_desired(), _claim(extattrs={}), OWNER, adopt=False)
    assert isinstance(refused, Refuse) and refused.reason is Reason.NOT_OWNED
    adopted = plan_claim(_desired(), _claim(extattrs={}), OWNER, adopt=True)
    assert isinstance(adopted, Update) and adopted.adopting


def test_no_ns_record_is_created_without_automatic_ptrs() -> None:
    desired = _desired(addresses=[{"address": "2001:DB8::53"}, {"address": "10.0.0.53"}])
    action = plan_ns(desired, read_claim(_claim()), None, adopt=False)
    assert action == Create(
        "record:ns",
        {
            "name": "sub.example.com",
            "nameserver": "ns1.example.net",
            "view": "default",
            "addresses": [
                {"address": "10.0.0.53", "auto_create_ptr": False},
                {"address": "2001:db8::53", "auto_create_ptr": False},
            ],
        },
    )


def test_a_held_ns_record_gets_the_specs_addresses_compared_as_a_set() -> None:
    held = read_claim(_claim("held"))
    desired = _desired(addresses=[{"address": "10.0.0.53"}, {"address": "2001:db8::53"}])
    same = actual_ns(_ns("2001:0db8::53", "10.0.0.53"))
    assert plan_ns(desired, held, same, adopt=False) == NoChange(same.ref)
    changed = plan_ns(desired, held, actual_ns(_ns("10.0.0.7")), adopt=False)
    assert isinstance(changed, Update) and not changed.adopting
    assert [a["address"] for a in changed.data["addresses"]] == ["10.0.0.53", "2001:db8::53"]


def test_an_ns_record_found_with_a_pending_claim_is_not_owned_unless_adopted() -> None:
    pending, found = read_claim(_claim("pending")), actual_ns(_ns())
    refused = plan_ns(_desired(), pending, found, adopt=False)
    assert isinstance(refused, Refuse) and refused.reason is Reason.NOT_OWNED
    assert "set spec.adopt: true to take it over" in refused.message
    # Adopted as it is (the claim marked held next is its marker), or with the spec's addresses.
    assert plan_ns(_desired(), pending, found, adopt=True) == Update(found.ref, {}, (), True)
    glue = _desired(addresses=[{"address": "10.0.0.53"}])
    adopted = plan_ns(glue, pending, found, adopt=True)
    assert isinstance(adopted, Update) and adopted.adopting


@pytest.mark.parametrize(
    "found",
    [
        _ns(nameserver="ns2.example.net"),
        _ns(name="other.example.com"),
        _ns(view="internal"),
        {**_ns(), "_ref": "record:txt/x:y/default"},
    ],
)
def test_an_ns_record_of_another_identity_is_an_immutable_field(found: Any) -> None:
    action = plan_ns(_desired(), read_claim(_claim("held")), actual_ns(found), adopt=True)
    assert isinstance(action, Refuse) and action.reason is Reason.IMMUTABLE_FIELD


def test_the_claim_is_held_once_and_then_left() -> None:
    action = plan_hold(_desired(), _claim("pending"))
    assert isinstance(action, Update)
    assert decode_txt(action.data["text"]).endswith("state=held")
    assert plan_hold(_desired(), _claim("held")) == NoChange(_claim()["_ref"])


def test_only_a_held_claim_at_its_own_name_leads_to_an_ns_record() -> None:
    held = claimed_ns(_claim("held"))
    assert held is not None and held.identity is not None
    assert held.identity.search == {
        "name": "sub.example.com",
        "nameserver": "ns1.example.net",
        "view": "default",
    }
    assert held.identity.matches(_ns())
    assert not held.identity.matches(_ns(nameserver="ns2.example.net"))
    pending = claimed_ns(_claim("pending"))
    assert pending is not None and pending.identity is None
    assert claimed_ns(_claim("held", name="_ddisync-ns-other.example.com")) is None
    assert claimed_ns({**_claim("held"), "text": '"v=spf1 -all"'}) is None
