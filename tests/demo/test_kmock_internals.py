"""What the emulator does through kmock's insides, seen from outside.

kmock's DSL still works on the emulator (a test's reaction answers instead of it), kmock's
histories stay short (the speed of the emulator depends on it), objects written straight into
``emu.objects`` are served, and a reaction's failure is answered and kept for kmock's strict
mode, in a stream too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import kmock
import pytest

from ddisync_emulator import namespaces
from ddisync_emulator.cluster import Cluster, running_cluster
from ddisync_emulator.emulator import ApiServerEmulator


@pytest.fixture()
async def cluster() -> AsyncIterator[Cluster]:
    async with running_cluster() as running:  # no CRDs: only built-in resources are used here
        yield running


async def test_a_reaction_a_test_adds_answers_instead_of_the_emulator(cluster: Cluster) -> None:
    emu = cluster.emulator
    reaction = emu["get /api/v1/namespaces/default"] << 503
    async with cluster.session.get(cluster.url + "/api/v1/namespaces/default") as response:
        assert response.status == 503
    assert len(reaction) == 1  # the reaction saw it, for the test's assertions
    assert (await cluster.get("namespaces", None, "kube-system")) is not None  # others: served


async def test_a_write_answered_by_a_reaction_is_still_applied(cluster: Cluster) -> None:
    cluster.emulator["post /api/v1/namespaces"] << 500
    async with cluster.session.post(
        cluster.url + "/api/v1/namespaces", json=namespaces.manifest("made")
    ) as response:
        assert response.status == 500
    assert (await cluster.get("namespaces", None, "made")) is not None


async def test_kmocks_histories_keep_only_requests_in_flight_and_the_last_few(
    cluster: Cluster,
) -> None:
    emu = cluster.emulator
    reaction = emu["get /version"] << {"major": "1"}
    for _ in range(20):
        await cluster.request("GET", "/version")
    assert len(emu) == 0  # no request in flight
    assert len(reaction) == 16


async def test_object_versions_kept_for_assertions_are_capped(cluster: Cluster) -> None:
    for n in range(5):
        await cluster.patch("namespaces", None, "default", {"metadata": {"labels": {"n": str(n)}}})
    stored = cluster.emulator.objects[cluster.resolve("namespaces"), None, "default"]
    assert len(stored.history) == ApiServerEmulator.history_limit
    assert stored["metadata"]["labels"]["n"] == "4"


async def test_an_object_written_into_kmocks_storage_is_served(cluster: Cluster) -> None:
    configmaps = cluster.resolve("configmaps")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "1"},
            "metadata": {"name": "direct", "namespace": "default"}}  # fmt: skip
    cluster.emulator.objects[configmaps, "default", "direct"] = body
    fetched = await cluster.get("configmaps", "default", "direct")
    assert fetched is not None and fetched["data"] == {"a": "1"}
    assert [cm["metadata"]["name"] for cm in await cluster.list("configmaps")] == ["direct"]


async def test_a_failing_reaction_is_answered_and_kept_for_strict_mode(cluster: Cluster) -> None:
    emu = cluster.emulator
    emu["get /boom"] << ZeroDivisionError
    for _ in range(20):
        async with cluster.session.get(cluster.url + "/boom") as response:
            assert response.status == 500
            assert (await response.json())["reason"] == "InternalError"
    assert len(emu.errors) == 16
    assert all(isinstance(error, ZeroDivisionError) for error in emu.errors)
    emu.errors.clear()  # kmock would re-raise them at exit in strict mode


async def test_a_stream_failing_after_its_headers_ends_with_an_error_event(
    cluster: Cluster,
) -> None:
    emu = cluster.emulator
    emu["get /stream"] << (b'{"type": "ADDED"}\n', ZeroDivisionError)
    async with cluster.session.get(cluster.url + "/stream") as response:
        assert response.status == 200  # too late for another status
        lines = (await response.read()).splitlines()
    assert lines[0] == b'{"type": "ADDED"}'
    assert b'"type": "ERROR"' in lines[1] and b"ZeroDivisionError" in lines[1]
    assert [type(error) for error in emu.errors] == [ZeroDivisionError]
    emu.errors.clear()


def test_the_emulator_is_a_kmock_kubernetes_emulator() -> None:
    assert issubclass(ApiServerEmulator, kmock.KubernetesEmulator)
