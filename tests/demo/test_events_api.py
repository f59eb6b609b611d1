"""Events: one storage, served as core ``v1`` and as ``events.k8s.io/v1``, seen through HTTP.

kopf posts core v1 Events; kubectl describe selects them by ``involvedObject.*``; newer clients
read and write ``events.k8s.io/v1`` (``regarding``, ``note``, ...). Every Event must read the
same through both, as on a real API server.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

import pytest

from ddisync_emulator.cluster import Cluster
from ddisync_emulator.objects import ApiError

CORE = "/api/v1/namespaces/default/events"
V1 = "/apis/events.k8s.io/v1/namespaces/default/events"
MERGE = "application/merge-patch+json"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
NETWORK_REF = {
    "apiVersion": "ddisync.io/v1alpha1",
    "kind": "Network",
    "name": "lab",
    "namespace": "default",
    "uid": "uid-of-lab",
}


def kopf_event(reason: str = "Synced", **overrides: Any) -> dict[str, Any]:
    """An Event as kopf posts it (core v1, Python's isoformat() times)."""
    return {
        "metadata": {"namespace": "default", "generateName": "kopf-event-"},
        "action": "Action?",
        "type": "Normal",
        "reason": reason,
        "message": "network 10.1.0.0/24 is in sync with Infoblox",
        "reportingComponent": "kopf",
        "reportingInstance": "dev",
        "source": {"component": "kopf"},
        "involvedObject": NETWORK_REF,
        "firstTimestamp": "2026-01-02T03:04:05.123456+00:00",
        "lastTimestamp": "2026-01-02T03:04:05.123456+00:00",
        "eventTime": "2026-01-02T03:04:05.123456+00:00",
        **overrides,
    }


def names(listing: dict[str, Any]) -> list[str]:
    return [item["metadata"]["name"] for item in listing["items"]]


def selector(text: str) -> str:
    return "?fieldSelector=" + quote(text)


async def test_a_core_event_reads_through_events_k8s_io_under_its_names(
    cluster: Cluster,
) -> None:
    posted = await cluster.request("POST", CORE, kopf_event())
    name = posted["metadata"]["name"]
    assert name.startswith("kopf-event-")
    # Stored in the server's time formats: Time to the second, MicroTime to the microsecond.
    assert posted["firstTimestamp"] == "2026-01-02T03:04:05Z"
    assert posted["eventTime"] == "2026-01-02T03:04:05.123456Z"
    event = await cluster.request("GET", f"{V1}/{name}")
    assert event == {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": posted["metadata"],
        "regarding": NETWORK_REF,
        "reason": "Synced",
        "note": "network 10.1.0.0/24 is in sync with Infoblox",
        "type": "Normal",
        "action": "Action?",
        "deprecatedSource": {"component": "kopf"},
        "deprecatedFirstTimestamp": "2026-01-02T03:04:05Z",
        "deprecatedLastTimestamp": "2026-01-02T03:04:05Z",
        "eventTime": "2026-01-02T03:04:05.123456Z",
        "reportingController": "kopf",
        "reportingInstance": "dev",
    }
    listing = await cluster.request("GET", V1)
    assert (listing["apiVersion"], listing["kind"]) == ("events.k8s.io/v1", "EventList")
    assert names(listing) == [name]
    assert listing["items"][0] == event


async def test_an_event_written_through_events_k8s_io_is_a_core_event(cluster: Cluster) -> None:
    new = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "lab.1"},
        "eventTime": "2026-01-02T03:04:05.5Z",
        "reportingController": "ddisync.io/operator",
        "reportingInstance": "ddisync-0",
        "action": "Reconcile",
        "reason": "Conflict",
        "regarding": NETWORK_REF,
        "note": "10.1.0.0/24 exists in Infoblox and is not ours",
        "type": "Warning",
    }
    created = await cluster.request("POST", V1, new)
    assert created["apiVersion"] == "events.k8s.io/v1"
    assert created["note"] == new["note"] and created["eventTime"] == "2026-01-02T03:04:05.500000Z"
    core = await cluster.request("GET", f"{CORE}/lab.1")
    assert (core["apiVersion"], core["kind"]) == ("v1", "Event")
    assert core["involvedObject"] == NETWORK_REF
    assert core["message"] == new["note"]
    assert core["reportingComponent"] == "ddisync.io/operator"
    assert "regarding" not in core and "note" not in core

    patched = await cluster.request(
        "PATCH",
        f"{V1}/lab.1",
        {"series": {"count": 2, "lastObservedTime": "2026-01-02T03:05:00Z"}, "note": "again"},
        content_type=MERGE,
    )
    assert patched["series"] == {"count": 2, "lastObservedTime": "2026-01-02T03:05:00.000000Z"}
    assert patched["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    core = await cluster.request("GET", f"{CORE}/lab.1")
    assert core["message"] == "again" and core["series"]["count"] == 2

    await cluster.request("DELETE", f"{V1}/lab.1")
    assert await cluster.get("events", "default", "lab.1") is None  # one storage


async def test_a_stale_resource_version_conflicts_through_either_version(
    cluster: Cluster,
) -> None:
    posted = await cluster.request("POST", CORE, kopf_event())
    name, rv = posted["metadata"]["name"], posted["metadata"]["resourceVersion"]
    await cluster.request("PATCH", f"{CORE}/{name}", {"count": 2}, content_type=MERGE)
    stale = {"metadata": {"resourceVersion": rv}, "deprecatedCount": 3}
    with pytest.raises(ApiError) as conflict:
        await cluster.request("PATCH", f"{V1}/{name}", stale, content_type=MERGE)
    assert conflict.value.status == 409


async def test_events_are_selected_by_the_fields_kubectl_describe_uses(cluster: Cluster) -> None:
    other = {**NETWORK_REF, "name": "other", "uid": "uid-of-other"}
    lab = await cluster.request("POST", CORE, kopf_event())
    warning = await cluster.request("POST", CORE, kopf_event("Conflict", type="Warning"))
    await cluster.request("POST", CORE, kopf_event(involvedObject=other))
    await cluster.request("POST", "/api/v1/namespaces/kube-system/events",
                          kopf_event(metadata={"generateName": "x-"}))  # fmt: skip
    lab_events = sorted([lab["metadata"]["name"], warning["metadata"]["name"]])
    describe = (  # what kubectl describe network lab asks
        "involvedObject.kind=Network,involvedObject.uid=uid-of-lab,"
        "involvedObject.name=lab,involvedObject.namespace=default"
    )
    assert sorted(names(await cluster.request("GET", CORE + selector(describe)))) == lab_events
    for query, expected in [
        ("regarding.uid=uid-of-lab", lab_events),
        ("regarding.name=lab,type!=Normal", [warning["metadata"]["name"]]),
        ("reason==Conflict", [warning["metadata"]["name"]]),
        ("reportingController=kopf,regarding.name=lab", lab_events),
        ("metadata.namespace=default,regarding.name=nope", []),
    ]:
        found = await cluster.request("GET", V1 + selector(query))
        assert sorted(names(found)) == expected, query
    everywhere = await cluster.request("GET", "/api/v1/events" + selector("source=kopf"))
    assert len(everywhere["items"]) == 4


@pytest.mark.parametrize(
    ("path", "label"),
    [
        (CORE, "regarding.name"),  # the events.k8s.io name, not the core one
        (V1, "involvedObject.name"),  # and the other way round
        (CORE, "spec.nodeName"),
        ("/apis/ddisync.io/v1alpha1/networks", "spec.cidr"),
    ],
)
async def test_a_field_label_the_resource_does_not_have_is_refused(
    cluster: Cluster, path: str, label: str
) -> None:
    with pytest.raises(ApiError) as refused:
        await cluster.request("GET", path + selector(f"{label}=x"))
    assert (refused.value.status, refused.value.message) == (
        400,
        f"field label not supported: {label}",
    )


async def test_a_watch_through_events_k8s_io_sees_core_events_in_its_form(
    cluster: Cluster,
) -> None:
    url = f"{cluster.url}{V1}?watch=true&fieldSelector=" + quote("regarding.name=lab")
    async with cluster.session.get(url) as response:
        assert response.status == 200
        await cluster.request(
            "POST", CORE, kopf_event(involvedObject={**NETWORK_REF, "name": "other"})
        )
        posted = await cluster.request("POST", CORE, kopf_event())
        line = await asyncio.wait_for(response.content.readline(), 5)
    event = json.loads(line)
    assert event["type"] == "ADDED"
    assert event["object"]["apiVersion"] == "events.k8s.io/v1"
    assert event["object"]["metadata"]["name"] == posted["metadata"]["name"]
    assert event["object"]["regarding"]["name"] == "lab"
    assert "involvedObject" not in event["object"]


async def test_a_refused_watch_selector_is_an_answer_not_a_broken_stream(
    cluster: Cluster,
) -> None:
    url = f"{cluster.url}{V1}?watch=true&fieldSelector=involvedObject.name%3Dlab"
    async with cluster.session.get(url) as response:
        assert response.status == 400
        assert (await response.json())["message"] == (
            "field label not supported: involvedObject.name"
        )


async def test_kubectl_get_events_gets_the_columns_of_a_real_server(cluster: Cluster) -> None:
    await cluster.request("POST", CORE, kopf_event(count=3))
    for path in (CORE, V1):
        async with cluster.session.get(cluster.url + path, headers={"Accept": TABLE}) as answer:
            table = await answer.json()
        columns = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
        assert columns == [
            ("Last Seen", 0), ("Type", 0), ("Reason", 0), ("Object", 0), ("Subobject", 1),
            ("Source", 1), ("Message", 0), ("First Seen", 1), ("Count", 1), ("Name", 1),
        ]  # fmt: skip
        [row] = table["rows"]
        last, kind, reason, target, subobject, source, message, first, count, _ = row["cells"]
        assert (kind, reason, target, subobject, source, count) == (
            "Normal", "Synced", "network/lab", "", "kopf, dev", 3,
        )  # fmt: skip
        assert message == "network 10.1.0.0/24 is in sync with Infoblox"
        assert last.endswith(("d", "y")) and first == last  # an age, as kubectl shows it


async def test_kubectl_get_namespaces_gets_status_and_age(cluster: Cluster) -> None:
    path = "/api/v1/namespaces/default"
    async with cluster.session.get(cluster.url + path, headers={"Accept": TABLE}) as answer:
        table = await answer.json()
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Status", "Age"]
    name, status, age = table["rows"][0]["cells"]
    assert (name, status) == ("default", "Active")
    assert age.endswith("s")
