"""Leader election against the emulated API server over HTTP: one holder at a time, takeover
only after the Lease expired, at once after a release, and a leader that cannot renew stops
(and its work is cancelled) before a standby may start."""

from __future__ import annotations

import asyncio
import time

import pytest

from ddisync.kube import KubeApi
from ddisync.leadership import (
    ElectionTiming,
    LeaderElector,
    LeadershipLost,
    LeaseApi,
    run_while_leading,
)
from ddisync_emulator.cluster import Cluster

TIMING = ElectionTiming(lease_duration=2, renew_deadline=1.0, retry_period=0.1)


def _elector(cluster: Cluster, identity: str, leads: asyncio.Event | None = None) -> LeaderElector:
    """An elector for the Lease ``default/ha-test``; ``leads`` is set when it starts leading."""
    api = LeaseApi(KubeApi(lambda: cluster.connection, timeout=1.0), "default", "ha-test")

    def changed(leading: bool, holder: str) -> None:
        if leading and leads is not None:
            leads.set()

    return LeaderElector(api, identity, TIMING, on_change=changed)


async def _lease(cluster: Cluster) -> dict[str, object]:
    lease = await cluster.get("coordination.k8s.io/v1/leases", "default", "ha-test")
    assert lease is not None
    spec: dict[str, object] = lease["spec"]
    return spec


async def _write_lease(cluster: Cluster, **spec: object) -> None:
    """Write the Lease as another writer would: ``spec`` fields changed, at its current version."""
    lease = await cluster.get("coordination.k8s.io/v1/leases", "default", "ha-test")
    assert lease is not None
    lease["spec"].update(spec)
    await cluster.request(
        "PUT", "/apis/coordination.k8s.io/v1/namespaces/default/leases/ha-test", lease
    )


async def test_of_two_racing_replicas_exactly_one_leads(own_cluster: Cluster) -> None:
    first, second = _elector(own_cluster, "first"), _elector(own_cluster, "second")
    try:
        won = await asyncio.gather(first.try_acquire_or_renew(), second.try_acquire_or_renew())
        assert sorted(won) == [False, True]
        winner = "first" if won[0] else "second"
        assert (await _lease(own_cluster))["holderIdentity"] == winner
        # The loser keeps losing while the winner renews.
        for _ in range(3):
            loser = second if won[0] else first
            assert not await loser.try_acquire_or_renew()
            assert await (first if won[0] else second).try_acquire_or_renew()
    finally:
        await first.api.kube.aclose()
        await second.api.kube.aclose()


async def test_a_standby_takes_over_only_after_the_lease_expired(own_cluster: Cluster) -> None:
    leader, standby = _elector(own_cluster, "leader"), _elector(own_cluster, "standby")
    stop = asyncio.Event()
    try:
        assert await leader.acquire(stop)
        started = time.monotonic()
        assert await standby.acquire(stop)  # the leader never renews: it is gone
        waited = time.monotonic() - started
        assert waited >= TIMING.lease_duration
        spec = await _lease(own_cluster)
        assert spec["holderIdentity"] == "standby"
        assert spec["leaseTransitions"] == 1
    finally:
        await leader.api.kube.aclose()
        await standby.api.kube.aclose()


async def test_a_released_lease_is_taken_at_the_next_look(own_cluster: Cluster) -> None:
    leader, standby = _elector(own_cluster, "leader"), _elector(own_cluster, "standby")
    stop = asyncio.Event()
    try:
        assert await leader.acquire(stop)
        assert not await standby.try_acquire_or_renew()
        await leader.release()
        assert (await _lease(own_cluster))["holderIdentity"] == ""
        started = time.monotonic()
        assert await standby.acquire(stop)
        assert time.monotonic() - started < 1.0  # not a lease duration
    finally:
        await leader.api.kube.aclose()
        await standby.api.kube.aclose()


