from __future__ import annotations

from ddisync.cache import MemoryCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_an_entry_expires_after_its_ttl() -> None:
    clock = Clock()
    cache = MemoryCache(clock=clock)
    await cache.set("k", b"v", 10)
    clock.now += 9.5
    hit = await cache.get("k")
    assert hit is not None and hit.value == b"v" and 0 < hit.ttl_left <= 0.5
    clock.now += 1
    assert await cache.get("k") is None
    assert len(cache) == 0


async def test_the_least_recently_used_entry_is_evicted_first() -> None:
    cache = MemoryCache(max_entries=2)
    await cache.set("a", b"1", 60)
    await cache.set("b", b"2", 60)
    await cache.get("a")
    await cache.set("c", b"3", 60)
    assert await cache.get("b") is None
    assert await cache.get("a") is not None and await cache.get("c") is not None


async def test_the_byte_bound_evicts_too() -> None:
    cache = MemoryCache(max_bytes=10)
    await cache.set("a", b"12345", 60)
    await cache.set("b", b"123456", 60)
    assert await cache.get("a") is None
    assert cache.size_bytes == 6
    await cache.set("huge", b"x" * 11, 60)  # larger than the whole cache: not stored
    assert await cache.get("huge") is None and await cache.get("b") is not None


async def test_invalidating_a_tag_drops_only_its_entries() -> None:
    cache = MemoryCache()
    await cache.set("n1", b"1", 60, tags=("network", "*"))
    await cache.set("z1", b"2", 60, tags=("zone_auth", "*"))
    await cache.invalidate("network")
    assert await cache.get("n1") is None
    assert await cache.get("z1") is not None
    await cache.invalidate("*")
    assert await cache.get("z1") is None and cache.size_bytes == 0


async def test_a_zero_ttl_caches_nothing() -> None:
    cache = MemoryCache()
    await cache.set("k", b"v", 0)
    assert await cache.get("k") is None
