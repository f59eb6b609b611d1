"""The token bucket and the in-flight cap."""

from __future__ import annotations

import asyncio

import pytest

from ddisync.wapi.ratelimit import RateLimiter, TokenBucket

from .conftest import FakeTime, MakeClient, RecordingObserver, answer


async def test_the_burst_is_free_then_the_rate_applies(fake_time: FakeTime) -> None:
    bucket = TokenBucket(10.0, 3, clock=fake_time.clock, sleep=fake_time.sleep)
    waits = [await bucket.acquire() for _ in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3] == pytest.approx(0.1) and waits[4] == pytest.approx(0.1)


def test_reservations_queue_callers_in_order(fake_time: FakeTime) -> None:
    bucket = TokenBucket(4.0, 1, clock=fake_time.clock)
    assert [bucket.reserve() for _ in range(4)] == pytest.approx([0.0, 0.25, 0.5, 0.75])


def test_idle_time_refills_up_to_the_burst_only(fake_time: FakeTime) -> None:
    bucket = TokenBucket(10.0, 2, clock=fake_time.clock)
    bucket.reserve(), bucket.reserve()
    fake_time.now += 100
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0.0, 0.0, 0.1])


async def test_a_cancelled_waiter_gives_its_token_back(fake_time: FakeTime) -> None:
    gate = asyncio.Event()

    async def never(seconds: float) -> None:
        await gate.wait()

    bucket = TokenBucket(1.0, 1, clock=fake_time.clock, sleep=never)
    await bucket.acquire()
    task = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert bucket.reserve() == pytest.approx(1.0)  # not 2.0


async def test_in_flight_requests_are_capped() -> None:
    limiter = RateLimiter(1000.0, 1000, 3)
    peak = 0

    async def request() -> None:
        nonlocal peak
        async with limiter.slot():
            peak = max(peak, limiter.in_flight)
            await asyncio.sleep(0.005)

    await asyncio.gather(*(request() for _ in range(20)))
    assert peak == 3 and limiter.in_flight == 0


async def test_rate_limit_waits_are_reported(
    make_client: MakeClient, observer: RecordingObserver
) -> None:
    client, _ = make_client(
        lambda s: answer(200, {"result": []}), observer=observer, rate_limit=10.0, burst=2
    )
    for _ in range(4):
        await client.get("network")
    assert observer.waits == pytest.approx([0.1, 0.1])


async def test_the_connection_limit_halves_the_cap_once_per_episode(fake_time: FakeTime) -> None:
    limiter = RateLimiter(1000.0, 1000, 8, clock=fake_time.clock)
    sent_at = fake_time.now
    fake_time.now += 1
    for _ in range(5):  # five refusals of requests sent together: one decrease
        limiter.congested(sent_at)
    assert limiter.limit == 4
    limiter.congested(fake_time.now + 1)  # a request sent after the decrease: a new episode
    assert limiter.limit == 2


async def test_successes_grow_the_cap_back_one_window_at_a_time(fake_time: FakeTime) -> None:
    limiter = RateLimiter(1000.0, 1000, 4, clock=fake_time.clock)
    limiter.congested(fake_time.now)
    assert limiter.limit == 2
    for _ in range(2):
        limiter.succeeded()
    assert limiter.limit == 3
    for _ in range(3):
        limiter.succeeded()
    assert limiter.limit == 4
    for _ in range(10):
        limiter.succeeded()
    assert limiter.limit == 4


async def test_a_cancelled_slot_waiter_leaves_no_trace() -> None:
    limiter = RateLimiter(1000.0, 1000, 1)
    async with limiter.slot():
        waiter = asyncio.create_task(limiter.slot().__aenter__())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
    assert limiter.in_flight == 0
    async with limiter.slot():
        assert limiter.in_flight == 1


async def test_a_waiter_cancelled_just_before_a_slot_frees_is_cancelled_cleanly() -> None:
    # Seen when a replica that lost the lead cancelled its work: the freed slot skipped the
    # cancelled waiter, which then failed with ValueError instead of being cancelled (and kopf
    # took the ValueError for a handler failure, so the cancellation never ended the task).
    limiter = RateLimiter(1000.0, 1000, 1)
    holder = limiter.slot()
    await holder.__aenter__()
    first = asyncio.create_task(limiter.slot().__aenter__())
    second = asyncio.create_task(limiter.slot().__aenter__())
    await asyncio.sleep(0)
    first.cancel()
    await holder.__aexit__(None, None, None)  # frees the slot before `first` runs again
    with pytest.raises(asyncio.CancelledError):
        await first
    await second
    assert limiter.in_flight == 1
