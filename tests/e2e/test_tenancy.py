"""Many teams on one cluster: every attack from the issue ends ``Forbidden``, and Infoblox is
unchanged field for field. The operator runs with tenancy enforced (the product's default).

Team a's grant: names in team-a.example.com, networks inside 10.64.0.0/12 of /24 to /29, no
adoption. Everything else on the grid belongs to someone else.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest

from ddisync.config import Settings
from ddisync.runtime import running_operator
from ddisync.tenancy import Enforcement
from ddisync_emulator.cluster import Cluster
from tests.e2e.helpers import (
    condition_of,
    eventually,
    manifest,
    network_manifest,
    record_manifest,
    wapi_create,
)

# Resources in fixed namespaces (and cluster-scoped kinds): a cluster of its own, and an
# operator watching every namespace (tests/e2e/conftest.py).
pytestmark = pytest.mark.whole_cluster


OBJTYPES = (
    "record:a", "record:aaaa", "record:cname", "record:mx", "record:txt", "record:ptr",
    "record:srv", "record:host", "network", "networkcontainer", "ipv6network",
    "fixedaddress", "range", "record:caa", "zone_auth", "record:ns",
)  # fmt: skip

GRANT_A = {
    "apiVersion": "ddisync.io/v1alpha1",
    "kind": "DDIGrant",
    "metadata": {"name": "team-a"},
    "spec": {
        "grid": "default",
        "namespaces": ["team-a"],
        "dns": {"views": ["default"], "zones": ["team-a.example.com"]},
        "ipam": {
            "networkViews": ["default"],
            "containers": ["10.64.0.0/12"],
            "prefixLength": {"min": 24, "max": 29},
        },
        "adopt": False,
    },
}


def grid_state(simulator: Any) -> dict[str, list[dict[str, Any]]]:
    """Every object of the types an attack could touch, as stored (refs, fields, EAs)."""
    return {t: copy.deepcopy(sorted(simulator.grid.objects(t), key=str)) for t in OBJTYPES}


@pytest.fixture()
def enforcing(settings: Settings) -> Settings:
    return settings.model_copy(update={"tenancy": Enforcement.ON, "resync_interval": 1.0})


@pytest.fixture()
async def team_a(cluster: Cluster, simulator: Any, enforcing: Settings) -> AsyncIterator[None]:
    # What other teams and other tools already made.
    await wapi_create(
        simulator, "record:a", {"name": "critical.example.com", "ipv4addr": "10.1.0.1"}
    )
    await wapi_create(simulator, "record:a", {"name": "web.example.com", "ipv4addr": "10.1.0.2"})
    await wapi_create(
        simulator, "record:cname", {"name": "www.example.com", "canonical": "web.example.com"}
    )
    await wapi_create(simulator, "network", {"network": "10.2.0.0/24", "comment": "released"})
    # Team a's container, 10.64.0.0/12, is in the demo seed the simulator starts from.
    await cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    await cluster.apply(GRANT_A)
    async with running_operator(enforcing, connection=cluster.connection, post_events=False):
        yield


ATTACKS = {
    "adopt-critical": record_manifest(
        "adopt-critical", "team-a", type="A", name="critical.example.com",
        address="10.1.0.1", adopt=True,
    ),
    "a-in-other-team": record_manifest(
        "a-in-other-team", "team-a", type="A", name="web.example.com", address="10.64.1.9"
    ),
    "cname-www": record_manifest(
        "cname-www", "team-a", type="CNAME", name="www.example.com",
        canonical="evil.example.net", adopt=True,
    ),
    "mx-apex": record_manifest(
        "mx-apex", "team-a", type="MX", name="example.com",
        mailExchanger="mx.evil.example.net", preference=0,
    ),
    "spf-apex": record_manifest(
        "spf-apex", "team-a", type="TXT", name="example.com", text="v=spf1 +all"
    ),
    "ptr-other": record_manifest(
        "ptr-other", "team-a", type="PTR", address="10.1.0.2", ptrdname="web.team-a.example.com"
    ),
    "adopt-released": network_manifest("adopt-released", "team-a", cidr="10.2.0.0/24", adopt=True),
    "slash-9": network_manifest(
        "slash-9", "team-a", allocate={"fromContainer": "10.0.0.0/8", "prefixLength": 9}
    ),
    "reserve-other": manifest(
        "FixedAddress", "reserve-other", "team-a", mac="00:50:56:00:00:01", address="10.2.0.10"
    ),
    "range-other": manifest(
        "DHCPRange", "range-other", "team-a", start="10.2.0.100", end="10.2.0.150"
    ),
    "range-straddling": manifest(
        "DHCPRange", "range-straddling", "team-a", start="10.79.255.200", end="10.80.0.10"
    ),
    # A Host of the team's own zone whose alias, or second address, lies outside the grant.
    "host-alias-www": record_manifest(
        "host-alias-www", "team-a", type="Host", name="db.team-a.example.com",
        addresses=[{"address": "10.64.1.30"}], aliases=["www.example.com"],
    ),
    "host-second-address": record_manifest(
        "host-second-address", "team-a", type="Host", name="db2.team-a.example.com",
        addresses=[{"address": "10.64.1.31"}, {"address": "10.1.0.3"}], createPTR=True,
    ),
    "caa-apex": record_manifest(
        "caa-apex", "team-a", type="CAA", name="example.com", flags=0, tag="issue",
        value="evil-ca.example.net",
    ),
    # A delegation outside the grant; and one of the granted zone itself, whose NS record
    # (and claim) would lie in the parent zone, which is not granted.
    "ns-outside": record_manifest(
        "ns-outside", "team-a", type="NS", name="evil.example.com",
        nameserver="ns.evil.example.net", adopt=True,
    ),
    "ns-granted-apex": record_manifest(
        "ns-granted-apex", "team-a", type="NS", name="team-a.example.com",
        nameserver="ns.evil.example.net",
    ),
    "zone-apex": manifest("Zone", "zone-apex", "team-a", fqdn="example.com"),
    "zone-reverse-other": manifest("Zone", "zone-reverse-other", "team-a", fqdn="10.1.0.0/16"),
}  # fmt: skip
PLURALS = {"Network": "networks", "Record": "records", "FixedAddress": "fixedaddresses",
           "DHCPRange": "dhcpranges", "Zone": "zones"}  # fmt: skip


async def test_every_attack_is_forbidden_and_infoblox_is_unchanged(
    cluster: Cluster, simulator: Any, team_a: None
) -> None:
    before = grid_state(simulator)
    for attack in ATTACKS.values():
        await cluster.apply(attack)
    messages = {}
    for name, attack in ATTACKS.items():
        plural = PLURALS[attack["kind"]]
        condition = await condition_of(cluster, plural, name, status="False", namespace="team-a")
        assert condition["reason"] == "Forbidden", (name, condition)
        messages[name] = condition["message"]
    assert grid_state(simulator) == before
    assert "www.example.com" in messages["cname-www"]
    assert "team-a.example.com" in messages["cname-www"]  # what the grant allows
    assert "10.1.0.2" in messages["ptr-other"] and "10.64.0.0/12" in messages["ptr-other"]
    assert "10.0.0.0/8" in messages["slash-9"]  # the first thing refused: the container
    assert "address `10.2.0.10`" in messages["reserve-other"]
    assert "DHCP range `10.79.255.200-10.80.0.10`" in messages["range-straddling"]
    assert "www.example.com" in messages["host-alias-www"]
    assert "10.1.0.3" in messages["host-second-address"]
    assert "evil.example.com" in messages["ns-outside"]
    assert "_ddisync-ns-team-a.example.com" in messages["ns-granted-apex"]


async def test_dhcp_objects_inside_the_grant_sync(
    cluster: Cluster, simulator: Any, team_a: None
) -> None:
    await cluster.apply(network_manifest("lan", "team-a", cidr="10.64.7.0/24"))
    await cluster.apply(
        manifest("FixedAddress", "cam", "team-a", mac="00:50:56:00:00:02",
                 addressFrom={"networkRef": {"name": "lan"}})
    )  # fmt: skip
    await cluster.apply(
        manifest("DHCPRange", "pool", "team-a", start="10.64.7.100", end="10.64.7.199",
                 networkRef={"name": "lan"})
    )  # fmt: skip
    await condition_of(cluster, "fixedaddresses", "cam", namespace="team-a")
    await condition_of(cluster, "dhcpranges", "pool", namespace="team-a")


async def test_inside_the_grant_it_syncs_and_an_edit_leaving_it_changes_nothing(
    cluster: Cluster, simulator: Any, team_a: None
) -> None:
    await cluster.apply(
        record_manifest(
            "app", "team-a", type="A", name="app.team-a.example.com", address="10.64.1.5"
        )
    )
    await condition_of(cluster, "records", "app", namespace="team-a")
    await cluster.apply(
        network_manifest(
            "apps", "team-a", allocate={"fromContainer": "10.64.0.0/12", "prefixLength": 26}
        )
    )
    await condition_of(cluster, "networks", "apps", namespace="team-a")
    before = grid_state(simulator)
    await cluster.patch("records", "team-a", "app", {"spec": {"name": "app.example.com"}})
    condition = await condition_of(cluster, "records", "app", status="False", namespace="team-a")
    assert condition["reason"] == "Forbidden" and "app.example.com" in condition["message"]
    assert grid_state(simulator) == before


async def test_a_deleted_grant_turns_resources_forbidden_and_their_deletion_releases_nothing(
    cluster: Cluster, simulator: Any, team_a: None
) -> None:
    await cluster.apply(
        record_manifest(
            "kept", "team-a", type="A", name="kept.team-a.example.com", address="10.64.1.6"
        )
    )
    await condition_of(cluster, "records", "kept", namespace="team-a")
    await cluster.delete("ddisync.io/v1alpha1/ddigrants", None, "team-a")
    condition = await condition_of(cluster, "records", "kept", status="False", namespace="team-a")
    assert condition["reason"] == "Forbidden" and "no DDIGrant" in condition["message"]
    before = grid_state(simulator)
    await cluster.delete("records", "team-a", "kept")

    async def gone() -> bool:
        return await cluster.get("records", "team-a", "kept") is None

    await eventually(gone)
    assert grid_state(simulator) == before  # the A record stays, markers and all


async def test_a_grant_added_later_lets_a_refused_resource_through(
    cluster: Cluster, simulator: Any, team_a: None
) -> None:
    await cluster.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}})
    await cluster.apply(
        record_manifest("b", "team-b", type="A", name="b.team-b.example.com", address="10.80.0.1")
    )
    condition = await condition_of(cluster, "records", "b", status="False", namespace="team-b")
    assert condition["message"] == "namespace team-b has no DDIGrant on grid default"
    grant_b = copy.deepcopy(GRANT_A)
    grant_b["metadata"]["name"] = "team-b"
    grant_b["spec"]["namespaces"] = ["team-b"]
    grant_b["spec"]["dns"]["zones"] = ["team-b.example.com"]
    await cluster.apply(grant_b)
    await condition_of(cluster, "records", "b", namespace="team-b")
