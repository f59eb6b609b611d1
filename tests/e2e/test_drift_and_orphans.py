"""The periodic resync: drift repaired, orphans reported (and deleted only when asked to)."""

from __future__ import annotations

from typing import Any

from ddisync.config import Settings
from ddisync.runtime import running_operator
from ddisync_simulator import SimulatorOptions, running_simulator
from tests.e2e.helpers import (
    condition_of,
    eventually,
    extattrs,
    markers,
    metric_value,
    network_manifest,
    record_manifest,
    wapi_create,
    wapi_request,
)
from tests.stack import PASSWORD


async def test_a_record_edited_in_infoblox_is_put_back(
    cluster, simulator, fast_operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "web", namespace, type="A", name="web.example.com", address="10.80.0.1", comment="ours"
        )
    )
    await condition_of(cluster, "records", "web", namespace=namespace)
    [record] = simulator.grid.objects("record:a")
    await wapi_request(
        simulator, "PUT", record["_ref"], {"comment": "edited by hand", "ttl": 5, "use_ttl": True}
    )
    await eventually(
        lambda: (
            simulator.grid.objects("record:a")[0].get("comment") == "ours"
            and simulator.grid.objects("record:a")[0].get("use_ttl") is False
        )
    )
    # Counted once the repair's reconcile has returned, just after Infoblox changed.
    await eventually(
        lambda: metric_value(fast_operator, "ddisync_drift_repaired_total", kind="Record") >= 1
    )


async def test_a_record_deleted_in_infoblox_is_recreated(
    cluster, simulator, fast_operator, namespace
) -> None:
    await cluster.apply(
        record_manifest(
            "sip",
            namespace,
            type="SRV",
            name="_sip._udp.example.com",
            target="sip.example.com",
            port=5060,
            priority=1,
            weight=1,
        )
    )
    await condition_of(cluster, "records", "sip", namespace=namespace)
    [srv] = simulator.grid.objects("record:srv")
    await wapi_request(simulator, "DELETE", srv["_ref"])
    await eventually(lambda: len(simulator.grid.objects("record:srv")) == 1)
    await condition_of(cluster, "records", "sip", namespace=namespace)


async def test_a_network_edited_in_infoblox_is_put_back(
    cluster, simulator, fast_operator, namespace
) -> None:
    await cluster.apply(network_manifest("web", namespace, cidr="10.80.1.0/24", comment="ours"))
    await condition_of(cluster, "networks", "web", namespace=namespace)
    [network] = [n for n in simulator.grid.objects("network") if n["network"] == "10.80.1.0/24"]
    await wapi_request(simulator, "PUT", network["_ref"], {"comment": "edited by hand"})
    await eventually(
        lambda: (
            [
                n["comment"]
                for n in simulator.grid.objects("network")
                if n["network"] == "10.80.1.0/24"
            ]
            == ["ours"]
        )
    )

    async def announced() -> list[tuple[str, str]]:
        events = await cluster.list("v1/events", namespace)
        return [
            (e["type"], e["message"])
            for e in events
            if e["involvedObject"]["name"] == "web" and e["reason"] == "DriftRepaired"
        ]

    [(kind, message)] = await eventually(announced)
    assert kind == "Warning" and "Infoblox drifted from the spec" in message
    assert f"network: Update, {network['_ref']}" in message  # names what drifted
    resource = await condition_of(cluster, "networks", "web", namespace=namespace)
    assert resource["status"] == "True"

    def swept() -> float:
        count = "ddisync_drift_sweep_duration_seconds_count"
        return metric_value(fast_operator, count, kind="Network") or 0

    # How long each sweep takes, for dashboards: observed once the repairing pass has ended,
    # which may be just after its Event.
    await eventually(lambda: swept() >= 1)


async def _plant(simulator: Any, namespace: str) -> dict[str, str]:
    """Objects for the orphan scan to judge; returns their refs by role."""
    refs = {
        "orphan": await wapi_create(
            simulator,
            "record:a",
            {
                "name": "gone.example.com",
                "ipv4addr": "10.80.2.1",
                "extattrs": markers("uid-gone", f"{namespace}/Record/gone"),
            },
        ),
        "orphan-ptr": await wapi_create(
            simulator,
            "record:ptr",
            {
                "ipv4addr": "10.80.2.1",
                "ptrdname": "gone.example.com",
                "extattrs": markers("uid-gone", f"{namespace}/Record/gone"),
            },
        ),
        "orphan-network": await wapi_create(
            simulator,
            "network",
            {
                "network": "10.80.3.0/24",
                "extattrs": markers("uid-net-gone", f"{namespace}/Network/gone"),
            },
        ),
        "other-cluster": await wapi_create(
            simulator,
            "record:a",
            {
                "name": "theirs.example.com",
                "ipv4addr": "10.80.2.2",
                "extattrs": markers("uid-x", f"{namespace}/Record/theirs", cluster="prod"),
            },
        ),
        "unmarked": await wapi_create(
            simulator, "record:a", {"name": "manual.example.com", "ipv4addr": "10.80.2.3"}
        ),
        "other-namespace": await wapi_create(
            simulator,
            "record:a",
            {
                "name": "shard.example.com",
                "ipv4addr": "10.80.2.4",
                "extattrs": markers("uid-y", "team-b/Record/shard"),
            },
        ),
    }
    return refs


