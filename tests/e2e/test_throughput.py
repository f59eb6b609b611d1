"""A cold sync at the Grid Master's pace: lookups read pages, writes go in multi-object requests,
and a batch that fails or whose answer is lost costs no resource its own outcome and leaves no
duplicate (``ddisync.wapi.coalesce``, ``ddisync.sync.lookup``).

Each test starts its own operator after its resources exist (a cold start), with a batch
window long enough that everything it plans at once goes in one request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest

from ddisync.config import Settings
from ddisync.runtime import running_operator
from ddisync_emulator.cluster import Cluster
from tests.e2e.helpers import condition_of, record_manifest, wapi_request

# Everything the operator plans within half a second of the last write joins one request.
BATCHING = {"wapi_batch_window": 3.0, "wapi_batch_quiet": 0.5}

StartOperator = Callable[[], AbstractAsyncContextManager[object]]


@pytest.fixture()
def start_operator(cluster: Cluster, settings: Settings, quick_stop: None) -> StartOperator:
    batching = settings.model_copy(update=BATCHING)
    return lambda: running_operator(batching, connection=cluster.connection, post_events=False)


def _records(namespace: str, count: int, first: int = 0) -> list[dict[str, Any]]:
    return [
        record_manifest(
            f"r{i}", namespace, type="A", name=f"r{i}.{namespace}.example.com",
            address=f"10.77.{i // 250}.{i % 250 + 1}",
        )
        for i in range(first, first + count)
    ]  # fmt: skip


async def _each_exactly_once(simulator: Any, manifests: list[dict[str, Any]]) -> None:
    """Each record is in the grid, once: no duplicate, nothing missing."""
    for manifest in manifests:
        name = manifest["spec"]["name"]
        found = await wapi_request(simulator, "GET", f"record:a?name={name}")
        assert len(found) == 1, (name, found)


async def _all_ready(cluster: Cluster, namespace: str, names: list[str]) -> None:
    for name in names:
        await condition_of(cluster, "records", name, namespace=namespace)


async def test_a_cold_start_reads_pages_not_one_lookup_per_resource(
    cluster: Cluster, simulator: Any, namespace: str, start_operator: StartOperator
) -> None:
    count = 60
    manifests = _records(namespace, count)
    for manifest in manifests:
        await cluster.apply(manifest)
    async with start_operator():
        await _all_ready(cluster, namespace, [m["metadata"]["name"] for m in manifests])
    requests = simulator.counters.snapshot()["by_method_and_type"]
    # By marker: one page of this cluster's record:a objects, not 60 searches. The searches
    # by name and address (someone else's record to adopt or refuse) and the creates go in
    # multi-object requests: far fewer requests than records.
    assert requests.get("GET record:a", 0) <= 2, requests
    assert requests.get("POST record:a", 0) <= 2, requests
    assert sum(requests.values()) <= count // 5, requests
    # Operations the grid ran: the page and one search by identity each, no marker search.
    operations = simulator.counters.snapshot()["operations_by_method_and_type"]
    assert operations["GET record:a"] <= count + 2, operations
    await _each_exactly_once(simulator, manifests)


async def test_an_invalid_create_in_a_batch_fails_alone_with_its_own_message(
    cluster: Cluster, simulator: Any, namespace: str, start_operator: StartOperator
) -> None:
    good = _records(namespace, 5)
    bad = record_manifest("bad", namespace, type="A", name="web.nozone.test", address="10.5.0.1")
    for manifest in [*good, bad]:
        await cluster.apply(manifest)
    async with start_operator():
        condition = await condition_of(cluster, "records", "bad", "False", namespace)
        await _all_ready(cluster, namespace, [m["metadata"]["name"] for m in good])
    assert condition["reason"] == "ParentNotFound"
    assert "no DNS zone in view 'default' holds web.nozone.test" in condition["message"]
    # The batch holding it was refused as a whole; each create was then sent on its own.
    assert simulator.counters.total(method="POST", objtype="request", status=400) >= 1
    await _each_exactly_once(simulator, good)


async def test_a_batch_whose_answer_is_lost_leaves_no_duplicate(
    cluster: Cluster, simulator: Any, namespace: str, start_operator: StartOperator
) -> None:
    first = _records(namespace, 1)
    await cluster.apply(first[0])
    async with start_operator():
        await _all_ready(cluster, namespace, ["r0"])  # markers defined, the operator warm
        batch = _records(namespace, 6, first=1)
        simulator.faults.drop_after_commit = 1  # the batch commits; its answer never comes
        simulator.counters.reset()
        for manifest in batch:
            await cluster.apply(manifest)
        await _all_ready(cluster, namespace, [m["metadata"]["name"] for m in batch])
    assert simulator.faults.drop_after_commit == 0, "the fault was never triggered"
    assert simulator.counters.total(method="POST", objtype="request") >= 1
    operations = simulator.counters.snapshot()["operations_by_method_and_type"]
    # The six creates were sent once, in the batch; what landed was found, not sent again.
    assert operations.get("POST record:a") == 6, operations
    await _each_exactly_once(simulator, batch)


@pytest.fixture(autouse=True)
async def _no_fault_left(simulator: Any) -> AsyncIterator[None]:
    yield
    simulator.faults.drop_after_commit = 0
