"""The Network decision table (reconcile.network), row by row, with no I/O."""

from ddisync.api import NetworkSpec, Reason
from ddisync.api.meta import DeletionPolicy
from ddisync.reconcile.network import (
    ActualNetwork,
    desired_network,
    plan_network,
    plan_network_deletion,
)
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Create, Delete, NoChange, Refuse, Release, Update

OWNER = Owner("c1", "Network", "ns", "web", "uid-1")
MARKERS = {"ddisync-cluster": "c1", "ddisync-owner": "ns/Network/web", "ddisync-uid": "uid-1"}


def _desired(**spec: object):  # type: ignore[no-untyped-def]
    return desired_network(NetworkSpec.model_validate({"cidr": "10.1.0.0/24", **spec}))


def _actual(**fields: object) -> ActualNetwork:
    values: dict = {
        "ref": "network/abc:10.1.0.0/24/default",
        "cidr": "10.1.0.0/24",
        "network_view": "default",
        "comment": "",
        "extattrs": dict(MARKERS),
    }
    values.update(fields)
    return ActualNetwork(**values)


def test_a_missing_network_is_created_with_markers_and_spec_fields() -> None:
    action = plan_network(
        _desired(comment="hi", extensibleAttributes={"Site": "ams"}), None, OWNER, adopt=False
    )
    assert isinstance(action, Create)
    assert action.objtype == "network"
    assert action.data["network"] == "10.1.0.0/24"
    assert action.data["comment"] == "hi"
    assert action.data["extattrs"]["Site"] == {"value": "ams"}
    assert action.data["extattrs"]["ddisync-uid"] == {"value": "uid-1"}


def test_an_ipv6_network_is_an_ipv6network_object() -> None:
    desired = desired_network(NetworkSpec.model_validate({"cidr": "2001:db8:1::/64"}))
    action = plan_network(desired, None, OWNER, adopt=False)
    assert isinstance(action, Create) and action.objtype == "ipv6network"


def test_an_allocation_happens_inside_the_create_call() -> None:
    desired = desired_network(
        NetworkSpec.model_validate(
            {"allocate": {"fromContainer": "10.0.0.0/8", "prefixLength": 26}}
        )
    )
    action = plan_network(desired, None, OWNER, adopt=False)
    assert isinstance(action, Create)
    assert action.data["network"] == "func:nextavailablenetwork:10.0.0.0/8,default,26"


def test_our_network_in_step_needs_nothing() -> None:
    assert plan_network(_desired(), _actual(), OWNER, adopt=False) == NoChange(_actual().ref)


def test_only_the_fields_that_differ_are_sent() -> None:
    action = plan_network(
        _desired(comment="new", extensibleAttributes={"Site": "ams"}),
        _actual(comment="old", extattrs={**MARKERS, "Site": "ams", "Tenant": "t"}),
        OWNER,
        adopt=False,
    )
    assert isinstance(action, Update)
    assert action.data == {"comment": "new"}
    assert [change.field for change in action.changes] == ["comment"]


def test_changed_attributes_use_extattrs_plus_and_keep_the_others() -> None:
    action = plan_network(
        _desired(extensibleAttributes={"Site": "fra"}),
        _actual(extattrs={**MARKERS, "Site": "ams", "Tenant": "t"}),
        OWNER,
        adopt=False,
    )
    assert isinstance(action, Update)
    assert action.data == {"extattrs+": {"Site": {"value": "fra"}}}


def test_attributes_removed_from_the_spec_are_removed_but_never_markers() -> None:
    action = plan_network(
        _desired(),
        _actual(extattrs={**MARKERS, "Site": "ams"}),
        OWNER,
        adopt=False,
        forget={"Site", "ddisync-uid", "Absent"},
    )
    assert isinstance(action, Update)
    assert action.data == {"extattrs-": {"Site": {}}}


def test_an_unmanaged_network_is_not_touched_without_adopt() -> None:
    action = plan_network(_desired(), _actual(extattrs={"Site": "x"}), OWNER, adopt=False)
    assert isinstance(action, Refuse) and action.reason is Reason.NOT_OWNED
    assert "spec.adopt: true" in action.message


def test_adopting_adds_the_markers_and_keeps_foreign_attributes() -> None:
    action = plan_network(_desired(), _actual(extattrs={"Site": "x"}), OWNER, adopt=True)
    assert isinstance(action, Update) and action.adopting
    assert set(action.data["extattrs+"]) == set(MARKERS)
    assert "extattrs" not in action.data


def test_a_network_owned_by_another_resource_is_never_taken_over() -> None:
    other = {**MARKERS, "ddisync-uid": "uid-2", "ddisync-owner": "ns/Network/other"}
    action = plan_network(_desired(), _actual(extattrs=other), OWNER, adopt=True)
    assert isinstance(action, Refuse) and action.reason is Reason.CONFLICT
    assert "ns/Network/other" in action.message


def test_a_changed_cidr_is_refused_not_silently_ignored() -> None:
    action = plan_network(_desired(), _actual(cidr="10.9.0.0/24"), OWNER, adopt=False)
    assert isinstance(action, Refuse) and action.reason is Reason.IMMUTABLE_FIELD
    assert "cidr is immutable" in action.message


def test_a_changed_network_view_is_refused() -> None:
    action = plan_network(_desired(networkView="lab"), _actual(), OWNER, adopt=False)
    assert isinstance(action, Refuse) and action.reason is Reason.IMMUTABLE_FIELD


def test_an_allocated_network_outside_the_new_container_is_refused() -> None:
    desired = desired_network(
        NetworkSpec.model_validate(
            {"allocate": {"fromContainer": "172.16.0.0/12", "prefixLength": 24}}
        )
    )
    action = plan_network(desired, _actual(), OWNER, adopt=False)
    assert isinstance(action, Refuse) and action.reason is Reason.IMMUTABLE_FIELD


def test_deleting_removes_only_our_own_network() -> None:
    assert plan_network_deletion(_actual(), OWNER, DeletionPolicy.DELETE) == Delete(_actual().ref)
    assert plan_network_deletion(_actual(extattrs={}), OWNER, DeletionPolicy.DELETE) is None
    assert plan_network_deletion(None, OWNER, DeletionPolicy.DELETE) is None


def test_retain_keeps_the_network_and_releases_the_markers() -> None:
    action = plan_network_deletion(_actual(), OWNER, DeletionPolicy.RETAIN)
    assert isinstance(action, Release)
    assert set(action.data["extattrs-"]) == set(MARKERS)
