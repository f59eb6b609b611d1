"""Chaos: hundreds of resources converge to exactly the desired Infoblox objects while the grid
fails requests, Redis dies, the operator is killed and the watch streams are cut.

The operator is ``ddisync run`` in its own process (SIGKILLed twice mid-sync), the grid the WAPI
simulator with 503s, connection resets and latency spikes, the cache a real ``redis-server``
(killed and started again) and Kubernetes the API emulator (every watch stream cut). After the
faults stop every resource must be Ready and the grid must hold one object per desired object:
no duplicate from a retried or interrupted create, nothing missing, objects nobody claims
untouched. Deleting half of the resources under faults again must leave nothing of theirs.

The figures (time to converge, failed answers, WAPI calls by method) are printed (``pytest -s``)
and written as JSON to ``$CHAOS_REPORT`` when it is set.

A second test runs ``ddisync demo`` with and without faults and expects the same outcome.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator
from tests.demo_runs import CALM, calm_demo, outcome, start_demo
from tests.e2e.helpers import eventually, extattrs, wapi_create
from tests.redis_server import RedisServer
from tests.reliability.chaos import (
    duplicates,
    expected_counts,
    inventory,
    manifests,
    plural,
    ready_names,
    ref_key,
)
from tests.stack import OperatorProcess

NETWORKS = 40
"""40 Networks and 160 Records (A fixed, A allocated, CNAME, TXT; a third of the A with PTR)."""

FAULTS: dict[str, float] = {
    "fail_rate": 0.07,  # 503 Service Unavailable
    "reset_rate": 0.03,  # TCP reset instead of an answer
    "latency_ms": 5.0,
    "latency_jitter_ms": 150.0,  # spikes: up to 155 ms per request
}
NO_FAULTS: dict[str, float] = dict.fromkeys(FAULTS, 0.0)

REPO = Path(__file__).resolve().parents[2]


def set_faults(simulator: Simulator, faults: dict[str, float]) -> None:
    simulator.faults.update(dict(faults))


async def create_foreign(simulator: Simulator) -> list[str]:
    """Objects another tool made: no ddisync markers, claimed by no resource."""
    return [
        await wapi_create(
            simulator, "network", {"network": "10.61.0.0/24", "comment": "made by hand"}
        ),
        await wapi_create(
            simulator,
            "record:a",
            {"name": "legacy.example.com", "ipv4addr": "10.61.0.5", "comment": "made by hand"},
        ),
        await wapi_create(
            simulator,
            "record:a",
            {"name": "legacy.example.org", "ipv4addr": "10.60.0.77", "extattrs": {}},
        ),
        await wapi_create(
            simulator, "record:txt", {"name": "legacy.example.org", "text": "hand-made"}
        ),
    ]


def objects_by_ref(simulator: Simulator, refs: list[str]) -> dict[str, dict[str, Any]]:
    wanted = {ref_key(ref) for ref in refs}
    found: dict[str, dict[str, Any]] = {}
    for objtype in {ref.partition("/")[0] for ref in refs}:
        for obj in simulator.grid.objects(objtype):
            if ref_key(obj["_ref"]) in wanted:
                found[ref_key(obj["_ref"])] = copy.deepcopy(obj)
    return found


def figures_of(simulator: Simulator) -> dict[str, Any]:
    counters = simulator.counters
    by_method: Counter[str] = Counter()
    for (method, _objtype), n in counters.requests.items():
        by_method[method] += n
    return {
        "wapi_calls": sum(counters.statuses.values()),
        "wapi_calls_by_method": dict(sorted(by_method.items())),
        "answers_503": counters.statuses.get(503, 0),
        "connection_resets": counters.statuses.get(0, 0),
        "by_status": {str(s): n for s, n in sorted(counters.statuses.items())},
    }


async def until(
    what: str,
    check: Callable[[], Awaitable[bool]],
    operator: OperatorProcess,
    timeout: float,
) -> None:
    """``eventually(check)``, failing with the operator's log when it does not come true."""

    async def checked() -> bool:
        if not operator.alive:
            raise RuntimeError("the operator process died")
        return await check()

    try:
        await eventually(checked, timeout=timeout, interval=0.25)
    except (AssertionError, RuntimeError) as error:
        message = f"{what}: {error}\n--- operator log ---\n{operator.log_tail()}"
        raise AssertionError(message) from None


