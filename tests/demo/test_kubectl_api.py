"""What kubectl needs of the emulated API, seen through real HTTP (the real binary: tests/kubectl).

Tables for ``kubectl get``, OpenAPI v3 for ``kubectl apply``, discovery without subresource
aliases, ``fieldValidation``, CEL rules and ratcheting.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from ddisync.api.crd import ALL_KINDS
from ddisync_emulator.cluster import Cluster
from ddisync_emulator.objects import ApiError

NETS = "/apis/ddisync.io/v1alpha1/namespaces/ns1/networks"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"  # noqa: E501
MERGE = "application/merge-patch+json"
READY = {
    "type": "Ready", "status": "True", "reason": "Synced", "message": "in Infoblox",
    "observedGeneration": 1, "lastTransitionTime": "2026-01-01T00:00:00Z",
}  # fmt: skip


def network(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "ddisync.io/v1alpha1",
        "kind": "Network",
        "metadata": {"name": name, "namespace": "ns1"},
        "spec": spec or {"cidr": "10.1.0.0/24"},
    }


async def get(cluster: Cluster, path: str, accept: str = TABLE) -> tuple[int, dict[str, str], Any]:
    async with cluster.session.get(cluster.url + path, headers={"Accept": accept}) as response:
        return response.status, dict(response.headers), await response.json(content_type=None)


async def send(
    cluster: Cluster, method: str, path: str, body: Any, content_type: str = "application/json"
) -> tuple[int, dict[str, str], Any]:
    async with cluster.session.request(
        method, cluster.url + path, data=json.dumps(body), headers={"Content-Type": content_type}
    ) as response:
        return response.status, dict(response.headers), await response.json(content_type=None)


async def test_kubectl_get_receives_a_table_of_the_printer_columns(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    await cluster.patch_status(
        "networks", "ns1", "n1", {"cidr": "10.1.0.0/24", "ref": "network/x", "conditions": [READY]}
    )
    status, _, table = await get(cluster, NETS)
    assert status == 200
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    columns = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert columns == [
        ("Name", 0), ("CIDR", 0), ("View", 0), ("Ready", 0), ("Reason", 0),
        ("Message", 1), ("Ref", 1), ("Age", 0),
    ]  # fmt: skip
    [row] = table["rows"]
    name, cidr, view, ready, reason, message, ref, age = row["cells"]
    assert (name, cidr, view, ready, reason) == ("n1", "10.1.0.0/24", "default", "True", "Synced")
    assert (message, ref) == ("in Infoblox", "network/x")
    assert age.endswith("s")
    assert row["object"]["kind"] == "PartialObjectMetadata"
    assert row["object"]["metadata"]["namespace"] == "ns1"  # kubectl get -A reads it here


async def test_a_missing_column_value_is_a_null_cell(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    _, _, table = await get(cluster, f"{NETS}/n1")  # one object: a one-row Table
    assert table["rows"][0]["cells"][1] is None  # no status.cidr yet


async def test_the_table_version_and_included_object_follow_the_request(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    beta = "application/json;as=Table;v=v1beta1;g=meta.k8s.io"
    _, _, table = await get(cluster, f"{NETS}?includeObject=Object", accept=beta)
    assert table["apiVersion"] == "meta.k8s.io/v1beta1"
    assert table["rows"][0]["object"]["spec"]["cidr"] == "10.1.0.0/24"
    _, _, plain = await get(cluster, NETS, accept="application/json")
    assert plain["kind"] == "NetworkList"


async def test_built_in_resources_get_the_default_columns(cluster: Cluster) -> None:
    _, _, table = await get(cluster, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Created At"]
    assert {row["cells"][0] for row in table["rows"]} == {
        f"{info.plural}.ddisync.io" for info in ALL_KINDS
    }


async def test_a_table_watch_is_json_with_columns_in_the_first_event_only(
    cluster: Cluster,
) -> None:
    await cluster.apply(network("n1"))
    url = f"{cluster.url}{NETS}?watch=true"
    async with cluster.session.get(url, headers={"Accept": TABLE}) as response:
        assert response.headers["Content-Type"].startswith("application/json")
        first = json.loads(await asyncio.wait_for(response.content.readline(), 5))
        await cluster.patch("networks", "ns1", "n1", {"spec": {"comment": "x"}})
        second = json.loads(await asyncio.wait_for(response.content.readline(), 5))
    assert first["type"] == "ADDED"
    assert first["object"]["kind"] == "Table"
    assert "columnDefinitions" in first["object"]
    assert second["type"] == "MODIFIED"
    assert "columnDefinitions" not in second["object"]
    assert second["object"]["rows"][0]["cells"][0] == "n1"


async def test_openapi_v3_says_patch_takes_field_validation(cluster: Cluster) -> None:
    _, _, root = await get(cluster, "/openapi/v3", accept="application/json")
    url = root["paths"]["apis/ddisync.io/v1alpha1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/ddisync.io/v1alpha1?hash=")
    _, _, doc = await get(cluster, url, accept="application/json")
    patch = doc["paths"]["/apis/ddisync.io/v1alpha1/namespaces/{namespace}/networks/{name}"][
        "patch"
    ]
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": "ddisync.io",
        "version": "v1alpha1",
        "kind": "Network",
    }
    assert {"name": "fieldValidation", "in": "query"}.items() <= next(
        p for p in patch["parameters"] if p["name"] == "fieldValidation"
    ).items()
    assert "application/strategic-merge-patch+json" not in patch["requestBody"]["content"]
    schema = doc["components"]["schemas"]["io.ddisync.v1alpha1.Network"]
    assert "cidr" in schema["properties"]["spec"]["properties"]  # kubectl explain reads it
    assert "api/v1" in root["paths"]  # built-in kinds too (kubectl apply of a Namespace)


async def test_discovery_lists_subresources_without_names_or_categories(cluster: Cluster) -> None:
    _, _, listing = await get(cluster, "/apis/ddisync.io/v1alpha1", accept="application/json")
    by_name = {entry["name"]: entry for entry in listing["resources"]}
    assert by_name["networks"]["categories"] == ["ddi"]
    status = by_name["networks/status"]
    assert "categories" not in status and "shortNames" not in status  # or `get ddi` breaks
    assert status["verbs"] == ["get", "patch", "update"]


async def test_the_core_group_version_is_v1(cluster: Cluster) -> None:
    # kubectl keys each resource list by its groupVersion: with "/v1" it mapped none of the
    # core resources ("the server doesn't have a resource type namespaces"), and kubectl apply
    # of a Namespace found no kind.
    _, _, listing = await get(cluster, "/api/v1", accept="application/json")
    assert listing["groupVersion"] == "v1"
    namespaces = next(e for e in listing["resources"] if e["name"] == "namespaces")
    assert (namespaces["kind"], namespaces["namespaced"]) == ("Namespace", False)
    _, _, events = await get(cluster, "/apis/events.k8s.io/v1", accept="application/json")
    assert events["groupVersion"] == "events.k8s.io/v1"


async def test_strict_field_validation_refuses_unknown_fields(cluster: Cluster) -> None:
    body = network("n1", cidr="10.1.0.0/24", colour="blue")
    status, _, answer = await send(cluster, "POST", f"{NETS}?fieldValidation=Strict", body)
    assert (status, answer["reason"]) == (400, "BadRequest")
    assert 'strict decoding error: unknown field "spec.colour"' in answer["message"]


async def test_warn_field_validation_prunes_and_warns(cluster: Cluster) -> None:
    body = network("n1", cidr="10.1.0.0/24", colour="blue")
    status, headers, created = await send(cluster, "POST", f"{NETS}?fieldValidation=Warn", body)
    assert status == 201
    assert headers["Warning"] == '299 - "unknown field \\"spec.colour\\""'
    assert "colour" not in created["spec"]
    _, later, _ = await send(cluster, "POST", NETS, network("n2"))
    assert "Warning" not in later  # not carried over to the next answer


async def test_a_cel_rule_refuses_with_the_field_in_the_details(cluster: Cluster) -> None:
    body = network("n1", cidr="10.1.0.0/24", allocate={"fromContainer": "10.0.0.0/8",
                                                      "prefixLength": 26})  # fmt: skip
    status, _, answer = await send(cluster, "POST", NETS, body)
    assert (status, answer["reason"]) == (422, "Invalid")
    assert answer["message"] == (
        'Network.ddisync.io "n1" is invalid: spec: Invalid value: "object": '
        "set exactly one of cidr and allocate"
    )
    assert answer["details"]["kind"] == "Network"
    assert answer["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "object": set exactly one of cidr and allocate',
            "field": "spec",
        }
    ]


async def test_transition_rules_see_the_stored_object(cluster: Cluster) -> None:
    await cluster.apply(network("n1"))
    with pytest.raises(ApiError) as error:
        await cluster.patch("networks", "ns1", "n1", {"spec": {"cidr": "10.2.0.0/24"}})
    assert error.value.status == 422
    assert "spec.cidr" in error.value.message and "immutable" in error.value.message


async def test_an_unchanged_value_is_not_judged_again(cluster: Cluster) -> None:
    # Stored before the rule could see it (as if the CRD had tightened since): writes that
    # leave the value alone still pass, as with the server's validation ratcheting.
    await cluster.apply(network("n1"))
    stored = cluster.emulator._index[cluster.resolve("networks")][("ns1", "n1")]
    stored.raw["spec"]["extensibleAttributes"] = {"-bad key": "x"}
    patched = await cluster.patch("networks", "ns1", "n1", {"metadata": {"labels": {"a": "b"}}})
    assert patched["metadata"]["labels"] == {"a": "b"}
    assert patched["spec"]["extensibleAttributes"] == {"-bad key": "x"}
    with pytest.raises(ApiError) as error:
        await cluster.patch(
            "networks", "ns1", "n1", {"spec": {"extensibleAttributes": {"-worse": "y"}}}
        )
    assert "keys must match" in error.value.message


async def test_a_strategic_merge_patch_leaves_no_directives_behind(cluster: Cluster) -> None:
    path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/networks.ddisync.io"
    patch = {"metadata": {"labels": {"a": "b"}, "$setElementOrder/finalizers": []}}
    status, _, crd = await send(
        cluster, "PATCH", path, patch, "application/strategic-merge-patch+json"
    )
    assert status == 200
    assert crd["metadata"]["labels"] == {"a": "b"}
    assert not any(key.startswith("$") for key in crd["metadata"])
