"""Before kopf starts, the catalog's statuses are listed (``handlers.index.listed_catalog``), so
a Record handled first thing after a start (a new leader resumes every resource at once) finds
its Network's status instead of waiting for the Network's watch event."""

from __future__ import annotations

import pytest

from ddisync.handlers.index import listed_catalog
from ddisync.kube import KubeApi
from ddisync_emulator.cluster import Cluster
from tests.e2e.helpers import network_manifest

PLURALS = {"Network": "networks", "Record": "records"}


async def _apply_with_status(cluster: Cluster, namespace: str, name: str, cidr: str) -> None:
    await cluster.apply(network_manifest(name, namespace, cidr=cidr))
    await cluster.patch_status("networks", namespace, name, {"cidr": cidr})


async def test_statuses_are_listed_in_the_watched_namespaces_or_the_whole_cluster(
    cluster: Cluster, namespace: str
) -> None:
    other = f"o{namespace}"[:62].rstrip("-")  # a namespace nobody watches
    await _apply_with_status(cluster, namespace, "web", "10.70.0.0/24")
    await _apply_with_status(cluster, other, "db", "10.70.1.0/24")
    async with KubeApi(lambda: cluster.connection, timeout=5) as api:
        watched = await listed_catalog(api, PLURALS, [namespace])
        everything = await listed_catalog(api, PLURALS, [])
    assert watched.status_of("Network", namespace, "web") == {"cidr": "10.70.0.0/24"}
    assert watched.status_of("Network", other, "db") is None
    assert everything.status_of("Network", other, "db") == {"cidr": "10.70.1.0/24"}
    assert watched.statuses["Record"] == {}


async def test_a_listing_the_api_refuses_leaves_the_catalog_to_the_watch(
    cluster: Cluster, namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = f"/apis/ddisync.io/v1alpha1/namespaces/{namespace}/networks"
    cluster.emulator["get", path] << 403
    async with KubeApi(lambda: cluster.connection, timeout=5) as api:
        found = await listed_catalog(api, PLURALS, [namespace])
    assert found.status_of("Network", namespace, "web") is None
    assert "Could not list resources at start (403" in caplog.text
