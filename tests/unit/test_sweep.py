"""The drift sweep writes a check's status only while the resource is as the check saw it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import kopf
import pytest

from ddisync.handlers import sweep
from ddisync.handlers.context import Context
from ddisync.handlers.index import catalog
from ddisync.handlers.reconcile import AnyDriver
from ddisync.metrics import Metrics
from ddisync.sync.record import DRIVER as RECORD
from tests.stack import operator_settings

UID = "u1"


def _memo(generation: int) -> kopf.Memo:
    memo = kopf.Memo(shared={}, metrics=Metrics(), grids=None)
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


def _repair(memo: kopf.Memo, edit_meanwhile: bool) -> Any:
    """A drift check that repairs (as ``drift.check_drift`` would), maybe racing an edit."""

    async def check(
        driver: AnyDriver, body: Mapping[str, Any], patch: kopf.Patch, ctx: Context, *_: Any
    ) -> bool:
        patch.status["observedGeneration"] = body["metadata"]["generation"]
        if edit_meanwhile:  # the user edits the spec while the repair runs
            newer = {"metadata": {**body["metadata"], "generation": 2}}
            catalog(memo).bodies["Record"][UID] = newer
        return True

    return check


SETTINGS = operator_settings("https://127.0.0.1:1", "sweep-test")


async def test_a_repair_writes_its_status(
    monkeypatch: pytest.MonkeyPatch, written: list[Mapping[str, Any]]
) -> None:
    memo = _memo(generation=1)
    monkeypatch.setattr(sweep, "check_drift", _repair(memo, edit_meanwhile=False))
    await sweep.sweep(memo, SETTINGS, RECORD)
    assert written == [{"observedGeneration": 1}]


async def test_a_status_for_a_spec_edited_meanwhile_is_left_to_the_handler(
    monkeypatch: pytest.MonkeyPatch, written: list[Mapping[str, Any]]
) -> None:
    memo = _memo(generation=1)
    monkeypatch.setattr(sweep, "check_drift", _repair(memo, edit_meanwhile=True))
    await sweep.sweep(memo, SETTINGS, RECORD)
    assert written == []
