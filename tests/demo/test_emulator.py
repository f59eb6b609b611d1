"""The emulator behaves as a Kubernetes API server, seen through real HTTP."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from ddisync_emulator import objects
from ddisync_emulator.cluster import Cluster
from ddisync_emulator.objects import ApiError

NETS = "/apis/ddisync.io/v1alpha1/namespaces/ns1/networks"
JSON_PATCH = "application/json-patch+json"
MERGE = "application/merge-patch+json"


def network(name: str, cidr: str = "10.1.0.0/24", **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "Network",
        "metadata": {"name": name, "namespace": "ns1", **extra},
        "spec": {"cidr": cidr},
    }


async def test_applying_a_crd_makes_its_resource_discoverable(cluster: Cluster) -> None:
    groups = await cluster.request("GET", "/apis")
    assert "ddisync.io" in [group["name"] for group in groups["groups"]]
    listing = await cluster.request("GET", "/apis/ddisync.io/v1alpha1")
    by_name = {resource["name"]: resource for resource in listing["resources"]}
    networks = by_name["networks"]
    assert networks["kind"] == "Network"
    assert networks["singularName"] == "network"
    assert networks["namespaced"] is True
    assert networks["categories"] == ["ddi"]
    assert "ddinet" in networks["shortNames"]
    assert {"get", "list", "watch", "create", "patch", "delete"} <= set(networks["verbs"])
    assert "networks/status" in by_name


async def test_the_crd_itself_is_stored_established_and_listable(cluster: Cluster) -> None:
    crd = await cluster.get("customresourcedefinitions", None, "networks.ddisync.io")
    assert crd is not None
    established = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert established["Established"] == "True"
    crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    listing = await cluster.request("GET", crds)
    assert listing["kind"] == "CustomResourceDefinitionList"
    assert "networks.ddisync.io" in [item["metadata"]["name"] for item in listing["items"]]


async def test_deleting_a_crd_stops_serving_its_resource(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    await cluster.delete("customresourcedefinitions", None, "networks.ddisync.io")
    with pytest.raises(ApiError) as error:
        await cluster.request("GET", "/apis/ddisync.io/v1alpha1/networks")
    assert error.value.status == 404


async def test_lists_carry_kind_api_version_and_resource_version(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    listing = await cluster.request("GET", NETS)
    assert listing["kind"] == "NetworkList"
    assert listing["apiVersion"] == "ddisync.io/v1alpha1"
    assert listing["metadata"]["resourceVersion"].isdigit()
    assert [item["metadata"]["name"] for item in listing["items"]] == ["n1"]


async def test_create_stamps_identity_and_ignores_status(cluster: Cluster) -> None:
    body = network("n1")
    body["status"] = {"cidr": "1.2.3.0/24"}
    created = await cluster.request("POST", NETS, body)
    meta = created["metadata"]
    assert meta["uid"] and meta["creationTimestamp"].endswith("Z")
    assert meta["generation"] == 1
    assert meta["resourceVersion"].isdigit()
    assert "status" not in created
    assert created["spec"]["networkView"] == "default"  # the schema's default is applied


async def test_create_of_an_existing_name_is_409(cluster: Cluster) -> None:
    await cluster.request("POST", NETS, network("n1"))
    with pytest.raises(ApiError) as error:
        await cluster.request("POST", NETS, network("n1"))
    assert (error.value.status, error.value.reason) == (409, "AlreadyExists")


async def test_the_schema_refuses_wrong_types_and_prunes_unknown_fields(cluster: Cluster) -> None:
    with pytest.raises(ApiError) as error:
        await cluster.request("POST", NETS, network("bad", cidr=12345))  # type: ignore[arg-type]
    assert (error.value.status, error.value.reason) == (422, "Invalid")
    assert "spec.cidr" in error.value.message
    body = network("n1")
    body["spec"]["colour"] = "blue"
    created = await cluster.request("POST", NETS, body)
    assert "colour" not in created["spec"]


async def test_status_patches_change_only_status(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    after = await cluster.request(
        "PATCH", f"{NETS}/n1/status",
        {"spec": {"cidr": "10.9.0.0/24"}, "status": {"cidr": "10.1.0.0/24"}}, content_type=MERGE,
    )  # fmt: skip
    assert after["status"] == {"cidr": "10.1.0.0/24"}
    assert after["spec"]["cidr"] == "10.1.0.0/24"
    assert after["metadata"]["generation"] == 1


async def test_main_resource_patches_do_not_change_status(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    await cluster.patch_status("networks", "ns1", "n1", {"cidr": "10.1.0.0/24"})
    after = await cluster.patch("networks", "ns1", "n1", {"status": {"cidr": "x"}})
    assert after["status"] == {"cidr": "10.1.0.0/24"}


async def test_generation_bumps_only_on_spec_changes(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    labelled = await cluster.patch("networks", "ns1", "n1", {"metadata": {"labels": {"a": "b"}}})
    assert labelled["metadata"]["generation"] == 1
    status = await cluster.patch_status("networks", "ns1", "n1", {"cidr": "10.1.0.0/24"})
    assert status["metadata"]["generation"] == 1
    changed = await cluster.patch("networks", "ns1", "n1", {"spec": {"comment": "hi"}})
    assert changed["metadata"]["generation"] == 2


async def test_a_patch_that_changes_nothing_keeps_the_resource_version(cluster: Cluster) -> None:
    created = await cluster.apply(network("n1"))
    same = await cluster.patch("networks", "ns1", "n1", {"spec": {"cidr": "10.1.0.0/24"}})
    assert same["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]


async def test_a_failed_json_patch_test_is_422(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    ops = [
        {"op": "test", "path": "/metadata/resourceVersion", "value": "0"},
        {"op": "add", "path": "/metadata/finalizers", "value": ["x/y"]},
    ]
    with pytest.raises(ApiError) as error:
        await cluster.request("PATCH", f"{NETS}/n1", ops, content_type=JSON_PATCH)
    assert (error.value.status, error.value.reason) == (422, "Invalid")


async def test_a_stale_resource_version_is_409(cluster: Cluster) -> None:
    created = await cluster.apply(network("n1"))
    await cluster.patch("networks", "ns1", "n1", {"spec": {"comment": "newer"}})
    stale = {"metadata": {"resourceVersion": created["metadata"]["resourceVersion"]}}
    with pytest.raises(ApiError) as error:
        await cluster.patch("networks", "ns1", "n1", {**stale, "spec": {"comment": "old"}})
    assert (error.value.status, error.value.reason) == (409, "Conflict")


async def test_finalizers_hold_a_deleted_object_until_the_last_goes(cluster: Cluster) -> None:
    await cluster.apply(network("n1", finalizers=["a/one", "a/two"]))
    deleting = await cluster.delete("networks", "ns1", "n1")
    assert deleting is not None and deleting["metadata"]["deletionTimestamp"]
    await cluster.patch("networks", "ns1", "n1", {"metadata": {"finalizers": ["a/two"]}})
    assert await cluster.get("networks", "ns1", "n1") is not None
    await cluster.patch("networks", "ns1", "n1", {"metadata": {"finalizers": None}})
    assert await cluster.get("networks", "ns1", "n1") is None


async def test_events_with_generate_name_are_all_accepted(cluster: Cluster) -> None:
    event = {
        "apiVersion": "v1", "kind": "Event", "metadata": {"generateName": "kopf-event-"},
        "involvedObject": {"kind": "Network", "name": "n1", "namespace": "ns1"},
        "reason": "Logging", "message": "hello", "type": "Normal",
    }  # fmt: skip
    first = await cluster.request("POST", "/api/v1/namespaces/ns1/events", event)
    second = await cluster.request("POST", "/api/v1/namespaces/ns1/events", event)
    assert first["metadata"]["name"] != second["metadata"]["name"]
    assert len(await cluster.list("v1/events", "ns1")) == 2


async def test_a_taken_generated_name_is_retried_as_the_api_server_does(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Suffixes are random; these are forced: the first two are taken, the third is free.
    names = iter(["taken1", "taken2", "fresh"])
    fake = lambda prefix: f"{prefix}{next(names)}"  # noqa: E731
    monkeypatch.setattr(objects, "generated_name", fake)
    for taken in ("ev-taken1", "ev-taken2"):
        await cluster.request("POST", NETS, network(taken))
    created = await cluster.request("POST", NETS, network("", generateName="ev-"))
    assert created["metadata"]["name"] == "ev-fresh"


async def test_a_body_over_3_mib_is_refused_with_a_status_as_kube_apiserver_does(
    cluster: Cluster,
) -> None:
    huge = network("huge")
    huge["spec"]["comment"] = "x" * (3 * 1024 * 1024)
    with pytest.raises(ApiError) as refused:
        await cluster.request("POST", NETS, huge)
    assert refused.value.status == 413
    assert "Request entity too large: limit is 3145728" in str(refused.value)
    # Under the limit (above aiohttp's own 1 MiB) is served; the schema then judges the spec.
    big = network("big")
    big["spec"]["comment"] = "x" * (1024 * 1024 + 1)  # over maxLength: 256
    with pytest.raises(ApiError) as judged:
        await cluster.request("POST", NETS, big)
    assert judged.value.status == 422


async def test_namespaces_can_be_created_and_listed(cluster: Cluster) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}
    created = await cluster.request("POST", "/api/v1/namespaces", ns)
    # What the server sets on every namespace.
    assert created["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a"}
    assert created["spec"] == {"finalizers": ["kubernetes"]}
    assert created["status"] == {"phase": "Active"}
    listing = await cluster.request("GET", "/api/v1/namespaces")
    assert listing["kind"] == "NamespaceList"
    names = [item["metadata"]["name"] for item in listing["items"]]
    assert names == ["default", "kube-node-lease", "kube-public", "kube-system", "team-a"]


async def test_a_namespace_keeps_its_name_label_and_finalizer_through_updates(
    cluster: Cluster,
) -> None:
    patch = {"metadata": {"labels": {"team": "a", "kubernetes.io/metadata.name": "other"}},
             "spec": {"finalizers": []}}  # fmt: skip
    patched = await cluster.patch("namespaces", None, "default", patch)
    assert patched["metadata"]["labels"] == {
        "team": "a",
        "kubernetes.io/metadata.name": "default",
    }
    assert patched["spec"] == {"finalizers": ["kubernetes"]}  # only /finalize changes them
    selected = await cluster.request(
        "GET", "/api/v1/namespaces?fieldSelector=status.phase%3DActive,metadata.name!%3Dkube-system"
    )
    assert [item["metadata"]["name"] for item in selected["items"]] == [
        "default", "kube-node-lease", "kube-public",
    ]  # fmt: skip


async def test_a_secret_s_string_data_is_stored_base64_in_its_data(cluster: Cluster) -> None:
    secrets = "/api/v1/namespaces/ddisync-system/secrets"
    secret = {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "lab-wapi"},
        "data": {"username": "b2xk", "ca.crt": "Y2E="},  # "old", "ca"
        "stringData": {"username": "admin", "password": "infoblox"},
    }  # fmt: skip
    created = await cluster.request("POST", secrets, secret)
    assert "stringData" not in created
    assert created["data"] == {"username": "YWRtaW4=", "password": "aW5mb2Jsb3g=", "ca.crt": "Y2E="}
    patch = {"stringData": {"password": "rotated"}}
    patched = await cluster.request(
        "PATCH", f"{secrets}/lab-wapi", patch, content_type="application/merge-patch+json"
    )
    assert patched["data"]["password"] == "cm90YXRlZA==" and "stringData" not in patched


async def test_label_selectors_filter_lists(cluster: Cluster) -> None:
    await cluster.apply(network("a", labels={"shard": "1"}))
    await cluster.apply(network("b", cidr="10.2.0.0/24", labels={"shard": "2"}))
    path = "/apis/ddisync.io/v1alpha1/networks?labelSelector=shard%3D2"
    listing = await cluster.request("GET", path)
    assert [item["metadata"]["name"] for item in listing["items"]] == ["b"]


async def read_events(
    cluster: Cluster, query: str, count: int, first: asyncio.Event | None = None
) -> list[dict[str, Any]]:
    """The first ``count`` events of a watch; ``first`` is set once one has come."""
    events: list[dict[str, Any]] = []
    url = f"{cluster.url}/apis/ddisync.io/v1alpha1/networks?watch=true&{query}"
    async with cluster.session.get(url) as response:
        async for line in response.content:
            if line.strip():
                events.append(json.loads(line))
                if first is not None:
                    first.set()
            if len(events) == count:
                break
    return events


async def test_a_watch_resumes_after_the_resource_version_it_is_given(cluster: Cluster) -> None:
    await cluster.apply(network("old"))
    listing = await cluster.request("GET", NETS)
    since = listing["metadata"]["resourceVersion"]
    await cluster.apply(network("new", cidr="10.2.0.0/24"))
    await cluster.patch("networks", "ns1", "old", {"spec": {"comment": "changed"}})
    events = await asyncio.wait_for(read_events(cluster, f"resourceVersion={since}", 2), 5)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "new"),
        ("MODIFIED", "old"),
    ]


async def test_a_watch_without_resource_version_starts_with_every_object(cluster: Cluster) -> None:
    await cluster.apply(network("a"))
    first = asyncio.Event()
    watching = asyncio.create_task(read_events(cluster, "", 3, first))
    await asyncio.wait_for(first.wait(), 5)  # the watch has started (it sent "a")
    await cluster.delete("networks", "ns1", "a")
    await cluster.apply(network("b"))
    events = await asyncio.wait_for(watching, 5)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"),
        ("DELETED", "a"),
        ("ADDED", "b"),
    ]


async def test_the_official_client_creates_and_reads_custom_objects(cluster: Cluster) -> None:
    from ddisync_emulator.client import ManifestClient
    from ddisync_emulator.manifests import Manifest

    def apply_and_read() -> dict[str, Any]:
        client = ManifestClient(cluster.url)
        try:
            return client.apply(Manifest(network("n1"), "test"))
        finally:
            client.close()

    created = await asyncio.to_thread(apply_and_read)
    assert created["metadata"]["generation"] == 1
    stored = await cluster.get("networks", "ns1", "n1")
    assert stored is not None and stored["metadata"]["uid"] == created["metadata"]["uid"]


async def test_leases_are_served_with_optimistic_concurrency(cluster: Cluster) -> None:
    # Leader election (ddisync.leadership) relies on it: of two replicas writing the Lease
    # they read, the second gets 409 and stays a standby.
    path = "/apis/coordination.k8s.io/v1/namespaces/default/leases"
    lease = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "ddisync"},
        "spec": {"holderIdentity": "a", "leaseDurationSeconds": 8},
    }
    created = await cluster.request("POST", path, lease)
    with pytest.raises(ApiError) as taken:
        await cluster.request("POST", path, lease)
    assert taken.value.status == 409
    read = await cluster.request("GET", f"{path}/ddisync")
    for holder in ("b", "c"):  # two writers of the same version: the second is stale
        body = {**read, "spec": {**read["spec"], "holderIdentity": holder}}
        if holder == "b":
            updated = await cluster.request("PUT", f"{path}/ddisync", body)
        else:
            with pytest.raises(ApiError) as stale:
                await cluster.request("PUT", f"{path}/ddisync", body)
            assert stale.value.status == 409
    assert updated["spec"]["holderIdentity"] == "b"
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
