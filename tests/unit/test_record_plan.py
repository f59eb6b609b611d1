"""The Record decision table (reconcile.record and reconcile.ptr), row by row, with no I/O."""

from typing import Any

import pytest

from ddisync.api import InvalidSpecError, Reason, RecordSpec
from ddisync.api.meta import DeletionPolicy
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Create, Delete, NoChange, Refuse, Release, Update
from ddisync.reconcile.ptr import desired_ptr, plan_ptr, plan_ptr_deletion
from ddisync.reconcile.record import (
    RETURN_FIELDS,
    ActualRecord,
    DesiredRecord,
    actual_record,
    desired_record,
    identity_search,
    plan_record,
    plan_record_deletion,
    record_value,
    reverse_name,
    same_identity,
)
from ddisync.reconcile.record_txt import decode_txt, encode_txt, txt_strings

OWNER = Owner("c1", "Record", "ns", "web", "uid-1")
MARKERS = {"ddisync-cluster": "c1", "ddisync-owner": "ns/Record/web", "ddisync-uid": "uid-1"}
WIRE_MARKERS = {name: {"value": value} for name, value in MARKERS.items()}
A_SPEC = {"type": "A", "name": "web.example.com", "address": "10.1.0.5"}
LAN = {"addressFrom": {"networkRef": {"name": "lan"}}, "address": None}


def _desired(cidr: str | None = None, **spec: Any) -> DesiredRecord:
    merged = {key: value for key, value in {**A_SPEC, **spec}.items() if value is not None}
    return desired_record(RecordSpec.model_validate(merged), cidr, "default")


def _obj(objtype: str = "record:a", **fields: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "_ref": f"{objtype}/ZG5z:web.example.com/default",
        "name": "web.example.com",
        "view": "default",
        "ipv4addr": "10.1.0.5",
        "comment": "",
        "use_ttl": False,
        "extattrs": WIRE_MARKERS,
    }
    obj.update(fields)
    return {key: value for key, value in obj.items() if value is not None}


def _actual(objtype: str = "record:a", **fields: Any) -> ActualRecord:
    return actual_record(_obj(objtype, **fields))


def _plan(desired: DesiredRecord, actual: ActualRecord | None, adopt: bool = False) -> Any:
    return plan_record(desired, actual, OWNER, adopt=adopt)


# --- create ------------------------------------------------------------------------------------


def test_a_missing_record_is_created_with_markers_and_spec_fields() -> None:
    action = _plan(_desired(comment="hi", ttl=300, extensibleAttributes={"Site": "ams"}), None)
    assert isinstance(action, Create)
    assert action.objtype == "record:a"
    assert action.data == {
        "name": "web.example.com",
        "ipv4addr": "10.1.0.5",
        "view": "default",
        "comment": "hi",
        "ttl": 300,
        "use_ttl": True,
        "extattrs": {"Site": {"value": "ams"}, **WIRE_MARKERS},
    }


