"""The client against the simulator over real HTTP: CRUD, paging, faults, sessions, TLS."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ddisync.wapi import (
    AuthenticationError,
    BatchOp,
    CircuitOpenError,
    ConflictError,
    NotFoundError,
    ParentNotFoundError,
    UnavailableError,
    WapiClient,
    WapiSettings,
)
from ddisync.wapi.transport import TLSError
from ddisync_simulator import SimulatorOptions, running_simulator

from .conftest import RecordingObserver

USER, PASSWORD = "admin", "sim-Pa55&word"
ZONE = "example.com"


def settings_for(sim: Any, **overrides: Any) -> WapiSettings:
    values: dict[str, Any] = {
        "url": sim.url,
        "username": USER,
        "password": PASSWORD,
        "rate_limit": 1000.0,
        "burst": 1000,
        "backoff_base": 0.001,
        "backoff_max": 0.01,
        "circuit_reset_timeout": 0.05,
    }
    if getattr(sim, "ca_file", None):
        values["ca_bundle"] = str(sim.ca_file)
    values.update(overrides)
    return WapiSettings(**values)


@pytest.fixture
async def sim() -> AsyncIterator[Any]:
    async with running_simulator(
        SimulatorOptions(username=USER, password=PASSWORD, tls=False, seed=None)
    ) as sim:
        yield sim


@pytest.fixture
async def client(sim: Any) -> AsyncIterator[WapiClient]:
    async with WapiClient(settings_for(sim)) as client:
        yield client


def a_record(i: int, uid: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"name": f"h{i}.{ZONE}", "ipv4addr": f"10.1.{i // 250}.{i % 250 + 1}"}
    if uid:
        data["extattrs"] = {"ddisync-uid": {"value": uid}}
    return data


async def test_create_read_update_delete(client: WapiClient) -> None:
    created = await client.create(
        "record:a", a_record(1, "uid-1"), return_fields=["extattrs", "ttl", "comment"]
    )
    ref = created["_ref"]
    assert ref.startswith("record:a/") and created["name"] == f"h1.{ZONE}"
    assert created["extattrs"]["ddisync-uid"]["value"] == "uid-1"
    found = await client.get("record:a", {"*ddisync-uid": "uid-1"})
    assert [o["_ref"] for o in found] == [ref]
    updated = await client.update(ref, {"comment": "hello & = *"}, return_fields=["comment"])
    assert updated["comment"] == "hello & = *"
    assert (await client.get_ref(ref, return_fields=["comment"]))["comment"] == "hello & = *"
    assert await client.delete(ref) == ref
    with pytest.raises(NotFoundError):
        await client.get_ref(ref)
    with pytest.raises(NotFoundError):
        await client.delete(ref)


async def test_typed_errors_carry_the_grid_text(client: WapiClient) -> None:
    await client.create("record:cname", {"name": f"alias.{ZONE}", "canonical": f"x.{ZONE}"})
    with pytest.raises(ConflictError, match="already exists"):
        await client.create("record:cname", {"name": f"alias.{ZONE}", "canonical": f"y.{ZONE}"})
    with pytest.raises(ParentNotFoundError):
        await client.create("record:a", {"name": "h.no-such-zone.test", "ipv4addr": "10.9.9.9"})


async def test_hostile_values_cannot_change_the_query(client: WapiClient) -> None:
    await client.create("record:a", a_record(2))
    assert len(await client.get("record:a", {"name~": "h2"})) == 1
    for hostile in (f"h2.{ZONE}&name~=.", "nothing&_max_results=1", "*", "a b", "x=y~z"):
        assert await client.get("record:a", {"name": hostile}) == []


async def test_listings_page_through_everything(sim: Any, client: WapiClient) -> None:
    await client.batch([BatchOp.create("record:a", a_record(i, "bulk")) for i in range(230)])
    pages = [p async for p in client.iter_pages("record:a", {"*ddisync-uid": "bulk"}, page_size=50)]
    assert [len(p) for p in pages] == [50, 50, 50, 50, 30]
    assert len(await client.get("record:a", {"*ddisync-uid": "bulk"})) == 230


async def test_more_than_a_thousand_objects_are_never_truncated(client: WapiClient) -> None:
    ops = [BatchOp.create("record:a", a_record(i, "big")) for i in range(1205)]
    await client.batch(ops)
    found = await client.get("record:a", {"*ddisync-uid": "big"})
    assert len({o["_ref"] for o in found}) == 1205


async def test_batch_maps_results_back(client: WapiClient) -> None:
    created = await client.batch([BatchOp.create("record:a", a_record(i)) for i in range(3)])
    assert all(isinstance(r, str) and r.startswith("record:a/") for r in created)
    reads = await client.batch(
        [BatchOp.get("record:a", {"name": f"h{i}.{ZONE}"}) for i in (2, 0, 1)]
    )
    assert [r[0]["name"] for r in reads] == [f"h2.{ZONE}", f"h0.{ZONE}", f"h1.{ZONE}"]


# After a failure that may have reached the grid, each create attempt is a marker lookup and a
# POST, both exposed to the fault: it succeeds with 0.7 * 0.7 = 0.49. With 10 attempts one of 40
# creates failed about one run in ten (0.51**9 * 40); with 25, once in about 250,000 runs.
RANDOM_FAULT_ATTEMPTS = 25


async def test_503_bursts_are_ridden_out(sim: Any, observer: RecordingObserver) -> None:
    sim.faults.fail_rate = 0.3
    # batch_size 1: each create its own request. Coalesced, the 40 creates are one or two
    # requests, which all pass about half the time and the test proves nothing (it failed so).
    async with WapiClient(
        settings_for(
            sim, max_attempts=RANDOM_FAULT_ATTEMPTS, circuit_failure_threshold=50, batch_size=1
        ),
        observer=observer,
    ) as client:
        await asyncio.gather(
            *(
                client.create(
                    "record:a", a_record(i, f"u{i}"), find_existing={"*ddisync-uid": f"u{i}"}
                )
                for i in range(40)
            )
        )
        sim.faults.fail_rate = 0.0
        assert len(await client.get("record:a", {"name~": "^h"})) == 40
    assert "503" in observer.retries


async def test_resets_never_duplicate_a_create(sim: Any, observer: RecordingObserver) -> None:
    sim.faults.reset_rate = 0.3
    # batch_size 1: each create its own request, so that resets hit many of them (the
    # coalesced path is tested in tests/e2e/test_throughput.py).
    async with WapiClient(
        settings_for(
            sim, max_attempts=RANDOM_FAULT_ATTEMPTS, circuit_failure_threshold=50, batch_size=1
        ),
        observer=observer,
    ) as client:
        results = await asyncio.gather(
            *(
                client.create(
                    "record:a", a_record(i, f"r{i}"), find_existing={"*ddisync-uid": f"r{i}"}
                )
                for i in range(40)
            ),
            return_exceptions=True,
        )
        sim.faults.reset_rate = 0.0
        assert not [r for r in results if isinstance(r, BaseException)]
        listed = await client.get("record:a", {"name~": "^h"}, return_fields=["extattrs"])
    uids = [o["extattrs"]["ddisync-uid"]["value"] for o in listed]
    assert sorted(uids) == sorted(f"r{i}" for i in range(40))  # each exactly once
    assert "connection" in observer.retries


async def test_slow_answers_time_out_and_are_retried(sim: Any) -> None:
    sim.faults.latency_ms = 300
    async with WapiClient(settings_for(sim, total_timeout=0.1, max_attempts=2)) as client:
        with pytest.raises(UnavailableError) as info:
            await client.get("networkview")
        assert info.value.reason == "timeout"
        sim.faults.latency_ms = 0
        assert await client.get("networkview")


async def test_the_connection_limit_403_is_retried(sim: Any, observer: RecordingObserver) -> None:
    sim.faults.max_concurrency = 2
    sim.faults.latency_ms = 20
    async with WapiClient(
        settings_for(sim, max_attempts=20, circuit_failure_threshold=100), observer=observer
    ) as client:
        await client.ping()
        results = await asyncio.gather(*(client.get("networkview") for _ in range(16)))
    assert all(results)
    assert "403-limit" in observer.retries


async def test_the_circuit_opens_and_recovers(sim: Any) -> None:
    async with WapiClient(
        settings_for(sim, max_attempts=3, circuit_failure_threshold=3, circuit_reset_timeout=0.2)
    ) as client:
        await client.ping()
        sim.faults.fail_rate = 1.0
        with pytest.raises(UnavailableError):
            await client.ping()
        assert client.circuit_open
        with pytest.raises(CircuitOpenError):
            await client.ping()
        sim.faults.fail_rate = 0.0
        await asyncio.sleep(0.25)
        await client.ping()
        assert not client.circuit_open


async def test_wrong_credentials_never_lock_the_grid_out() -> None:
    options = SimulatorOptions(
        username=USER, password=PASSWORD, tls=False, seed=None, lockout_failures=3
    )
    async with running_simulator(options) as sim:
        async with WapiClient(settings_for(sim, password="wrong")) as bad:
            for _ in range(5):
                results = await asyncio.gather(
                    *(bad.ping() for _ in range(8)), return_exceptions=True
                )
                assert all(isinstance(r, AuthenticationError) for r in results)
        async with WapiClient(settings_for(sim)) as good:
            await good.ping()  # one failed login in total: nobody is locked out


async def test_an_expired_session_logs_in_again(sim: Any) -> None:
    async with WapiClient(settings_for(sim)) as client:
        await client.ping()
        assert client.authenticator.has_session
        logins = client.authenticator.logins
        expire_sessions(sim)
        await client.ping()
        assert client.authenticator.logins == logins + 1


def expire_sessions(sim: Any) -> None:
    """Make the grid forget every session cookie (as a GM restart or idle expiry does)."""
    sim.auth.sessions.clear()


async def test_tls_verified_with_the_ca_bundle(caplog: pytest.LogCaptureFixture) -> None:
    options = SimulatorOptions(username=USER, password=PASSWORD, tls=True, seed=None)
    async with running_simulator(options) as sim:
        assert sim.url.startswith("https://")
        async with WapiClient(settings_for(sim)) as client:
            await client.ping()
        async with WapiClient(settings_for(sim, ca_bundle=None)) as client:
            with pytest.raises(TLSError):
                await client.ping()
        caplog.set_level(logging.WARNING, logger="ddisync.wapi")
        async with WapiClient(settings_for(sim, ca_bundle=None, insecure=True)) as client:
            await client.ping()
        assert "DISABLED" in caplog.text


async def test_a_create_that_failed_alone_is_not_batched_again(sim: Any) -> None:
    """An invalid create fails its whole batch once (the others then go one by one and land);
    when it comes back, as a reconcile retries it, it goes alone and its neighbours together."""
    # Everything submitted at once joins one batch (0.2 s with nothing joining ends it).
    settings = settings_for(sim, batch_window=5.0, batch_quiet=0.2)
    async with WapiClient(settings) as client:

        async def create(i: int, name: str) -> Any:
            data = {"name": name, "ipv4addr": f"10.1.0.{i}"}
            return await client.create(
                "record:a", data, return_fields=["name"], find_existing={"name": name}
            )

        async def round_of(*names: tuple[int, str]) -> list[Any]:
            calls = (create(i, name) for i, name in names)
            return await asyncio.gather(*calls, return_exceptions=True)

        bad = (3, "h3.no-such-zone.test")
        first = await round_of((1, f"h1.{ZONE}"), (2, f"h2.{ZONE}"), bad)
        second = await round_of((4, f"h4.{ZONE}"), (5, f"h5.{ZONE}"), bad)
    for results in (first, second):
        assert [type(r).__name__ for r in results] == ["dict", "dict", "ParentNotFoundError"]
    counters = sim.counters
    assert counters.total(method="POST", objtype="request", status=400) == 1  # the first only
    # The check of what the failed batch created, then h4 and h5 together.
    assert counters.total(method="POST", objtype="request", status=200) == 2
    # The batch of 3, each again alone; then the invalid one alone, h4 and h5 in one batch.
    assert counters.operations_total(method="POST", objtype="record:a") == 3 + 3 + 1 + 2