async def test_a_renewal_that_landed_after_it_was_cancelled_does_not_block_the_release(
    own_cluster: Cluster,
) -> None:
    leader = _elector(own_cluster, "leader")
    try:
        assert await leader.acquire(asyncio.Event())
        # The renewing task was cancelled with its PUT on the wire, and the API server wrote it:
        # the Lease moved on from the version the leader last saw, still in the leader's name.
        await _write_lease(own_cluster, renewTime="2099-01-01T00:00:00.000000Z")
        await leader.release()
        assert (await _lease(own_cluster))["holderIdentity"] == ""
    finally:
        await leader.api.kube.aclose()


async def test_a_leader_that_cannot_renew_stops_its_work_before_the_lease_expires(
    own_cluster: Cluster,
) -> None:
    leads = asyncio.Event()
    leader = _elector(own_cluster, "leader", leads)
    work_ended: list[float] = []

    async def work(stop: asyncio.Event) -> None:
        try:
            await asyncio.Event().wait()  # reconciling forever
        finally:
            work_ended.append(time.monotonic())

    async def cut_off_after_leading() -> None:
        await leads.wait()
        # The API server stops answering the leader's Lease calls (a partition).
        path = "/apis/coordination.k8s.io/v1/namespaces/default/leases/ha-test"
        own_cluster.emulator["put", path] << 503
        own_cluster.emulator["get", path] << 503

    cut = asyncio.create_task(cut_off_after_leading())
    try:
        with pytest.raises(LeadershipLost):
            await run_while_leading(leader, work, asyncio.Event())
        await cut
        # Listed: the faults above answer the Lease's own URL only.
        [lease] = await own_cluster.list("coordination.k8s.io/v1/leases", "default")
    finally:
        await leader.api.kube.aclose()
    # The last renewal the API server took: the standby counts lease_duration from it, or later.
    renewed = leader.last_renewal
    assert work_ended and work_ended[0] < renewed + TIMING.lease_duration
    assert work_ended[0] <= renewed + TIMING.renew_deadline + 0.5
    assert lease["spec"]["holderIdentity"] == "leader"  # no release: it could not write


async def test_a_stopped_leader_releases_after_its_work_ended(own_cluster: Cluster) -> None:
    leads = asyncio.Event()
    leader = _elector(own_cluster, "leader", leads)
    stop = asyncio.Event()
    order: list[str] = []

    async def work(work_stop: asyncio.Event) -> str:
        await work_stop.wait()
        order.append("work ended")
        return "stopped"

    async def stop_soon() -> None:
        await leads.wait()
        stop.set()

    stopper = asyncio.create_task(stop_soon())
    try:
        assert await run_while_leading(leader, work, stop) == "stopped"
        await stopper
        assert order == ["work ended"]
        assert (await _lease(own_cluster))["holderIdentity"] == ""
        assert not leader.leading
    finally:
        await leader.api.kube.aclose()


class SteppedClock:
    """Monotonic time that a test can move forward (a stalled replica, seen from inside)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


def _stepped_elector(cluster: Cluster, identity: str, clock: SteppedClock) -> LeaderElector:
    api = LeaseApi(KubeApi(lambda: cluster.connection, timeout=1.0), "default", "ha-test")
    return LeaderElector(api, identity, TIMING, clock=clock)


@pytest.mark.parametrize("written_since", [False, True], ids=["untouched", "taken-over"])
async def test_a_lead_lost_to_the_deadline_is_released_only_if_nobody_wrote_since(
    own_cluster: Cluster, written_since: bool
) -> None:
    clock = SteppedClock()
    leader = _stepped_elector(own_cluster, "leader", clock)
    try:
        assert await leader.acquire(asyncio.Event())
        clock.offset = TIMING.renew_deadline + 1  # the replica stalled past its deadline
        await leader.keep_leading()  # returns: the lead is lost
        assert not leader.leading
        if written_since:  # another replica took the Lease meanwhile
            await _write_lease(own_cluster, holderIdentity="other")
        await leader.release()
        holder = (await _lease(own_cluster))["holderIdentity"]
        assert holder == ("other" if written_since else "")
    finally:
        await leader.api.kube.aclose()