async def redis_degraded(operator: OperatorProcess) -> bool:
    """Whether the operator's readiness reports Redis unreachable (caching in process only)."""
    try:
        async with aiohttp.ClientSession() as http, http.get(operator.readyz_url) as response:
            body = await response.json()
    except (aiohttp.ClientError, ValueError):
        return False  # not serving yet (just restarted)
    return bool(body["checks"]["redis"]["state"] == "degraded")


# Each wait below is generous (a slow CI machine); this bounds the whole test (~25 s here).
@pytest.mark.timeout(240)
@pytest.mark.slow
async def test_hundreds_of_resources_converge_exactly_through_chaos(
    cluster: Cluster, simulator: Simulator, redis_server: RedisServer, tmp_path: Path
) -> None:
    wanted = manifests(NETWORKS)
    total = len(wanted)
    names = {(plural(m), m["metadata"]["name"]) for m in wanted}
    foreign_refs = await create_foreign(simulator)
    foreign = objects_by_ref(simulator, foreign_refs)
    assert len(foreign) == len(foreign_refs)
    simulator.counters.reset()
    set_faults(simulator, FAULTS)

    operator = OperatorProcess(
        cluster,
        simulator,
        tmp_path,
        {
            "DDISYNC_REDIS_URL": redis_server.url,
            # No minutes-long retry delays in a test.
            "DDISYNC_RETRY_DELAY_UNAVAILABLE": "1",
            "DDISYNC_RETRY_DELAY_SLOW": "2",
            "DDISYNC_WAPI_CIRCUIT_RESET_TIMEOUT": "1",
            "DDISYNC_RESYNC_INTERVAL": "5",
            "DDISYNC_CACHE_REDIS_RETRY_SECONDS": "1",
        },
    )
    figures: dict[str, Any] = {"resources": total, "faults": FAULTS, "events": []}

    async def at_least(share: float) -> bool:
        return len(await ready_names(cluster) & names) >= share * total

    async def event(what: str) -> None:
        """Note when something happened and how many resources were Ready then."""
        figures["events"].append({
            "event": what,
            "second": round(time.monotonic() - started, 1),
            "ready": len(await ready_names(cluster) & names),
            "infoblox_objects": sum(len(objects) for objects in inventory(simulator).values()),
        })  # fmt: skip

    try:
        # --- converge through chaos ---------------------------------------------------------
        await operator.start()
        started = time.monotonic()
        for manifest in wanted:
            await cluster.apply(manifest)

        await until("20% Ready", lambda: at_least(0.2), operator, timeout=60)
        await operator.kill()  # crash no. 1, mid-sync
        await event("operator SIGKILLed")
        await operator.start()

        await until("45% Ready", lambda: at_least(0.45), operator, timeout=60)
        redis_server.kill()  # the cache goes away ...
        cluster.emulator.close_watches()  # ... and every watch stream is cut
        await event("Redis killed, watch streams cut")
        # Redis stays away until the operator has met the outage (a cache call failed).
        await until("the operator sees Redis down", lambda: redis_degraded(operator), operator, 30)
        redis_server.start()  # same port, empty

        await until("65% Ready", lambda: at_least(0.65), operator, timeout=60)
        await operator.kill()  # crash no. 2, mid-sync
        cluster.emulator.close_watches()
        await event("operator SIGKILLed, watch streams cut")
        await operator.start()

        await until("85% Ready", lambda: at_least(0.85), operator, timeout=60)
        set_faults(simulator, NO_FAULTS)
        faults_off = time.monotonic()
        await event("faults off")
        await until("all Ready", lambda: at_least(1.0), operator, timeout=90)
        figures["seconds_to_converge"] = round(time.monotonic() - started, 1)
        figures["seconds_to_converge_after_faults_off"] = round(time.monotonic() - faults_off, 1)
        figures["operator_starts"] = operator.starts
        figures["sync"] = figures_of(simulator)

        # --- Infoblox holds exactly the desired objects ---------------------------------------
        resources = {
            (kind, r["metadata"]["name"]): r
            for kind in ("networks", "records")
            for r in await cluster.list(kind, "default")
        }
        found = inventory(simulator)
        assert duplicates(found) == []
        counts = {objtype: len(objects) for objtype, objects in found.items()}
        assert counts == {t: expected_counts(wanted)[t] for t in counts}
        uids = {extattrs(o)["ddisync-uid"] for objects in found.values() for o in objects}
        assert uids == {r["metadata"]["uid"] for r in resources.values()}
        refs = {ref_key(o["_ref"]) for objects in found.values() for o in objects}
        for resource in resources.values():
            status = resource["status"]
            assert ref_key(status["ref"]) in refs, resource["metadata"]["name"]
            if resource["spec"].get("createPTR"):
                assert ref_key(status["ptrRef"]) in refs, resource["metadata"]["name"]
        assert objects_by_ref(simulator, foreign_refs) == foreign

        # --- delete half of them under faults ------------------------------------------------
        doomed = [m for m in wanted if int(m["metadata"]["name"].rsplit("-", 1)[1]) % 2 == 0]
        kept = [m for m in wanted if m not in doomed]
        doomed_uids = {resources[(plural(m), m["metadata"]["name"])]["metadata"]["uid"]
                       for m in doomed}  # fmt: skip
        kept_objects = {
            ref_key(o["_ref"]): copy.deepcopy(o)
            for objects in found.values()
            for o in objects
            if extattrs(o)["ddisync-uid"] not in doomed_uids
        }
        simulator.counters.reset()
        set_faults(simulator, FAULTS)
        deleting = time.monotonic()
        for manifest in doomed:
            await cluster.delete(plural(manifest), "default", manifest["metadata"]["name"])
        cluster.emulator.close_watches()

        async def deleted() -> bool:
            left = {
                (kind, r["metadata"]["name"])
                for kind in ("networks", "records")
                for r in await cluster.list(kind, "default")
            }
            return left == {(plural(m), m["metadata"]["name"]) for m in kept}

        await until("deletions done", deleted, operator, timeout=60)
        set_faults(simulator, NO_FAULTS)
        figures["seconds_to_delete_half"] = round(time.monotonic() - deleting, 1)
        figures["deletion"] = figures_of(simulator)

        found = inventory(simulator)
        assert not [
            o for objects in found.values() for o in objects
            if extattrs(o)["ddisync-uid"] in doomed_uids
        ]  # fmt: skip
        assert duplicates(found) == []
        counts = {objtype: len(objects) for objtype, objects in found.items()}
        assert counts == {t: expected_counts(kept)[t] for t in counts}
        after = {ref_key(o["_ref"]): o for objects in found.values() for o in objects}
        assert after == kept_objects  # the rest untouched: same objects, same fields
        assert objects_by_ref(simulator, foreign_refs) == foreign
        kept_names = {(plural(m), m["metadata"]["name"]) for m in kept}
        assert await ready_names(cluster) >= kept_names
        assert operator.alive
    finally:
        await operator.kill()
        set_faults(simulator, NO_FAULTS)
        report(figures)


