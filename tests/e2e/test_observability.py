"""What the running operator shows: metrics that move with reconciles, probes over HTTP."""

from __future__ import annotations

import asyncio

import aiohttp

from tests.e2e.helpers import eventually, metric_value, network_manifest, ready


async def test_metrics_count_reconciles_and_resources_by_readiness(
    cluster, operator, namespace
) -> None:
    await cluster.apply(network_manifest("a", namespace, cidr="10.50.0.0/24"))
    await cluster.apply(network_manifest("b", namespace, cidr="10.50.1.0/24"))
    await cluster.apply(network_manifest("bad", namespace, cidr="10.50.2.1/24"))

    async def settled() -> bool:
        names = ("a", "b", "bad")
        conditions = [ready(await cluster.get("networks", namespace, n)) for n in names]
        return all(conditions)

    await eventually(settled)
    await eventually(
        lambda: metric_value(operator, "ddisync_resources", kind="Network", ready="True") == 2
    )
    assert metric_value(operator, "ddisync_resources", kind="Network", ready="False") == 1
    assert metric_value(operator, "ddisync_reconcile_total", kind="Network", result="synced") == 2
    assert metric_value(operator, "ddisync_reconcile_total", kind="Network", result="refused") == 1
    # The two creates went on their own (201) or together in one multi-object request (200).
    alone = metric_value(
        operator, "ddisync_wapi_requests_total", method="POST", object="network", code="201"
    )
    together = metric_value(
        operator, "ddisync_wapi_requests_total", method="POST", object="request", code="200"
    )
    assert (alone or 0) + 2 * (together or 0) >= 2
    assert (metric_value(operator, "ddisync_wapi_batch_operations_count") or 0) >= 2

    async with aiohttp.ClientSession() as http:
        async with http.get(operator.urls.metrics) as response:
            text = await response.text()
        assert 'ddisync_resources{kind="Network",ready="True"} 2.0' in text
        async with http.get(operator.urls.healthz) as response:
            assert response.status == 200
        async with http.get(operator.urls.readyz) as response:
            body = await response.json()
            assert response.status == 200, body


async def test_readiness_fails_but_liveness_holds_when_infoblox_is_down(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(network_manifest("a", namespace, cidr="10.51.0.0/24"))
    await eventually(
        lambda: metric_value(operator, "ddisync_resources", kind="Network", ready="True") == 1
    )
    simulator.faults.fail_rate = 1.0
    await cluster.apply(network_manifest("b", namespace, cidr="10.51.1.0/24"))

    async def unavailable() -> bool:
        condition = ready(await cluster.get("networks", namespace, "b")) or {}
        return condition.get("reason") == "InfobloxUnavailable"

    await eventually(unavailable, timeout=30)
    async with aiohttp.ClientSession() as http:
        async with http.get(operator.urls.readyz) as response:
            assert response.status == 503
            assert "infoblox" in (await response.json())["failing"]
        async with http.get(operator.urls.healthz) as response:
            assert response.status == 200


async def test_events_mark_transitions_not_every_reconcile(cluster, settings, namespace) -> None:
    from ddisync.runtime import running_operator

    async def events_for(name: str) -> list[tuple[str, str]]:
        items = await cluster.list("v1/events", namespace)
        return [
            (item["type"], item["reason"])
            for item in items
            if item.get("involvedObject", {}).get("name") == name
        ]

    async with running_operator(settings, connection=cluster.connection, post_events=True):
        await cluster.apply(network_manifest("good", namespace, cidr="10.52.0.0/24"))
        await cluster.apply(network_manifest("typo", namespace, cidr="10.52.1.1/24"))
        await eventually(lambda: events_for("good"))
        await eventually(lambda: events_for("typo"))
        # A spec change that keeps it Ready: no new Event.
        await cluster.patch("networks", namespace, "good", {"spec": {"comment": "changed"}})

        async def changed() -> bool:
            resource = await cluster.get("networks", namespace, "good")
            return resource["status"].get("observedGeneration") == 2

        await eventually(changed)
        await asyncio.sleep(0.3)  # room for a wrong Event to be posted
        assert await events_for("good") == [("Normal", "Synced")]
        assert await events_for("typo") == [("Warning", "InvalidSpec")]
