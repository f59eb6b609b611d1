"""The drift sweep writes a check's status only while the resource is as the check saw it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import kopf
import pytest

from ddisync.config import Settings
from ddisync.handlers import sweep
from ddisync.handlers.index import catalog
from ddisync.metrics import Metrics

UID = "u1"


def _memo(generation: int) -> kopf.Memo:
    memo = kopf.Memo(shared={}, metrics=Metrics())
    body = {"metadata": {"uid": UID, "name": "r1", "namespace": "ns", "generation": generation}}
    catalog(memo).bodies["Record"] = {UID: body}
    return memo


@pytest.fixture()
def written(monkeypatch: pytest.MonkeyPatch) -> list[Mapping[str, Any]]:
    """The statuses the sweep would write, instead of writing them."""
    patches: list[Mapping[str, Any]] = []

    async def record(memo: kopf.Memo, kind: str, meta: Any, patch: kopf.Patch) -> None:
        patches.append(dict(patch.status))

    monkeypatch.setattr(sweep, "_write_status", record)
    return patches


def _repair(edit_meanwhile: bool) -> sweep.DriftCheck:
    async def check(
        memo: kopf.Memo, _: Settings, body: Mapping[str, Any], patch: kopf.Patch
    ) -> bool:
        patch.status["observedGeneration"] = body["metadata"]["generation"]
        if edit_meanwhile:  # the user edits the spec while the repair runs
            newer = {"metadata": {**body["metadata"], "generation": 2}}
            catalog(memo).bodies["Record"][UID] = newer
        return True

    return check


async def test_a_repair_writes_its_status(
    monkeypatch: pytest.MonkeyPatch, written: list[Mapping[str, Any]]
) -> None:
    monkeypatch.setitem(sweep.CHECKS, "Record", _repair(edit_meanwhile=False))
    memo = _memo(generation=1)
    await sweep.sweep(memo, cast(Settings, None), "Record")
    assert written == [{"observedGeneration": 1}]


async def test_a_status_for_a_spec_edited_meanwhile_is_left_to_the_handler(
    monkeypatch: pytest.MonkeyPatch, written: list[Mapping[str, Any]]
) -> None:
    monkeypatch.setitem(sweep.CHECKS, "Record", _repair(edit_meanwhile=True))
    await sweep.sweep(_memo(generation=1), cast(Settings, None), "Record")
    assert written == []
