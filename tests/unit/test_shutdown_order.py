"""At shutdown every background task (marker check, orphan scan, drift sweep) has stopped before
the WAPI client and the read cache close: none works on against a closed client.

kopf's own activity runner runs the operator's real start-up and clean-up handlers, with a real
WAPI client talking to the simulator.
"""

from __future__ import annotations

import asyncio

import kopf
import pytest
from kopf._core.engines.activities import run_activity
from kopf._core.engines.indexing import OperatorIndexers
from kopf._core.intents.causes import Activity

from ddisync.handlers import register_handlers
from ddisync.handlers.shared import shared
from ddisync.health import HealthState
from ddisync.metrics import Metrics
from ddisync_simulator import Simulator
from tests.stack import operator_settings


async def _activity(registry: kopf.OperatorRegistry, activity: Activity, memo: kopf.Memo) -> None:
    await run_activity(
        lifecycle=kopf.lifecycles.all_at_once,
        registry=registry,
        settings=kopf.OperatorSettings(),
        activity=activity,
        indices=OperatorIndexers().indices,
        memo=memo,
    )


@pytest.mark.e2e
async def test_background_tasks_stop_before_the_wapi_client_closes(simulator: Simulator) -> None:
    settings = operator_settings(simulator.url, "shutdown", resync_interval=0.05)
    registry = kopf.OperatorRegistry()
    register_handlers(registry, settings)
    memo = kopf.Memo(settings=settings, metrics=Metrics(), health=HealthState(), shared={})
    await _activity(registry, Activity.STARTUP, memo)
    background: dict[str, asyncio.Task[None]] = dict(shared(memo, "background", dict))
    assert {"marker-check", "orphan-scan", "drift-sweep"} <= set(background)
    await asyncio.sleep(0.2)  # the periodic tasks are past their first passes

    running_at_each_close: list[list[str]] = []
    close = memo.grids.default.client.aclose

    async def close_and_note() -> None:
        running_at_each_close.append([name for name, t in background.items() if not t.done()])
        await close()

    memo.grids.default.client.aclose = close_and_note
    await _activity(registry, Activity.CLEANUP, memo)
    assert running_at_each_close == [[]]  # closed once, with nothing left running
    assert all(task.done() for task in background.values())