def _refs(simulator: Any) -> set[str]:
    return {
        o["_ref"] for t in ("record:a", "record:ptr", "network") for o in simulator.grid.objects(t)
    }


async def test_orphans_are_reported_and_left_in_place(
    cluster, simulator, fast_settings, namespace
) -> None:
    planted = await _plant(simulator, namespace)
    settings = fast_settings.model_copy(update={"namespaces": [namespace]})
    async with running_operator(settings, connection=cluster.connection, post_events=False) as op:
        await cluster.apply(
            record_manifest(
                "live",
                namespace,
                type="A",
                name="live.example.com",
                address="10.80.2.9",
                createPTR=True,
            )
        )
        await condition_of(cluster, "records", "live", namespace=namespace)
        # The record and its PTR of "gone" (one resource, two objects); the live record's are
        # claimed, another cluster's, an unmarked one and another namespace's are not counted.
        assert await eventually(lambda: metric_value(op, "ddisync_orphans", kind="Record") == 2)
        assert await eventually(lambda: metric_value(op, "ddisync_orphans", kind="Network") == 1)
        assert b'ddisync_orphans{kind="Record"} 2.0' in op.metrics.exposition()
    assert set(planted.values()) <= _refs(simulator)  # reporting deletes nothing


async def test_orphans_are_deleted_only_when_asked_and_only_ours(
    cluster, simulator, fast_settings, namespace
) -> None:
    planted = await _plant(simulator, namespace)
    settings = fast_settings.model_copy(update={"delete_orphans": True, "namespaces": [namespace]})
    async with running_operator(settings, connection=cluster.connection, post_events=False) as op:
        await cluster.apply(
            record_manifest(
                "live",
                namespace,
                type="A",
                name="live.example.com",
                address="10.80.2.9",
                createPTR=True,
            )
        )
        await condition_of(cluster, "records", "live", namespace=namespace)
        orphans = {planted["orphan"], planted["orphan-ptr"], planted["orphan-network"]}
        await eventually(lambda: not orphans & _refs(simulator), timeout=10)
        await eventually(lambda: metric_value(op, "ddisync_orphans", kind="Record") == 0)
    left = _refs(simulator)
    for role in ("other-cluster", "unmarked", "other-namespace"):
        assert planted[role] in left, role
    live_uid = (await cluster.get("records", namespace, "live"))["metadata"]["uid"]
    assert (
        len(
            [
                o
                for o in simulator.grid.objects("record:a")
                if extattrs(o).get("ddisync-uid") == live_uid
            ]
        )
        == 1
    )
    assert len(simulator.grid.objects("record:ptr")) == 1  # the live record's PTR


async def test_missing_marker_definitions_are_created_at_start(cluster, namespace) -> None:
    seed = {
        "extensibleattributedef": [{"name": "Site", "type": "STRING"}],
        "zone_auth": [{"fqdn": "example.com"}],
    }
    options = SimulatorOptions(username="admin", password=PASSWORD, seed=seed)
    async with running_simulator(options) as bare:
        settings = Settings(
            wapi_url=bare.url,
            wapi_username="admin",
            wapi_password=PASSWORD,
            cluster_id="e2e",
            metrics_port=0,
            health_port=0,
            namespaces=[namespace],
            tenancy="off",
        )
        async with running_operator(settings, connection=cluster.connection, post_events=False):
            await cluster.apply(
                record_manifest(
                    "web", namespace, type="A", name="web.example.com", address="10.80.4.1"
                )
            )
            await condition_of(cluster, "records", "web", namespace=namespace)
        defined = {d["name"]: d["type"] for d in bare.grid.objects("extensibleattributedef")}
    assert defined == {
        "Site": "STRING",
        "ddisync-cluster": "STRING",
        "ddisync-owner": "STRING",
        "ddisync-uid": "STRING",
    }
