"""The drift sweep writes a check's status only while the resource is as the check saw it."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import kopf
import pytest

from ddisync.handlers import sweep
from ddisync.handlers.context import Context
from ddisync.handlers.index import catalog
from ddisync.handlers.locks import resource_lock
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


async def test_a_check_waits_for_the_resource_s_handler_and_skips_a_resource_it_deleted(
    monkeypatch: pytest.MonkeyPatch, written: list[Mapping[str, Any]]
) -> None:
    """The finalizer holds the resource (``handlers/locks.py``); once it is done, the resource
    is gone from the catalog and the waiting check touches nothing."""
    memo = _memo(generation=1)
    checked: list[Mapping[str, Any]] = []

    async def check(driver: AnyDriver, body: Mapping[str, Any], *_: Any) -> bool:
        checked.append(body)
        return False

    monkeypatch.setattr(sweep, "check_drift", check)
    body = catalog(memo).bodies["Record"][UID]
    async with resource_lock(memo, UID):  # the finalizer runs
        waiting = asyncio.create_task(sweep.check_one(memo, SETTINGS, RECORD, body))
        await asyncio.sleep(0.01)
        assert checked == []  # the check waits
        del catalog(memo).bodies["Record"][UID]  # the deletion's event
    await waiting
    assert checked == [] and written == []


async def test_a_check_that_waited_judges_the_newest_body(
    monkeypatch: pytest.MonkeyPatch, written: list[Mapping[str, Any]]
) -> None:
    memo = _memo(generation=1)
    checked: list[int] = []

    async def check(driver: AnyDriver, body: Mapping[str, Any], *_: Any) -> bool:
        checked.append(body["metadata"]["generation"])
        return False

    monkeypatch.setattr(sweep, "check_drift", check)
    body = catalog(memo).bodies["Record"][UID]
    async with resource_lock(memo, UID):  # a spec change's reconcile runs
        waiting = asyncio.create_task(sweep.check_one(memo, SETTINGS, RECORD, body))
        await asyncio.sleep(0.01)
        catalog(memo).bodies["Record"][UID] = {"metadata": {**body["metadata"], "generation": 2}}
    await waiting
    assert checked == [2]