@pytest.mark.parametrize(
    ("spec", "objtype", "fields"),
    [
        (
            {"type": "AAAA", "address": "2001:DB8:0::1"},
            "record:aaaa",
            {"ipv6addr": "2001:db8::1"},
        ),
        (
            {"type": "CNAME", "address": None, "canonical": "Other.Example.com"},
            "record:cname",
            {"canonical": "other.example.com"},
        ),
        (
            {"type": "MX", "address": None, "mailExchanger": "mx.example.com", "preference": 10},
            "record:mx",
            {"mail_exchanger": "mx.example.com", "preference": 10},
        ),
        (
            {
                "type": "SRV",
                "name": "_sip._tcp.example.com",
                "address": None,
                "target": "sip.example.com",
                "port": 5060,
                "priority": 1,
                "weight": 2,
            },
            "record:srv",
            {
                "name": "_sip._tcp.example.com",
                "target": "sip.example.com",
                "port": 5060,
                "priority": 1,
                "weight": 2,
            },
        ),
        (
            {"type": "TXT", "address": None, "text": 'v=spf1 "x" -all'},
            "record:txt",
            {"text": '"v=spf1 \\"x\\" -all"'},
        ),
        (
            {"type": "Host", "address": "10.1.0.5"},
            "record:host",
            {"ipv4addrs": [{"ipv4addr": "10.1.0.5"}], "configure_for_dns": True},
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_each_type_is_created_as_its_wapi_object(
    spec: dict[str, Any], objtype: str, fields: dict[str, Any]
) -> None:
    action = _plan(_desired(**spec), None)
    assert isinstance(action, Create) and action.objtype == objtype
    assert fields.items() <= action.data.items()
    assert "ttl" not in action.data and "use_ttl" not in action.data


def test_a_ptr_record_given_by_address_lets_nios_derive_its_name() -> None:
    desired = _desired(type="PTR", name=None, ptrdname="web.example.com")
    assert desired.name == "5.0.1.10.in-addr.arpa"
    action = _plan(desired, None)
    assert isinstance(action, Create) and action.objtype == "record:ptr"
    assert action.data["ipv4addr"] == "10.1.0.5" and "name" not in action.data
    assert action.data["ptrdname"] == "web.example.com"


def test_a_ptr_record_given_by_name_is_created_by_name() -> None:
    desired = _desired(
        type="PTR", name="7.0.1.10.in-addr.arpa", address=None, ptrdname="web.example.com"
    )
    action = _plan(desired, None)
    assert isinstance(action, Create)
    assert action.data["name"] == "7.0.1.10.in-addr.arpa" and "ipv4addr" not in action.data


def test_an_allocation_happens_inside_the_create_call() -> None:
    action = _plan(_desired("10.1.0.0/24", **LAN), None)
    assert isinstance(action, Create)
    assert action.data["ipv4addr"] == "func:nextavailableip:10.1.0.0/24,default"


def test_a_host_allocates_inside_the_create_call_in_the_networks_view() -> None:
    spec = RecordSpec.model_validate({"type": "Host", "name": "db.example.com", **LAN})
    action = _plan(desired_record(spec, "2001:db8:1::/64", "lab"), None)
    assert isinstance(action, Create)
    assert action.data["ipv6addrs"] == [{"ipv6addr": "func:nextavailableip:2001:db8:1::/64,lab"}]


def test_allocating_from_a_network_of_the_wrong_family_is_an_invalid_spec() -> None:
    with pytest.raises(InvalidSpecError, match=r"spec\.addressFrom\.networkRef: Network .lan. is"):
        _desired("2001:db8:1::/64", **LAN)


# --- in step, and what never causes an update ---------------------------------------------------


def test_our_record_in_step_needs_nothing() -> None:
    assert _plan(_desired(), _actual()) == NoChange(_actual().ref)


def test_an_allocated_address_inside_the_network_is_kept_after_status_loss() -> None:
    # Found again by marker after a restart: any address inside the Network is the one.
    assert isinstance(
        _plan(_desired("10.1.0.0/24", **LAN), _actual(ipv4addr="10.1.0.77")), NoChange
    )


def test_names_are_compared_case_insensitively() -> None:
    desired = _desired(
        name="Web.Example.COM", type="CNAME", address=None, canonical="X.Example.com"
    )
    actual = _actual("record:cname", ipv4addr=None, canonical="x.example.com")
    assert isinstance(_plan(desired, actual), NoChange)


def test_ipv6_addresses_are_compared_in_normal_form() -> None:
    desired = _desired(type="AAAA", address="2001:0DB8:0000::0001")
    actual = _actual("record:aaaa", ipv4addr=None, ipv6addr="2001:db8::1")
    assert isinstance(_plan(desired, actual), NoChange)


def test_txt_text_as_nios_requotes_it_is_no_change() -> None:
    text = "v=DKIM1; p=" + "A" * 300
    chunks = txt_strings(encode_txt(text))
    nios = f'"{chunks[0]}" {chunks[1]}'  # NIOS drops the quotes of a chunk without spaces
    desired = _desired(type="TXT", address=None, text=text)
    assert isinstance(_plan(desired, _actual("record:txt", ipv4addr=None, text=nios)), NoChange)


# --- updates: only what differs -----------------------------------------------------------------


def test_a_renamed_record_is_updated_with_its_new_name() -> None:
    action = _plan(_desired(name="www.example.com"), _actual())
    assert isinstance(action, Update)
    assert action.data == {"name": "www.example.com"}


def test_a_changed_address_is_updated() -> None:
    action = _plan(_desired(address="10.1.0.9"), _actual())
    assert isinstance(action, Update) and action.data == {"ipv4addr": "10.1.0.9"}


def test_pinning_an_allocated_address_is_an_update_not_a_reallocation() -> None:
    assert isinstance(_plan(_desired(address="10.1.0.77"), _actual(ipv4addr="10.1.0.77")), NoChange)


def test_a_ttl_is_set_with_use_ttl_and_removed_by_clearing_use_ttl() -> None:
    assert _plan(_desired(ttl=60), _actual()).data == {"ttl": 60, "use_ttl": True}
    assert _plan(_desired(), _actual(ttl=60, use_ttl=True)).data == {"use_ttl": False}
    assert isinstance(_plan(_desired(), _actual(ttl=60, use_ttl=False)), NoChange)
    assert isinstance(_plan(_desired(ttl=0), _actual(ttl=0, use_ttl=True)), NoChange)


def test_an_absent_comment_clears_the_comment() -> None:
    action = _plan(_desired(), _actual(comment="old"))
    assert isinstance(action, Update) and action.data == {"comment": ""}


def test_changed_txt_text_is_sent_quoted_and_split_at_255() -> None:
    text = "x" * 300
    action = _plan(
        _desired(type="TXT", address=None, text=text),
        _actual("record:txt", ipv4addr=None, text='"old"'),
    )
    assert isinstance(action, Update)
    assert action.data == {"text": f'"{"x" * 255}" "{"x" * 45}"'}
    assert [(c.old, c.new) for c in action.changes] == [("old", text)]


def test_mx_and_srv_fields_are_updated_one_by_one() -> None:
    desired = _desired(type="MX", address=None, mailExchanger="mx2.example.com", preference=10)
    actual = _actual("record:mx", ipv4addr=None, mail_exchanger="mx2.example.com", preference=20)
    assert _plan(desired, actual).data == {"preference": 10}
    srv = _desired(
        type="SRV",
        name="_sip._tcp.example.com",
        address=None,
        target="sip.example.com",
        port=5061,
        priority=1,
        weight=2,
    )
    have = _actual(
        "record:srv",
        name="_sip._tcp.example.com",
        ipv4addr=None,
        target="SIP.example.com",
        port=5060,
        priority=1,
        weight=2,
    )
    assert _plan(srv, have).data == {"port": 5061}


def test_a_host_gets_exactly_the_spec_address() -> None:
    desired = _desired(type="Host", address="2001:db8::5")
    actual = _actual(
        "record:host", ipv4addr=None, ipv4addrs=[{"ipv4addr": "10.1.0.5"}], configure_for_dns=True
    )
    action = _plan(desired, actual)
    assert isinstance(action, Update)
    assert action.data == {"ipv4addrs": [], "ipv6addrs": [{"ipv6addr": "2001:db8::5"}]}


def test_a_host_outside_dns_is_put_back_into_dns() -> None:
    desired = _desired(type="Host")
    actual = _actual(
        "record:host", ipv4addr=None, ipv4addrs=[{"ipv4addr": "10.1.0.5"}], configure_for_dns=False
    )
    assert _plan(desired, actual).data == {"configure_for_dns": True}


def test_attributes_use_extattrs_plus_and_removed_ones_extattrs_minus() -> None:
    desired = _desired(extensibleAttributes={"Site": "fra"})
    actual = _actual(extattrs={**WIRE_MARKERS, "Site": {"value": "ams"}, "Old": {"value": "x"}})
    action = plan_record(desired, actual, OWNER, adopt=False, forget={"Old", "ddisync-uid"})
    assert isinstance(action, Update)
    assert action.data == {"extattrs+": {"Site": {"value": "fra"}}, "extattrs-": {"Old": {}}}


# --- ownership and immutability ----------------------------------------------------------------


def test_an_unmanaged_record_is_not_touched_without_adopt() -> None:
    action = _plan(_desired(), _actual(extattrs={}))
    assert isinstance(action, Refuse) and action.reason is Reason.NOT_OWNED
    assert "spec.adopt: true" in action.message


def test_adopting_adds_the_markers_and_the_differing_fields() -> None:
    action = _plan(_desired(comment="mine"), _actual(extattrs={"Site": {"value": "x"}}), adopt=True)
    assert isinstance(action, Update) and action.adopting
    assert action.data["comment"] == "mine"
    assert set(action.data["extattrs+"]) == set(MARKERS)


def test_a_record_owned_by_another_resource_is_never_taken_over() -> None:
    other = {
        **WIRE_MARKERS,
        "ddisync-uid": {"value": "uid-2"},
        "ddisync-owner": {"value": "ns/Record/other"},
    }
    action = _plan(_desired(), _actual(extattrs=other), adopt=True)
    assert isinstance(action, Refuse) and action.reason is Reason.CONFLICT
    assert "ns/Record/other" in action.message


def test_a_changed_type_is_refused_not_silently_ignored() -> None:
    desired = _desired(type="CNAME", address=None, canonical="x.example.com")
    action = _plan(desired, _actual())
    assert isinstance(action, Refuse) and action.reason is Reason.IMMUTABLE_FIELD
    assert "type is immutable" in action.message


def test_a_changed_view_is_refused() -> None:
    action = _plan(_desired(view="internal"), _actual())
    assert isinstance(action, Refuse) and action.reason is Reason.IMMUTABLE_FIELD
    assert "view is immutable" in action.message


def test_an_allocated_address_outside_the_network_is_refused_not_reallocated() -> None:
    action = _plan(_desired("10.2.0.0/24", **LAN), _actual(ipv4addr="10.1.0.77"))
    assert isinstance(action, Refuse) and action.reason is Reason.IMMUTABLE_FIELD
    assert "never allocates a second address" in action.message


# --- deletion ------------------------------------------------------------------------------------


def test_deleting_removes_only_our_own_record() -> None:
    assert plan_record_deletion(_actual(), OWNER, DeletionPolicy.DELETE) == Delete(_actual().ref)
    assert plan_record_deletion(_actual(extattrs={}), OWNER, DeletionPolicy.DELETE) is None
    assert plan_record_deletion(None, OWNER, DeletionPolicy.DELETE) is None


def test_retain_keeps_the_record_and_releases_the_markers() -> None:
    action = plan_record_deletion(_actual(), OWNER, DeletionPolicy.RETAIN)
    assert isinstance(action, Release) and set(action.data["extattrs-"]) == set(MARKERS)


# --- the managed PTR -----------------------------------------------------------------------------


def _ptr(**fields: Any) -> ActualRecord:
    values = {"name": "5.0.1.10.in-addr.arpa", "ptrdname": "web.example.com", **fields}
    return _actual("record:ptr", **values)


def test_create_ptr_plans_a_separate_owned_ptr_record() -> None:
    record = _desired(createPTR=True, ttl=60, extensibleAttributes={"Site": "ams"})
    wanted = desired_ptr(record, _actual())
    assert wanted is not None and wanted.objtype == "record:ptr"
    action = plan_ptr(wanted, None, OWNER, adopt=False)
    assert isinstance(action, Create) and action.objtype == "record:ptr"
    assert action.data["ipv4addr"] == "10.1.0.5"
    assert action.data["ptrdname"] == "web.example.com"
    assert action.data["ttl"] == 60
    assert action.data["extattrs"] == {"Site": {"value": "ams"}, **WIRE_MARKERS}


def test_the_ptr_of_an_allocated_address_uses_the_address_infoblox_gave() -> None:
    wanted = desired_ptr(
        _desired("10.1.0.0/24", createPTR=True, **LAN), _actual(ipv4addr="10.1.0.9")
    )
    assert wanted is not None and wanted.address == "10.1.0.9"
    assert wanted.name == "9.0.1.10.in-addr.arpa"


def test_a_ptr_in_step_needs_nothing() -> None:
    wanted = desired_ptr(_desired(createPTR=True), _actual())
    assert isinstance(plan_ptr(wanted, _ptr(ipv4addr="10.1.0.5"), OWNER, adopt=False), NoChange)


def test_a_ptr_removed_out_of_band_is_created_again() -> None:
    wanted = desired_ptr(_desired(createPTR=True), _actual())
    assert isinstance(plan_ptr(wanted, None, OWNER, adopt=False), Create)


def test_the_ptr_follows_a_renamed_record() -> None:
    wanted = desired_ptr(_desired(createPTR=True), _actual(name="www.example.com"))
    action = plan_ptr(wanted, _ptr(ipv4addr="10.1.0.5"), OWNER, adopt=False)
    assert isinstance(action, Update) and action.data == {"ptrdname": "www.example.com"}


def test_the_ptr_follows_a_moved_address_with_its_new_reverse_name() -> None:
    # NIOS derives a PTR's name from its address only on create: the plan sends both.
    wanted = desired_ptr(_desired(createPTR=True), _actual(ipv4addr="10.1.0.9"))
    action = plan_ptr(wanted, _ptr(ipv4addr="10.1.0.5"), OWNER, adopt=False)
    assert isinstance(action, Update)
    assert action.data == {"ipv4addr": "10.1.0.9", "name": "9.0.1.10.in-addr.arpa"}


def test_turning_create_ptr_off_deletes_only_our_ptr() -> None:
    assert desired_ptr(_desired(), _actual()) is None
    ours = _ptr(ipv4addr="10.1.0.5")
    assert plan_ptr(None, ours, OWNER, adopt=False) == Delete(ours.ref)
    assert plan_ptr(None, _ptr(ipv4addr="10.1.0.5", extattrs={}), OWNER, adopt=False) is None
    assert plan_ptr(None, None, OWNER, adopt=False) is None


def test_a_host_needs_no_separate_ptr() -> None:
    host = _desired(type="Host", createPTR=True)
    assert desired_ptr(host, _actual("record:host", ipv4addrs=[{"ipv4addr": "10.1.0.5"}])) is None


def test_an_aaaa_ptr_lives_in_ip6_arpa() -> None:
    wanted = desired_ptr(
        _desired(type="AAAA", address="2001:db8::1", createPTR=True),
        _actual("record:aaaa", ipv4addr=None, ipv6addr="2001:db8::1"),
    )
    assert wanted is not None and wanted.name.endswith(".8.b.d.0.1.0.0.2.ip6.arpa")
    action = plan_ptr(wanted, None, OWNER, adopt=False)
    assert isinstance(action, Create) and action.data["ipv6addr"] == "2001:db8::1"


def test_the_ptr_is_deleted_or_released_with_the_record() -> None:
    ours = _ptr(ipv4addr="10.1.0.5")
    assert plan_ptr_deletion(ours, OWNER, DeletionPolicy.DELETE) == Delete(ours.ref)
    assert isinstance(plan_ptr_deletion(ours, OWNER, DeletionPolicy.RETAIN), Release)


# --- reading WAPI objects, TXT quoting, lookups ------------------------------------------------


def test_every_type_reads_back_the_fields_the_plan_compares() -> None:
    assert set(RETURN_FIELDS) == {
        "record:a",
        "record:aaaa",
        "record:cname",
        "record:ptr",
        "record:txt",
        "record:mx",
        "record:srv",
        "record:host",
        "record:caa",
    }
    for fields in RETURN_FIELDS.values():
        assert {"name", "view", "comment", "ttl", "use_ttl", "extattrs"} <= set(fields)


def test_a_host_object_is_read_with_all_its_addresses() -> None:
    actual = _actual(
        "record:host",
        ipv4addr=None,
        name="DB.example.com",
        ipv4addrs=[{"_ref": "record:host_ipv4addr/x", "ipv4addr": "10.1.0.5"}],
        ipv6addrs=[{"ipv6addr": "2001:0db8::5"}],
        ttl=30,
        use_ttl=True,
    )
    assert actual.addresses == ("10.1.0.5", "2001:db8::5")
    assert actual.name == "db.example.com" and actual.ttl == 30
    assert record_value(actual) == "10.1.0.5, 2001:db8::5"


@pytest.mark.parametrize(
    ("objtype", "fields", "value"),
    [
        ("record:cname", {"canonical": "x.example.com"}, "x.example.com"),
        ("record:mx", {"mail_exchanger": "mx.example.com", "preference": 10}, "10 mx.example.com"),
        (
            "record:srv",
            {"target": "s.example.com", "port": 80, "priority": 1, "weight": 2},
            "1 2 80 s.example.com",
        ),
        ("record:txt", {"text": '"' + "y" * 100 + '"'}, "y" * 61 + "..."),
        ("record:ptr", {"ptrdname": "web.example.com"}, "web.example.com"),
    ],
)
def test_the_status_value_is_short_and_human(
    objtype: str, fields: dict[str, Any], value: str
) -> None:
    assert record_value(_actual(objtype, ipv4addr=None, **fields)) == value


@pytest.mark.parametrize(
    "text",
    ["v=spf1 -all", " lead and trail ", 'quote " and back\\slash', "x" * 255, "y" * 512, "\\065"],
)
def test_txt_text_round_trips_exactly(text: str) -> None:
    wire = encode_txt(text)
    assert decode_txt(wire) == text
    assert all(len(chunk) <= 255 for chunk in txt_strings(wire))


@pytest.mark.parametrize(
    ("wire", "strings"),
    [
        ('"a b" c', ["a b", "c"]),
        ("This a host", ["This", "a", "host"]),
        ('"say \\"hi\\""', ['say "hi"']),
        ('"\\065\\\\"', ["A\\"]),
        ('""', [""]),
    ],
)
def test_txt_text_from_nios_is_read_as_rfc_1035_strings(wire: str, strings: list[str]) -> None:
    assert txt_strings(wire) == strings


def test_reverse_names_for_both_families() -> None:
    assert reverse_name("10.1.0.5") == "5.0.1.10.in-addr.arpa"
    assert reverse_name("2001:db8::1").startswith("1.0.0.0.") and reverse_name("::1").endswith(
        "ip6.arpa"
    )


def test_an_existing_record_is_looked_up_by_what_makes_it_this_one() -> None:
    assert identity_search(_desired()) == {
        "name": "web.example.com",
        "ipv4addr": "10.1.0.5",
        "view": "default",
    }
    assert identity_search(_desired("10.1.0.0/24", **LAN)) is None  # only the marker finds it
    txt = _desired(type="TXT", address=None, text="hello world")
    assert identity_search(txt) == {"name": "web.example.com", "view": "default"}
    assert same_identity(txt, _actual("record:txt", ipv4addr=None, text='"hello world"'))
    assert not same_identity(txt, _actual("record:txt", ipv4addr=None, text='"other"'))
