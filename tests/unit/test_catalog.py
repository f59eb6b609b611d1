"""The catalog keeps, per kind, the newest body of each resource the drift sweep checks."""

from __future__ import annotations

from typing import Any

import kopf

from ddisync.handlers.index import Catalog

RECORDS = kopf.Resource("ddisync.io", "v1alpha1", "records", namespaced=True)


def _event(kind: str, uid: str, **meta: Any) -> kopf.RawEvent:
    body = {"metadata": {"uid": uid, "name": uid, "namespace": "default", **meta}, "spec": {}}
    return {"type": kind, "object": body}  # type: ignore[typeddict-item]


def test_the_newest_body_is_kept_and_a_deleted_one_forgotten() -> None:
    known = Catalog()
    known.keep_body("Record", RECORDS, _event("ADDED", "u1", generation=1), reconciled=True)
    newer = _event("MODIFIED", "u1", generation=2)
    known.keep_body("Record", RECORDS, newer, reconciled=True)
    assert known.bodies["Record"]["u1"] is newer["object"]  # a reference, not a copy
    assert known.resources["Record"] == RECORDS
    known.keep_body("Record", RECORDS, _event("DELETED", "u1"), reconciled=True)
    assert known.bodies["Record"] == {}


def test_a_resource_being_deleted_is_not_swept() -> None:
    known = Catalog()
    known.keep_body("Record", RECORDS, _event("ADDED", "u1"), reconciled=True)
    deleting = _event("MODIFIED", "u1", deletionTimestamp="2026-11-27T00:00:00Z")
    known.keep_body("Record", RECORDS, deleting, reconciled=True)
    assert "u1" not in known.bodies["Record"]


def test_a_resource_relabelled_to_another_shard_is_dropped() -> None:
    known = Catalog()
    known.keep_body("Record", RECORDS, _event("ADDED", "u1"), reconciled=True)
    known.keep_body("Record", RECORDS, _event("MODIFIED", "u1"), reconciled=False)
    assert "u1" not in known.bodies["Record"]


def test_statuses_and_uids_follow_the_events_of_every_kind() -> None:
    known = Catalog()
    added = _event("ADDED", "u1")
    added["object"]["status"] = {"cidr": "10.0.0.0/24"}
    known.keep("Network", RECORDS, added, reconciled=False)
    assert known.status_of("Network", "default", "u1") == {"cidr": "10.0.0.0/24"}
    assert known.uids["Network"] == {"u1": "default/u1"}
    assert "u1" not in known.bodies["Network"]  # another shard's: resolvable, not swept
    known.keep("Network", RECORDS, _event("DELETED", "u1"), reconciled=False)
    assert known.status_of("Network", "default", "u1") is None
    assert known.uids["Network"] == {}