def report(figures: dict[str, Any]) -> None:
    print("\nchaos figures:", json.dumps(figures, indent=2))
    path = os.environ.get("CHAOS_REPORT")
    if path:
        Path(path).write_text(json.dumps(figures, indent=2) + "\n")


# --- the demo under faults ---------------------------------------------------------------------


@pytest.mark.timeout(120)
@pytest.mark.slow
@CALM
def test_the_demo_under_faults_ends_as_without_them() -> None:
    faulty = outcome(start_demo("--timeout", "60", "--sim-fail-rate", "0.1",
                                "--sim-latency-ms", "20"))  # fmt: skip
    calm = calm_demo()
    calm_code, calm_doc, calm_err = calm.code, calm.document, calm.stderr
    faulty_code, faulty_doc, faulty_err = faulty.code, faulty.document, faulty.stderr

    assert calm_code == 0, calm_err[-3000:]
    assert faulty_code == 0, faulty_err[-3000:]

    def summary(document: dict[str, Any]) -> list[tuple[str, str, bool, str]]:
        return sorted(
            (r["kind"], r["name"], r["ready"], r["reason"]) for r in document["resources"]
        )

    assert summary(calm_doc)
    assert all(ready for _kind, _name, ready, _reason in summary(calm_doc))
    assert summary(faulty_doc) == summary(calm_doc), faulty_err[-3000:]
    assert faulty_doc["infoblox"] == calm_doc["infoblox"]
