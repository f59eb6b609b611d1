"""Which owned objects are orphans: the decision table of ``ddisync.sync.orphans``."""

from __future__ import annotations

from typing import Any

from ddisync.sync.orphans import NamespaceScope, find_orphans


def _obj(ref: str, **markers: str) -> dict[str, Any]:
    names = {"cluster": "ddisync-cluster", "owner": "ddisync-owner", "uid": "ddisync-uid"}
    return {"_ref": ref, "extattrs": {names[k]: {"value": v} for k, v in markers.items()}}


def _refs(objects: list[dict[str, Any]], **kwargs: Any) -> list[str]:
    options: dict[str, Any] = {
        "kind": "Record",
        "cluster": "c1",
        "live_uids": {"live"},
        "namespaces": NamespaceScope(),
    }
    return [o.ref for o in find_orphans(objects, **{**options, **kwargs})]


def test_an_object_of_a_vanished_resource_is_an_orphan() -> None:
    assert _refs([_obj("a/1", cluster="c1", owner="ns/Record/x", uid="gone")]) == ["a/1"]


def test_a_live_resource_s_object_is_not_an_orphan() -> None:
    assert _refs([_obj("a/1", cluster="c1", owner="ns/Record/x", uid="live")]) == []


def test_another_cluster_s_object_is_never_an_orphan() -> None:
    assert _refs([_obj("a/1", cluster="c2", owner="ns/Record/x", uid="gone")]) == []


def test_an_object_without_a_readable_owner_is_never_an_orphan() -> None:
    objects = [
        _obj("a/1", cluster="c1", uid="gone"),
        _obj("a/2", cluster="c1", owner="garbage", uid="gone"),
        _obj("a/3", cluster="c1", owner="ns/Network/x", uid="gone"),  # another kind's
        _obj("a/4", cluster="c1", owner="ns/Record/x"),
    ]
    assert _refs(objects) == []


def test_namespaces_outside_the_watched_ones_belong_to_another_shard() -> None:
    objects = [
        _obj("a/1", cluster="c1", owner="team-a/Record/x", uid="gone"),
        _obj("a/2", cluster="c1", owner="team-b/Record/x", uid="gone"),
        _obj("a/3", cluster="c1", owner="legacy/Record/x", uid="gone"),
    ]
    assert _refs(objects, namespaces=NamespaceScope(("team-*", "!team-b"))) == ["a/1"]
    assert _refs(objects, namespaces=NamespaceScope(("!legacy",))) == ["a/1", "a/2"]
