"""The Redis layer and the layered cache against a real redis-server, outage included."""

from __future__ import annotations

from ddisync.cache import LayeredCache, MemoryCache, RedisCache, connect
from ddisync.metrics import Metrics
from tests.redis_server import RedisServer

from .conftest import FakeHealth


def redis_layer(server: RedisServer) -> RedisCache:
    return RedisCache(connect(server.url, timeout=0.5))


def cache_count(metrics: Metrics, layer: str, result: str) -> float:
    value = metrics.registry.get_sample_value(
        "ddisync_cache_requests_total", {"layer": layer, "result": result}
    )
    return value or 0.0


async def test_values_round_trip_compressed_with_their_ttl(redis_server: RedisServer) -> None:
    cache = redis_layer(redis_server)
    try:
        big = b'{"objects": [' + b'{"name": "host.example.com"},' * 200 + b"]}"
        await cache.set("ddisync:k", big, 30, tags=("t",))
        hit = await cache.get("ddisync:k")
        assert hit is not None and hit.value == big and 29 < hit.ttl_left <= 30
        raw = await cache._redis.get("ddisync:k")
        assert raw is not None and raw[:1] == b"z" and len(raw) < len(big) / 10
    finally:
        await cache.aclose()


async def test_invalidating_a_tag_drops_its_keys_in_redis(redis_server: RedisServer) -> None:
    cache = redis_layer(redis_server)
    try:
        await cache.set("ddisync:a", b"1", 30, tags=("network", "*"))
        await cache.set("ddisync:b", b"2", 30, tags=("zone_auth", "*"))
        await cache.invalidate("network")
        assert await cache.get("ddisync:a") is None
        assert await cache.get("ddisync:b") is not None
        await cache.invalidate("*")
        assert await cache.get("ddisync:b") is None
    finally:
        await cache.aclose()


async def test_only_one_replica_holds_a_claim(redis_server: RedisServer) -> None:
    one, two = redis_layer(redis_server), redis_layer(redis_server)
    try:
        assert await one.claim("ddisync:k", 5)
        assert not await two.claim("ddisync:k", 5)
        await two.release("ddisync:k")  # not its claim: nothing happens
        assert not await two.claim("ddisync:k", 5)
        await one.release("ddisync:k")
        assert await two.claim("ddisync:k", 5)
    finally:
        await one.aclose()
        await two.aclose()


async def test_without_redis_the_cache_reports_none(health: FakeHealth) -> None:
    cache = LayeredCache(MemoryCache(), None, health=health)
    await cache.set("k", b"v", 30, ("t",))
    assert (await cache.get("k")) is not None
    assert health.state == "none"
    await cache.aclose()


async def test_a_redis_outage_degrades_to_memory_and_recovers(
    redis_server: RedisServer, health: FakeHealth
) -> None:
    now = [1000.0]
    metrics = Metrics()
    cache = LayeredCache(
        MemoryCache(clock=lambda: now[0]),
        redis_layer(redis_server),
        metrics=metrics,
        health=health,
        front_ttl=5,
        retry_after=5,
        clock=lambda: now[0],
    )
    try:
        assert await cache.ping()
        assert health.state == "ok"
        await cache.set("ddisync:shared", b"before", 60, ("network", "*"))

        redis_server.kill()
        now[0] += 10  # the memory copy (front_ttl 5 s) is gone: the next get asks Redis
        assert await cache.get("ddisync:shared") is None  # no exception: a miss
        assert health.state == "degraded"
        assert cache.degraded
        assert cache_count(metrics, "redis", "error") == 1

        # Degraded: memory only, full TTLs, Redis left alone until retry_after has passed.
        await cache.set("ddisync:local", b"v", 60, ("network", "*"))
        now[0] += 10
        hit = await cache.get("ddisync:local")
        assert hit is not None and hit.value == b"v"
        cache.invalidate_nowait("network")  # a write while Redis is down: remembered
        assert await cache.get("ddisync:local") is None
        assert cache_count(metrics, "redis", "error") == 2  # one retry, at most every 5 s

        redis_server.start()  # same port, empty
        other = redis_layer(redis_server)  # another replica fills Redis while we wait
        await other.set("ddisync:shared", b"from-another-replica", 60, ("zone_auth", "*"))
        await other.set("ddisync:stale", b"old", 60, ("network", "*"))
        await other.aclose()
        assert await cache.get("ddisync:shared") is None  # still within retry_after
        now[0] += 6
        hit = await cache.get("ddisync:shared")
        assert hit is not None and hit.value == b"from-another-replica"
        assert health.state == "ok" and not cache.degraded
        # The invalidation made during the outage reached Redis before anything was read.
        assert await cache.get("ddisync:stale") is None
        assert [state for state, _ in health.states] == ["ok", "degraded", "ok"]
        assert cache_count(metrics, "redis", "hit") >= 1
    finally:
        await cache.aclose()


async def test_redis_down_at_start_is_not_an_error(
    redis_server: RedisServer, health: FakeHealth
) -> None:
    redis_server.kill()
    now = [1000.0]
    cache = LayeredCache(
        MemoryCache(clock=lambda: now[0]),
        redis_layer(redis_server),
        health=health,
        retry_after=5,
        clock=lambda: now[0],
    )
    try:
        assert not await cache.ping()
        assert health.state == "degraded"
        await cache.set("k", b"v", 30, ("t",))
        hit = await cache.get("k")
        assert hit is not None and hit.value == b"v"
        redis_server.start()
        now[0] += 5
        assert await cache.get("absent") is None
        assert health.state == "ok" and not cache.degraded
    finally:
        await cache.aclose()
