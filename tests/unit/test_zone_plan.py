"""The Zone decision table (reconcile.zone), its grants reach and its dependents, with no I/O."""

from __future__ import annotations

from typing import Any

import pytest

from ddisync.api.grant import DDIGrantSpec
from ddisync.api.zone import ZoneSpec
from ddisync.handlers.index import Catalog
from ddisync.reconcile.ownership import Owner
from ddisync.reconcile.plan import Create, NoChange, Refuse, Update
from ddisync.reconcile.zone import ActualZone, desired_zone, plan_zone
from ddisync.sync.record import DRIVER as RECORD
from ddisync.sync.zone import DRIVER as ZONE
from ddisync.tenancy.grants import check

OWNER = Owner("c1", "Zone", "ns", "z", "uid-1")
MARKERS = {"ddisync-cluster": "c1", "ddisync-owner": "ns/Zone/z", "ddisync-uid": "uid-1"}


def _desired(**spec: Any):  # type: ignore[no-untyped-def]
    return desired_zone(ZoneSpec.model_validate({"fqdn": "Team.Example.com", **spec}))


def _actual(**fields: Any) -> ActualZone:
    values: dict[str, Any] = {
        "ref": "zone_auth/abc:team.example.com/default", "fqdn": "team.example.com",
        "zone_format": "FORWARD", "view": "default", "ns_group": None, "comment": "",
        "extattrs": dict(MARKERS),
    }  # fmt: skip
    return ActualZone(**{**values, **fields})


def test_a_missing_zone_is_created_with_its_format_group_and_markers() -> None:
    action = plan_zone(_desired(nsGroup="default"), None, OWNER, adopt=False)
    assert isinstance(action, Create) and action.objtype == "zone_auth"
    assert action.data["fqdn"] == "team.example.com"
    assert (action.data["zone_format"], action.data["ns_group"]) == ("FORWARD", "default")
    reverse = plan_zone(_desired(fqdn="2001:db8:a::/48"), None, OWNER, adopt=False)
    assert isinstance(reverse, Create) and reverse.data["zone_format"] == "IPV6"
    assert "ns_group" not in reverse.data  # absent: the zone's name servers are not ours to set


@pytest.mark.parametrize(
    ("spec", "actual", "expected"),
    [
        ({}, {}, NoChange),
        ({"comment": "x"}, {}, Update),
        ({"nsGroup": "b"}, {"ns_group": "a"}, Update),
        ({}, {"ns_group": "kept"}, NoChange),  # no nsGroup in the spec: left as it is
        ({"view": "internal"}, {}, Refuse),
        ({}, {"extattrs": {}}, Refuse),  # not ours, no adopt: NotOwned
    ],
)
def test_an_existing_zone_is_planned_by_the_table(
    spec: dict[str, Any], actual: dict[str, Any], expected: type
) -> None:
    assert isinstance(plan_zone(_desired(**spec), _actual(**actual), OWNER, adopt=False), expected)


def _refusal(fqdn: str) -> str | None:
    grant = DDIGrantSpec.model_validate(
        {"namespaces": ["ns"], "dns": {"views": ["default"], "zones": ["team.example.com"]},
         "ipam": {"containers": ["10.64.0.0/12"]}}
    )  # fmt: skip
    spec = ZoneSpec.model_validate({"fqdn": fqdn})
    refusal = check(ZONE.reach(spec, desired_zone(spec), "ns"), {"g": grant}, {})
    return None if refusal is None else refusal.message


def test_a_zone_is_judged_by_its_name_or_by_its_network() -> None:
    assert _refusal("team.example.com") is None and _refusal("a.team.example.com") is None
    assert _refusal("10.64.0.0/16") is None
    assert "`example.com` is outside the zones" in str(_refusal("example.com"))
    assert "address `10.1.0.0/16` is outside the containers" in str(_refusal("10.1.0.0/16"))


def test_a_record_uses_every_zone_its_names_may_lie_in_and_a_zone_finds_it() -> None:
    catalog = Catalog()
    spec = {"type": "Host", "name": "db.team.example.com", "aliases": ["db.other.org"],
            "address": "10.64.1.5", "createPTR": True}  # fmt: skip
    event: Any = {"type": "ADDED", "object": {
        "metadata": {"namespace": "ns", "name": "db", "uid": "u1"}, "spec": spec}}  # fmt: skip
    catalog.keep("Record", None, event, True, RECORD.references)  # type: ignore[arg-type]
    for fqdn in ("team.example.com", "example.com", "other.org", "10.64.0.0/16"):
        (key,) = ZONE.user_keys({"fqdn": fqdn}, "z")
        assert catalog.users_of("Zone", "ns", key) == ["Record ns/db"], fqdn
    (elsewhere,) = ZONE.user_keys({"fqdn": "team.example.com", "view": "internal"}, "z")
    assert catalog.users_of("Zone", "ns", elsewhere) == []
    event["type"] = "DELETED"
    catalog.keep("Record", None, event, True, RECORD.references)  # type: ignore[arg-type]
    assert catalog.users == {}
