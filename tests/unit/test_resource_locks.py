"""A drift check and kopf's handlers of one resource take turns (``handlers/locks.py``): a
repair landing after the finalizer looked would leave an object of a deleted resource behind,
and a repair beside a reconcile could create twice."""

from __future__ import annotations

import asyncio

from ddisync.handlers.locks import ResourceLocks


async def test_one_resource_s_holders_take_turns_and_others_run_beside_them() -> None:
    locks = ResourceLocks()
    order: list[str] = []
    finalizer_may_end = asyncio.Event()

    async def finalizer() -> None:
        async with locks.holding("uid-a"):
            order.append("finalizer starts")
            await finalizer_may_end.wait()
            order.append("finalizer ends")

    async def repair(uid: str, name: str) -> None:
        async with locks.holding(uid):
            order.append(name)

    first = asyncio.create_task(finalizer())
    await asyncio.sleep(0)
    same = asyncio.create_task(repair("uid-a", "repair of the same resource"))
    other = asyncio.create_task(repair("uid-b", "repair of another resource"))
    await other  # another resource's check does not wait
    assert order == ["finalizer starts", "repair of another resource"]
    finalizer_may_end.set()
    await asyncio.gather(first, same)
    assert order[2:] == ["finalizer ends", "repair of the same resource"]
    assert len(locks) == 0  # nothing kept for resources nobody holds


async def test_a_lock_is_released_when_its_holder_fails_or_is_cancelled() -> None:
    locks = ResourceLocks()

    async def failing() -> None:
        async with locks.holding("uid-a"):
            raise RuntimeError("the handler failed")

    results = await asyncio.gather(failing(), return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    waiter_started = asyncio.Event()

    async def holder() -> None:
        async with locks.holding("uid-a"):
            waiter_started.set()
            await asyncio.sleep(3600)

    held = asyncio.create_task(holder())
    await waiter_started.wait()
    held.cancel()
    async with asyncio.timeout(1):
        async with locks.holding("uid-a"):
            pass
    assert len(locks) == 0
