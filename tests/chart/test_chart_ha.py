"""The chart's high-availability defaults and production options, rendered by the real helm
(every CI values file is also validated against the Kubernetes schemas in
test_chart_render.py): active/standby replicas on a Lease, rolling updates that keep one
replica, replicas spread across nodes, a PDB per instance, credentials as files, the optional
NetworkPolicy and PodMonitor, and per-shard overrides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from chartenv import (
    CI_VALUES,
    MONITORING_API,
    Helm,
    Manifest,
    Render,
    ci_values,
    env_of,
    of_kind,
    template_args,
)

ACTIVE_STANDBY = [v for v in CI_VALUES if v.name != "monitoring-values.yaml"]  # 1 replica there


def pod_spec(deployment: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = deployment["spec"]["template"]["spec"]
    return spec


@pytest.mark.parametrize("values", ACTIVE_STANDBY, ids=[v.name for v in ACTIVE_STANDBY])
def test_each_instance_runs_standby_replicas_on_its_own_lease(render: Render, values: Path) -> None:
    deployments = of_kind(render([values]), "Deployment")
    leases = set()
    for deployment in deployments:
        assert deployment["spec"]["replicas"] >= 2
        # A new pod (a Ready standby) before an old one goes, one at a time.
        assert deployment["spec"]["strategy"] == {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0},
        }
        env = env_of(deployment)
        assert env["DDISYNC_LEADER_ELECTION"] == "true"
        assert env["DDISYNC_LEASE_NAME"] == deployment["metadata"]["name"]
        assert env["DDISYNC_LEADER_IDENTITY"] == {"fieldRef": {"fieldPath": "metadata.name"}}
        assert env["DDISYNC_LEASE_NAMESPACE"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
        leases.add(env["DDISYNC_LEASE_NAME"])
        # Spread over nodes, counting this instance's pods only.
        (spread,) = pod_spec(deployment)["topologySpreadConstraints"]
        assert spread["topologyKey"] == "kubernetes.io/hostname"
        assert spread["labelSelector"] == deployment["spec"]["selector"]
    assert len(leases) == len(deployments)  # shards never compete for one Lease


def test_the_defaults_are_two_replicas_that_may_share_a_node_when_they_must(
    render: Render,
) -> None:
    (deployment,) = of_kind(render([ci_values("default")]), "Deployment")
    assert deployment["spec"]["replicas"] == 2
    (spread,) = pod_spec(deployment)["topologySpreadConstraints"]
    assert spread["whenUnsatisfiable"] == "ScheduleAnyway"  # a one-node cluster still runs
    env = env_of(deployment)
    assert (env["DDISYNC_LEASE_DURATION"], env["DDISYNC_LEASE_RENEW_DEADLINE"]) == ("10", "7")
    assert env["DDISYNC_LEASE_RETRY_PERIOD"] == "1"
    (ha,) = of_kind(render([ci_values("ha")]), "Deployment")[:1]
    assert pod_spec(ha)["topologySpreadConstraints"][0]["whenUnsatisfiable"] == "DoNotSchedule"


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["replicaCount=2", "leaderElection.enabled=false"], "needs leaderElection.enabled"),
        (["leaderElection.renewDeadline=12"], "renewDeadline must be less than leaseDuration"),
        (["leaderElection.retryPeriod=7"], "retryPeriod must be less than renewDeadline"),
    ],
    ids=["two-replicas-without-election", "renew-deadline-too-long", "retry-period-too-long"],
)
def test_settings_that_could_let_two_replicas_reconcile_are_refused(
    helm: Helm, sets: list[str], message: str
) -> None:
    result = helm(*template_args([ci_values("default")], sets=sets))
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize("values", ["default", "ha", "sharded"])
def test_a_pdb_per_instance_keeps_one_replica_through_a_drain(render: Render, values: str) -> None:
    docs = render([ci_values(values)])
    deployments = of_kind(docs, "Deployment")
    pdbs = {pdb["metadata"]["name"]: pdb for pdb in of_kind(docs, "PodDisruptionBudget")}
    assert set(pdbs) == {d["metadata"]["name"] for d in deployments}
    for deployment in deployments:
        pdb = pdbs[deployment["metadata"]["name"]]
        assert pdb["spec"]["minAvailable"] == 1
        assert "maxUnavailable" not in pdb["spec"]
        assert pdb["spec"]["selector"] == deployment["spec"]["selector"]
        assert pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


@pytest.mark.parametrize("values", CI_VALUES, ids=[v.name for v in CI_VALUES])
def test_credentials_are_files_read_again_never_environment_variables(
    render: Render, values: Path
) -> None:
    for deployment in of_kind(render([values]), "Deployment"):
        env = env_of(deployment)
        assert "DDISYNC_WAPI_PASSWORD" not in env and "DDISYNC_WAPI_USERNAME" not in env
        assert env["DDISYNC_WAPI_PASSWORD_FILE"] == "/etc/ddisync/credentials/password"
        assert env["DDISYNC_WAPI_USERNAME_FILE"] == "/etc/ddisync/credentials/username"
        (container,) = pod_spec(deployment)["containers"]
        mounts = {m["name"]: m for m in container["volumeMounts"]}
        # No subPath: the kubelet updates a Secret volume in place only without one.
        assert mounts["credentials"] == {
            "name": "credentials", "mountPath": "/etc/ddisync/credentials", "readOnly": True,
        }  # fmt: skip
        # Nothing read only at start comes from a Secret: no checksum that rolls the pods.
        annotations = deployment["spec"]["template"]["metadata"].get("annotations") or {}
        assert not [key for key in annotations if key.startswith("checksum/")]


def test_leases_are_the_only_thing_the_operator_creates_or_updates(render: Render) -> None:
    docs = render([ci_values("ha")])
    names = sorted(d["metadata"]["name"] for d in of_kind(docs, "Deployment"))
    (role,) = [
        r for r in of_kind(docs, "Role") if r["metadata"]["name"].endswith("-leader-election")
    ]
    assert role["metadata"]["namespace"] == "ddisync-system"
    role["rules"][1]["resourceNames"].sort()
    assert role["rules"] == [
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["create"]},
        {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "resourceNames": names,
         "verbs": ["get", "update"]},
    ]  # fmt: skip
    (binding,) = [
        b for b in of_kind(docs, "RoleBinding") if b["roleRef"]["name"] == role["metadata"]["name"]
    ]
    accounts = {pod_spec(d)["serviceAccountName"] for d in of_kind(docs, "Deployment")}
    assert {s["name"] for s in binding["subjects"]} == accounts


def test_the_network_policy_allows_only_what_the_operator_needs(render: Render) -> None:
    docs = render([ci_values("ha")])
    (policy,) = of_kind(docs, "NetworkPolicy")
    spec = policy["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    assert spec["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "operator"

    def ports(rule: dict[str, Any]) -> set[tuple[str, int]]:
        return {(p["protocol"], p["port"]) for p in rule["ports"]}

    def cidrs(rule: dict[str, Any]) -> set[str]:
        return {peer["ipBlock"]["cidr"] for peer in rule.get("to", []) if "ipBlock" in peer}

    api, grids, redis, dns = spec["egress"]
    assert ports(api) == {("TCP", 443), ("TCP", 6443)}
    assert cidrs(api) == {"10.96.0.1/32", "192.168.10.5/32"}
    assert ports(grids) == {("TCP", 443)}
    assert cidrs(grids) == {"192.0.2.10/32", "198.51.100.0/28"}
    assert ports(redis) == {("TCP", 6379)}
    assert redis["to"] == [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "redis"}}}]
    assert ports(dns) == {("UDP", 53), ("TCP", 53)}
    metrics, health = spec["ingress"]
    assert ports(metrics) == {("TCP", 9090)}
    assert metrics["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "monitoring"
    }
    assert ports(health) == {("TCP", 8080)} and "from" not in health  # the kubelet's probes
    assert of_kind(render([ci_values("default")]), "NetworkPolicy") == []  # opt-in


def test_without_redis_the_network_policy_opens_no_redis_port(render: Render) -> None:
    (policy,) = of_kind(
        render([ci_values("default")], sets=["networkPolicy.enabled=true"]), "NetworkPolicy"
    )
    opened = {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]}
    assert opened == {443, 6443, 53}


def test_the_pod_monitor_scrapes_every_replica_when_the_api_exists(render: Render) -> None:
    ha = ci_values("ha")
    assert of_kind(render([ha]), "PodMonitor") == []
    (monitor,) = of_kind(render([ha], api_versions=[MONITORING_API]), "PodMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    selector = monitor["spec"]["selector"]["matchLabels"]
    for deployment in of_kind(render([ha]), "Deployment"):  # every shard's pods, standbys too
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items()


def test_a_shard_may_have_its_own_cluster_id_and_default_grid(render: Render) -> None:
    docs = render([ci_values("ha")])
    by_shard = {d["metadata"]["labels"]["ddisync.io/shard"]: d for d in of_kind(docs, "Deployment")}
    main, lab = env_of(by_shard["main"]), env_of(by_shard["lab"])
    assert (main["DDISYNC_CLUSTER_ID"], main["DDISYNC_WAPI_URL"]) == (
        "default", "https://gm.example.com")  # fmt: skip
    assert (lab["DDISYNC_CLUSTER_ID"], lab["DDISYNC_WAPI_URL"]) == (
        "lab-cluster", "https://gm.lab.example.com")  # fmt: skip
    assert "DDISYNC_WAPI_CA_BUNDLE" not in main
    assert lab["DDISYNC_WAPI_CA_BUNDLE"] == "/etc/ddisync/ca/ca.crt"

    def volumes(deployment: Manifest) -> dict[str, Any]:
        return {v["name"]: v for v in pod_spec(deployment)["volumes"]}

    assert volumes(by_shard["main"])["credentials"]["secret"]["secretName"] == (
        "infoblox-credentials"
    )
    lab_secret = volumes(by_shard["lab"])["credentials"]["secret"]
    assert lab_secret["secretName"] == "lab-credentials"
    assert {"key": "secret", "path": "password"} in lab_secret["items"]
    assert volumes(by_shard["lab"])["ca-bundle"]["secret"]["secretName"] == "lab-ca"
