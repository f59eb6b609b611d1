"""A Network resource, end to end: Kubernetes emulator → real operator → simulated Infoblox."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import condition_of, eventually, extattrs, network_manifest, wapi_create


def _networks(simulator: Any, objtype: str = "network") -> dict[str, dict[str, Any]]:
    return {obj["network"]: obj for obj in simulator.grid.objects(objtype)}


async def test_a_network_becomes_ready_with_its_ref_and_markers(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        network_manifest(
            "web",
            namespace,
            cidr="10.20.1.0/24",
            comment="frontends",
            extensibleAttributes={"Site": "ams1"},
        )
    )
    condition = await condition_of(cluster, "networks", "web", namespace=namespace)
    assert condition["reason"] == "Synced"
    status = (await cluster.get("networks", namespace, "web"))["status"]
    assert status["ref"].startswith("network/")
    assert status["cidr"] == "10.20.1.0/24"
    assert status["networkView"] == "default"
    assert status["lastSyncTime"]
    network = _networks(simulator)["10.20.1.0/24"]
    assert network["comment"] == "frontends"
    markers = extattrs(network)
    assert markers["Site"] == "ams1"
    assert markers["ddisync-cluster"] == "e2e"
    assert markers["ddisync-owner"] == f"{namespace}/Network/web"
    assert (
        markers["ddisync-uid"]
        == (await cluster.get("networks", namespace, "web"))["metadata"]["uid"]
    )


async def test_an_ipv6_network_is_created(cluster, simulator, operator, namespace) -> None:
    await cluster.apply(network_manifest("v6", namespace, cidr="2001:db8:20:1::/64"))
    await condition_of(cluster, "networks", "v6", namespace=namespace)
    assert "2001:db8:20:1::/64" in _networks(simulator, "ipv6network")


async def test_an_allocated_network_comes_from_the_container(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        network_manifest(
            "batch", namespace, allocate={"fromContainer": "10.0.0.0/8", "prefixLength": 26}
        )
    )
    await condition_of(cluster, "networks", "batch", namespace=namespace)
    cidr = (await cluster.get("networks", namespace, "batch"))["status"]["cidr"]
    assert cidr.startswith("10.") and cidr.endswith("/26")
    assert cidr in _networks(simulator)


async def test_a_comment_change_reaches_infoblox(cluster, simulator, operator, namespace) -> None:
    await cluster.apply(network_manifest("web", namespace, cidr="10.20.2.0/24", comment="before"))
    await condition_of(cluster, "networks", "web", namespace=namespace)
    ref = (await cluster.get("networks", namespace, "web"))["status"]["ref"]
    await cluster.patch("networks", namespace, "web", {"spec": {"comment": "after"}})
    await eventually(lambda: _networks(simulator)["10.20.2.0/24"]["comment"] == "after")
    resource = await cluster.get("networks", namespace, "web")
    await condition_of(cluster, "networks", "web", namespace=namespace)
    assert resource["status"]["ref"] == ref  # updated in place, not recreated
    assert len(_networks(simulator)) == len({n["_ref"] for n in simulator.grid.objects("network")})


async def test_deleting_the_resource_deletes_the_network(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(network_manifest("web", namespace, cidr="10.20.3.0/24"))
    await condition_of(cluster, "networks", "web", namespace=namespace)
    await cluster.delete("networks", namespace, "web")
    await eventually(lambda: "10.20.3.0/24" not in _networks(simulator))

    async def gone() -> bool:
        return await cluster.get("networks", namespace, "web") is None

    await eventually(gone)


async def test_retain_keeps_the_network_and_releases_it(
    cluster, simulator, operator, namespace
) -> None:
    await cluster.apply(
        network_manifest("dmz", namespace, cidr="10.99.0.0/24", deletionPolicy="Retain")
    )
    await condition_of(cluster, "networks", "dmz", namespace=namespace)
    await cluster.delete("networks", namespace, "dmz")

    async def gone() -> bool:
        return await cluster.get("networks", namespace, "dmz") is None

    await eventually(gone)
    kept = _networks(simulator)["10.99.0.0/24"]
    assert not any(name.startswith("ddisync-") for name in extattrs(kept))


async def test_an_invalid_cidr_says_what_to_fix_and_creates_nothing(
    cluster, simulator, operator, namespace
) -> None:
    before = len(simulator.grid.objects("network"))
    await cluster.apply(network_manifest("typo", namespace, cidr="10.20.4.1/24"))
    condition = await condition_of(cluster, "networks", "typo", status="False", namespace=namespace)
    assert condition["reason"] == "InvalidSpec"
    assert "did you mean 10.20.4.0/24" in condition["message"]
    assert len(simulator.grid.objects("network")) == before


async def _create_foreign_network(simulator: Any, cidr: str, comment: str) -> None:
    """Another tool creates a network in Infoblox, over WAPI as it would."""
    await wapi_create(
        simulator,
        "network",
        {"network": cidr, "comment": comment, "extattrs": {"Site": {"value": "lon"}}},
    )


async def test_an_unowned_network_is_left_alone_until_adopted(
    cluster, simulator, operator, namespace
) -> None:
    await _create_foreign_network(simulator, "10.30.0.0/24", "made by hand")
    await cluster.apply(
        network_manifest("hand", namespace, cidr="10.30.0.0/24", comment="ours now")
    )
    condition = await condition_of(cluster, "networks", "hand", status="False", namespace=namespace)
    assert condition["reason"] == "NotOwned"
    assert "adopt" in condition["message"]
    assert _networks(simulator)["10.30.0.0/24"]["comment"] == "made by hand"

    await cluster.patch("networks", namespace, "hand", {"spec": {"adopt": True}})
    await condition_of(cluster, "networks", "hand", namespace=namespace)
    adopted = _networks(simulator)["10.30.0.0/24"]
    assert adopted["comment"] == "ours now"
    assert extattrs(adopted)["Site"] == "lon"  # other teams' attributes survive adoption
    assert extattrs(adopted)["ddisync-owner"] == f"{namespace}/Network/hand"


async def test_deleting_an_unowned_network_resource_leaves_infoblox_alone(
    cluster, simulator, operator, namespace
) -> None:
    await _create_foreign_network(simulator, "10.31.0.0/24", "not yours")
    await cluster.apply(network_manifest("hand", namespace, cidr="10.31.0.0/24"))
    await condition_of(cluster, "networks", "hand", status="False", namespace=namespace)
    await cluster.delete("networks", namespace, "hand")

    async def gone() -> bool:
        return await cluster.get("networks", namespace, "hand") is None

    await eventually(gone)
    assert "10.31.0.0/24" in _networks(simulator)


async def test_a_create_interrupted_before_the_status_patch_is_not_repeated(
    cluster, simulator, settings, namespace
) -> None:
    """The operator crashed after Infoblox created the network but before the status was
    written: on restart it finds the network by its marker instead of allocating another."""
    from ddisync.runtime import running_operator

    await cluster.apply(
        network_manifest(
            "batch", namespace, allocate={"fromContainer": "10.0.0.0/8", "prefixLength": 26}
        )
    )
    uid = (await cluster.get("networks", namespace, "batch"))["metadata"]["uid"]
    await wapi_create(
        simulator,
        "network",
        {
            "network": "10.77.0.0/26",
            "extattrs": {
                "ddisync-cluster": {"value": "e2e"},
                "ddisync-uid": {"value": uid},
                "ddisync-owner": {"value": f"{namespace}/Network/batch"},
            },
        },
    )

    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await condition_of(cluster, "networks", "batch", namespace=namespace)
    assert (await cluster.get("networks", namespace, "batch"))["status"]["cidr"] == "10.77.0.0/26"
    ours = [n for n in simulator.grid.objects("network") if extattrs(n).get("ddisync-uid") == uid]
    assert len(ours) == 1
