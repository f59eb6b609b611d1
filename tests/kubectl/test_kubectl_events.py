"""What kubectl shows of ddisync's Events and of namespaces, as on a real cluster (kubectl 1.35).

The operator posts core v1 Events; ``kubectl get events``, ``kubectl describe`` and ``kubectl
events`` read them, and ``events.k8s.io/v1`` serves the same Events under its own names.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.kubectl.conftest import Stack, watch_line_with


def _network(name: str, cidr: str, namespace: str = "default") -> str:
    return f"""\
apiVersion: ddisync.io/v1alpha1
kind: Network
metadata:
  name: {name}
  namespace: {namespace}
spec:
  cidr: {cidr}
"""


# Tenancy is enforced in this stack, as in the demo: the namespaces used here get a grant.
GRANT = """\
apiVersion: ddisync.io/v1alpha1
kind: DDIGrant
metadata:
  name: events-tests
spec:
  namespaces: [default, team-a]
  ipam: {containers: [10.0.0.0/8]}
---
"""


async def _apply_ready(stack: Stack, tmp_path: Path, manifest: str, namespace: str) -> None:
    path = tmp_path / "network.yaml"
    path.write_text(GRANT + manifest)
    await stack.kubectl.ok("apply", "-f", str(path))
    await stack.kubectl.ok(
        "wait", "--for=condition=Ready", "networks", "--all", "-n", namespace, "--timeout=30s",
        timeout=40,
    )  # fmt: skip


async def test_kubectl_shows_the_events_the_operator_posts(stack: Stack, tmp_path: Path) -> None:
    await _apply_ready(stack, tmp_path, _network("lab", "10.30.0.0/24"), "default")
    message = "network 10.30.0.0/24 is in sync with Infoblox"

    listed = await stack.kubectl.ok("get", "events", "-n", "default")
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    [row] = [line for line in lines if "network/lab" in line]
    assert row.split()[1:4] == ["Normal", "Synced", "network/lab"]
    assert row.endswith(message)

    described = await stack.kubectl.ok("describe", "network", "lab")
    section = described.stdout.split("\nEvents:", 1)[1]
    assert section.splitlines()[1].split() == ["Type", "Reason", "Age", "From", "Message"]
    assert any(
        line.split()[:2] == ["Normal", "Synced"] and "kopf" in line and line.endswith(message)
        for line in section.splitlines()
    ), section

    newer = await stack.kubectl.ok(
        "get", "events.events.k8s.io", "-n", "default",
        "--field-selector", "regarding.name=lab", "-o", "json",
    )  # fmt: skip
    [event] = json.loads(newer.stdout)["items"]
    assert event["apiVersion"] == "events.k8s.io/v1"
    assert (event["regarding"]["kind"], event["regarding"]["name"]) == ("Network", "lab")
    assert (event["reason"], event["note"]) == ("Synced", message)

    for_it = await stack.kubectl.ok("events", "-n", "default", "--for", "network/lab")
    assert "Synced" in for_it.stdout and message in for_it.stdout


async def test_a_watch_on_events_k8s_io_sees_the_next_event(stack: Stack, tmp_path: Path) -> None:
    watch = await stack.kubectl.start(
        "get", "events.events.k8s.io", "-n", "default", "-w",
        "--field-selector", "regarding.name=late",
    )  # fmt: skip
    try:
        await _apply_ready(stack, tmp_path, _network("late", "10.31.0.0/24"), "default")
        line = await watch_line_with(watch, b"network/late")
        assert line.decode().split()[1:3] == ["Normal", "Synced"]
    finally:
        watch.terminate()
        await watch.wait()


async def test_kubectl_creates_and_lists_namespaces(stack: Stack, tmp_path: Path) -> None:
    created = await stack.kubectl.ok("create", "namespace", "team-a")  # sent as protobuf
    assert created.stdout.strip() == "namespace/team-a created"
    listed = await stack.kubectl.ok("get", "ns")
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "AGE"]
    status = {line.split()[0]: line.split()[1] for line in lines[1:]}
    assert status == {
        "default": "Active",
        "kube-node-lease": "Active",
        "kube-public": "Active",
        "kube-system": "Active",
        "team-a": "Active",
    }
    label = await stack.kubectl.ok(
        "get", "ns", "-l", "kubernetes.io/metadata.name=team-a", "-o", "name"
    )
    assert label.stdout.split() == ["namespace/team-a"]

    # The new namespace is used like any other: a Secret, a Network, its Events.
    secret = await stack.kubectl.ok(
        "create", "secret", "generic", "creds", "-n", "team-a", "--from-literal=user=admin"
    )
    assert "secret/creds created" in secret.stdout
    await _apply_ready(stack, tmp_path, _network("team-net", "10.32.0.0/24", "team-a"), "team-a")
    events = await stack.kubectl.ok("get", "events", "-n", "team-a")
    assert "network/team-net" in events.stdout

    await stack.kubectl.ok("create", "namespace", "team-b")
    deleted = await stack.kubectl.ok("delete", "namespace", "team-b")
    assert 'namespace "team-b" deleted' in deleted.stdout
    gone = await stack.kubectl.run("get", "ns", "team-b")
    assert 'namespaces "team-b" not found' in gone.stderr
