"""The Helm chart, rendered by the real helm v4 and checked the way a platform team reviews it."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from chartenv import (
    CHART,
    CI_VALUES,
    CRDS,
    K8S_VERSION,
    MONITORING_API,
    NAMESPACE,
    REPO_ROOT,
    Helm,
    Manifest,
    Render,
    ci_values,
    env_of,
    of_kind,
    template_args,
)
from crdvalidate import load_crds

from ddisync.api.crd import KINDS
from ddisync.config import Settings, env_name

# Kinds from CRDs that kubernetes-validate has no schema for; checked by dedicated tests
# (DDIGrant against the generated CRD, in test_chart_tenancy.py).
NON_CORE_KINDS = {"ServiceMonitor", "PodMonitor", "DDIGrant"}
# Every namespaced kind the operator reconciles, and its status subresource.
RESOURCES = {info.plural for info in KINDS}
STATUSES = {f"{info.plural}/status" for info in KINDS}
WORKLOAD_KINDS = {"Deployment"}


def ids(paths: list[Path]) -> list[str]:
    return [p.name.removesuffix("-values.yaml") for p in paths]


def test_ci_values_cover_the_reviewed_scenarios() -> None:
    assert set(ids(CI_VALUES)) >= {
        "default",
        "ha",
        "sharded",
        "existing-secret",
        "monitoring",
        "namespaced",
        "tenancy",
    }


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_helm_lint_strict_passes(helm: Helm, values: Path) -> None:
    result = helm("lint", "--strict", str(CHART), "-f", str(values))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("with_monitoring_api", [False, True], ids=["plain", "monitoring-api"])
@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_rendered_manifests_match_the_kubernetes_schemas(
    render: Render, values: Path, with_monitoring_api: bool
) -> None:
    docs = render([values], api_versions=[MONITORING_API] if with_monitoring_api else [])
    assert docs
    for doc in docs:
        if doc["kind"] in NON_CORE_KINDS:
            continue
        # strict: unknown fields are errors, as with `kubectl apply --validate=strict`.
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_every_namespaced_object_is_in_the_release_namespace_or_a_watched_one(
    render: Render, values: Path
) -> None:
    for doc in render([values]):
        if doc["kind"] in {"ClusterRole", "ClusterRoleBinding", "DDIGrant"}:
            assert "namespace" not in doc["metadata"]
        elif doc["kind"] not in {"Role", "RoleBinding", "ConfigMap"}:
            assert doc["metadata"]["namespace"] == NAMESPACE, doc["metadata"]


# --- Deployment --------------------------------------------------------------------------------


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_pods_are_locked_down(render: Render, values: Path) -> None:
    for deployment in of_kind(render([values]), "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 65532
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        (container,) = pod["containers"]
        ctx = container["securityContext"]
        assert ctx["allowPrivilegeEscalation"] is False
        assert ctx["readOnlyRootFilesystem"] is True
        assert ctx["capabilities"] == {"drop": ["ALL"]}
        assert ctx["runAsNonRoot"] is True
        assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}
        assert "privileged" not in ctx or ctx["privileged"] is False
        tmp = {v["name"]: v for v in pod["volumes"]}["tmp"]
        assert "emptyDir" in tmp
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
        assert container["resources"]["requests"] and container["resources"]["limits"]


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_probes_hit_healthz_and_readyz_on_the_health_port(render: Render, values: Path) -> None:
    for deployment in of_kind(render([values]), "Deployment"):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        env = env_of(deployment)
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "health"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "health"}
        assert str(ports["health"]) == env["DDISYNC_HEALTH_PORT"] == "8080"
        assert str(ports["metrics"]) == env["DDISYNC_METRICS_PORT"] == "9090"


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_every_env_var_is_a_setting_the_operator_reads(render: Render, values: Path) -> None:
    known = {env_name(name) for name in Settings.model_fields}
    for deployment in of_kind(render([values]), "Deployment"):
        assert set(env_of(deployment)) <= known
        assert "args" not in deployment["spec"]["template"]["spec"]["containers"][0]


def test_default_settings_reach_the_operator(
    render: Render, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (deployment,) = of_kind(render([ci_values("default")]), "Deployment")
    env = env_of(deployment)
    assert env["DDISYNC_WAPI_URL"] == "https://gm.example.com"
    assert env["DDISYNC_WAPI_VERSION"] == "2.12"
    assert env["DDISYNC_WAPI_RATE_LIMIT"] == "20"
    assert env["DDISYNC_WAPI_MAX_IN_FLIGHT"] == "8"
    assert env["DDISYNC_RESYNC_INTERVAL"] == "300"
    assert env["DDISYNC_MAX_CONCURRENT_RESOURCES"] == "300"  # the operator's own default
    assert env["DDISYNC_LOG_FORMAT"] == "json"
    assert "DDISYNC_NAMESPACES" not in env  # all namespaces
    assert "DDISYNC_REDIS_URL" not in env  # in-process cache
    # The operator's own Settings parse what the chart renders.
    for name, value in env.items():
        if name.endswith("_FILE"):  # the mounted Secret's files: stand-ins for what they hold
            value = tmp_path / name
            value.write_text(f"from-{name.lower()}")
        # The pod's name and namespace come from the downward API (fieldRef): stand-ins.
        monkeypatch.setenv(name, str(value) if not isinstance(value, dict) else "pod-0")
    settings = Settings()
    assert settings.wapi_password.get_secret_value() == "from-ddisync_wapi_password_file"
    assert settings.wapi_rate_limit == 20.0
    assert settings.namespaces == []
    assert settings.health_port == 8080
    # Every value the chart sets by default is the operator's own default.
    for name, info in Settings.model_fields.items():
        given = env.get(env_name(name))
        # The Lease is named after the Deployment; files and the pod's name are the chart's own.
        chart_set = name.endswith("_file") or name == "lease_name"
        if isinstance(given, str) and not chart_set and not info.is_required():
            assert getattr(settings, name) == info.get_default(call_default_factory=True), name


# --- Credentials and CA bundle -----------------------------------------------------------------


def credentials_volume(deployment: Manifest) -> Manifest:
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    secret: Manifest = volumes["credentials"]["secret"]
    return secret


def test_chart_creates_the_credentials_secret_by_default(render: Render) -> None:
    docs = render([ci_values("default")])
    (secret,) = of_kind(docs, "Secret")
    assert set(secret["data"]) == {"username", "password"}
    assert credentials_volume(of_kind(docs, "Deployment")[0]) == {
        "secretName": secret["metadata"]["name"],
        "items": [{"key": "username", "path": "username"}, {"key": "password", "path": "password"}],
    }


def test_existing_secret_is_used_and_no_secret_is_created(render: Render) -> None:
    docs = render([ci_values("existing-secret")])
    assert of_kind(docs, "Secret") == []
    deployment = of_kind(docs, "Deployment")[0]
    env = env_of(deployment)
    assert credentials_volume(deployment) == {
        "secretName": "infoblox-credentials",
        "items": [{"key": "user", "path": "username"}, {"key": "pass", "path": "password"}],
    }
    assert env["DDISYNC_REDIS_URL"] == {"secretKeyRef": {"name": "ddisync-redis", "key": "url"}}
    assert env["DDISYNC_WAPI_CA_BUNDLE"] == "/etc/ddisync/ca/ca.crt"
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["ca-bundle"]["secret"]["secretName"] == "infoblox-ca"


def test_ca_bundle_can_come_from_a_configmap(render: Render) -> None:
    deployment = of_kind(render([ci_values("namespaced")]), "Deployment")[0]
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    assert volumes["ca-bundle"]["configMap"]["name"] == "infoblox-ca"
    assert env_of(deployment)["DDISYNC_WAPI_CA_BUNDLE"] == "/etc/ddisync/ca/ca.pem"


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["wapi.username=u", "wapi.password=p"], "wapi.url is required"),
        (["wapi.url=https://gm", "wapi.username=u"], "wapi.password is required"),
        (
            [
                "wapi.url=https://gm",
                "wapi.existingSecret.name=s",
                "wapi.caBundle.secretName=a",
                "wapi.caBundle.configMapName=b",
            ],
            "not both",
        ),
    ],
    ids=["no-url", "no-password", "two-ca-sources"],
)
def test_missing_or_conflicting_values_fail_with_a_clear_message(
    helm: Helm, sets: list[str], message: str
) -> None:
    result = helm(*template_args(sets=sets))
    assert result.returncode != 0
    assert message in result.stderr


# --- RBAC --------------------------------------------------------------------------------------


def rbac_rules(docs: list[Manifest]) -> list[tuple[str, Manifest]]:
    return [
        (f"{doc['kind']}/{doc['metadata']['name']}", rule)
        for doc in docs
        if doc["kind"] in {"Role", "ClusterRole"}
        for rule in doc["rules"]
    ]


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_rbac_has_no_wildcards_and_reads_secrets_only_by_name(render: Render, values: Path) -> None:
    for where, rule in rbac_rules(render([values])):
        for field in ("apiGroups", "resources", "verbs"):
            assert "*" not in rule.get(field, []), (where, rule)
        if "secrets" in rule["resources"]:
            # Only the Secrets InfobloxGrids name (tenancy.secrets), one namespace at a time.
            assert where.startswith("Role/"), where
            assert rule["resources"] == ["secrets"] and rule["verbs"] == ["get"], rule
            assert rule["resourceNames"], rule
        assert (
            not {"create", "update", "delete", "deletecollection"} & set(rule["verbs"])
            or (rule["resources"] == ["events"] and rule["verbs"] == ["create"])
            # Leader election: create a Lease, and get/update only the instances' own.
            or (rule["resources"] == ["leases"] and rule["verbs"] == ["create"])
            or (rule["resources"] == ["leases"] and rule.get("resourceNames"))
        ), (where, rule)
        assert "nonResourceURLs" not in rule


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_operator_may_patch_status_and_never_write_spec_except_by_patch(
    render: Render, values: Path
) -> None:
    docs = render([values])
    rules = [rule for _, rule in rbac_rules(docs)]
    status = [r for r in rules if "networks/status" in r["resources"]]
    assert status and all(r["verbs"] == ["patch"] for r in status)
    assert all(set(r["resources"]) == STATUSES for r in status)


def on_resources(docs: list[Manifest], kind: str) -> list[Manifest]:
    """Roles or RoleBindings, without leader election's (on Leases; test_chart_ha.py)."""
    return [
        d for d in of_kind(docs, kind) if not d["metadata"]["name"].endswith("-leader-election")
    ]


def test_cluster_wide_mode_uses_a_cluster_role(render: Render) -> None:
    docs = render([ci_values("default")])
    assert on_resources(docs, "Role") == [] and on_resources(docs, "RoleBinding") == []
    roles = {r["metadata"]["name"]: r for r in of_kind(docs, "ClusterRole")}
    main = roles["ddisync"]
    resources = {res for rule in main["rules"] for res in rule["resources"]}
    assert resources == {*RESOURCES, *STATUSES, "events", "namespaces"}
    assert roles["ddisync-crd-observer"]["rules"] == [
        {
            "apiGroups": ["apiextensions.k8s.io"],
            "resources": ["customresourcedefinitions"],
            "verbs": ["list", "watch"],
        }
    ]
    binding = {b["metadata"]["name"]: b for b in of_kind(docs, "ClusterRoleBinding")}["ddisync"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "ddisync", "namespace": NAMESPACE}
    ]


def test_fixed_namespaces_get_roles_and_no_cluster_access_to_resources(render: Render) -> None:
    docs = render([ci_values("namespaced")])
    roles = on_resources(docs, "Role")
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["dns-team", "network-team"]
    for role in roles:
        resources = {res for rule in role["rules"] for res in rule["resources"]}
        assert resources == {*RESOURCES, *STATUSES, "events"}
    bindings = on_resources(docs, "RoleBinding")
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["dns-team", "network-team"]
    # Cluster-wide: the CRD observer, and the cluster-scoped tenancy kinds; no access to
    # namespaces beyond reading the labels of the fixed ones, by name.
    roles = {r["metadata"]["name"]: r for r in of_kind(docs, "ClusterRole")}
    assert set(roles) == {"ddisync-crd-observer", "ddisync-tenancy"}
    assert roles["ddisync-crd-observer"]["rules"][0]["resources"] == ["customresourcedefinitions"]
    namespace_rules = [
        r for r in roles["ddisync-tenancy"]["rules"] if r["resources"] == ["namespaces"]
    ]
    assert namespace_rules == [
        {
            "apiGroups": [""],
            "resources": ["namespaces"],
            "resourceNames": ["dns-team", "network-team"],
            "verbs": ["get"],
        }
    ]
    (deployment,) = of_kind(docs, "Deployment")
    assert env_of(deployment)["DDISYNC_NAMESPACES"] == "network-team,dns-team"


def test_rbac_covers_every_generated_crd(render: Render) -> None:
    plurals = {crd.plural for crd in load_crds(CRDS).values()}
    assert plurals
    with_status = {
        doc["spec"]["names"]["plural"]
        for path in CRDS.glob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc and any("status" in v.get("subresources", {}) for v in doc["spec"]["versions"])
    }
    assert with_status < plurals  # a DDIGrant has no status
    rules = [rule for _, rule in rbac_rules(render([ci_values("default")]))]
    granted = {
        res for rule in rules if "ddisync.io" in rule["apiGroups"] for res in rule["resources"]
    }
    assert plurals | {f"{p}/status" for p in with_status} <= granted


def test_rbac_can_be_left_to_the_user(render: Render) -> None:
    docs = render(
        [ci_values("default")], sets=["rbac.create=false", "serviceAccount.create=false",
                                      "serviceAccount.name=ops-managed"]
    )  # fmt: skip
    assert not {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ServiceAccount"} & {
        d["kind"] for d in docs
    }
    with_secrets = render(
        [ci_values("tenancy")], sets=["rbac.create=false", "serviceAccount.create=false",
                                      "serviceAccount.name=ops-managed"]
    )  # fmt: skip
    assert not {"Role", "ClusterRole"} & {d["kind"] for d in with_secrets}
    (deployment,) = of_kind(docs, "Deployment")
    assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == "ops-managed"


# --- Sharding ----------------------------------------------------------------------------------


def test_each_shard_gets_its_own_deployment_scope_and_identity(render: Render) -> None:
    docs = render([ci_values("sharded")])
    deployments = {
        d["metadata"]["labels"]["ddisync.io/shard"]: d for d in of_kind(docs, "Deployment")
    }
    assert set(deployments) == {"team-a", "team-b", "labelled"}
    scopes = {
        shard: (env_of(d).get("DDISYNC_NAMESPACES"), env_of(d).get("DDISYNC_LABEL_SELECTOR"))
        for shard, d in deployments.items()
    }
    assert scopes == {
        "team-a": ("team-a-dev,team-a-prod", None),
        "team-b": ("team-b", None),
        "labelled": (None, "ddisync.io/shard=labelled"),
    }
    # Disjoint: no namespace is watched by two shards.
    watched = [ns for ns, _ in scopes.values() if ns for ns in ns.split(",")]
    assert len(watched) == len(set(watched))
    # Selectors differ, so Deployments never adopt each other's pods.
    selectors = [json.dumps(d["spec"]["selector"], sort_keys=True) for d in deployments.values()]
    assert len(set(selectors)) == len(selectors)
    for shard, d in deployments.items():
        assert d["spec"]["template"]["metadata"]["labels"]["ddisync.io/shard"] == shard
        assert d["spec"]["template"]["spec"]["serviceAccountName"] == f"ddisync-{shard}"
        # Settings shared by all shards: one cluster id, one Redis.
        assert env_of(d)["DDISYNC_CLUSTER_ID"] == "default"
        assert env_of(d)["DDISYNC_REDIS_URL"] == "redis://redis.ddisync.svc:6379/0"
    team_b = deployments["team-b"]["spec"]["template"]["spec"]["containers"][0]
    assert team_b["resources"]["limits"]["memory"] == "1Gi"


def test_shard_rbac_follows_each_shards_scope(render: Render) -> None:
    docs = render([ci_values("sharded")])
    role_subjects = {
        (b["metadata"]["namespace"], s["name"])
        for b in on_resources(docs, "RoleBinding")
        for s in b["subjects"]
    }
    assert role_subjects == {
        ("team-a-dev", "ddisync-team-a"),
        ("team-a-prod", "ddisync-team-a"),
        ("team-b", "ddisync-team-b"),
    }
    cluster = {b["metadata"]["name"]: b for b in of_kind(docs, "ClusterRoleBinding")}
    assert [s["name"] for s in cluster["ddisync"]["subjects"]] == ["ddisync-labelled"]
    assert {s["name"] for s in cluster["ddisync-crd-observer"]["subjects"]} == {
        "ddisync-team-a", "ddisync-team-b", "ddisync-labelled"}  # fmt: skip


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (["shards[0].name=a", "shards[0].namespaces={x,y}", "shards[1].name=b",
          "shards[1].namespaces={y}"], 'namespace "y" is in shards "a" and "b"'),
        (["shards[0].name=a", "shards[0].namespaces={x}", "shards[1].name=a",
          "shards[1].labelSelector=k=v"], 'name "a" is used twice'),
        (["shards[0].name=a", "shards[0].namespaces={x}", "watch.namespaces={z}"],
         "with shards, set namespaces"),
        (["shards[0].name=a"], "shards"),
        (["shards[0].name=Bad_Name", "shards[0].namespaces={x}"], "shards"),
    ],
    ids=["overlapping-namespaces", "duplicate-name", "watch-and-shards", "no-scope", "bad-name"],
)  # fmt: skip
def test_shards_that_are_not_disjoint_or_not_scoped_are_rejected(
    helm: Helm, sets: list[str], message: str
) -> None:
    base = ["wapi.url=https://gm", "wapi.username=u", "wapi.password=p"]
    result = helm(*template_args(sets=[*base, *sets]))
    assert result.returncode != 0
    assert message in result.stderr


# --- Monitoring, PDB, schema --------------------------------------------------------------------


def test_service_monitor_needs_both_the_value_and_the_api(render: Render) -> None:
    monitoring = ci_values("monitoring")
    assert of_kind(render([monitoring]), "ServiceMonitor") == []
    (monitor,) = of_kind(render([monitoring], api_versions=[MONITORING_API]), "ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["endpoints"][0]["port"] == "metrics"
    assert (
        of_kind(render([ci_values("default")], api_versions=[MONITORING_API]), "ServiceMonitor")
        == []
    )


def test_metrics_service_selects_the_operator_pods_even_when_unready(render: Render) -> None:
    docs = render([ci_values("sharded")])
    (service,) = of_kind(docs, "Service")
    assert service["spec"]["publishNotReadyAddresses"] is True
    assert service["spec"]["ports"][0]["targetPort"] == "metrics"
    for deployment in of_kind(docs, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= labels.items()


def test_grafana_dashboard_configmap_is_opt_in_and_carries_the_dashboard(render: Render) -> None:
    assert of_kind(render([ci_values("default")]), "ConfigMap") == []
    (configmap,) = of_kind(render([ci_values("monitoring")]), "ConfigMap")
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert configmap["metadata"]["namespace"] == "monitoring"
    dashboard = json.loads(configmap["data"]["ddisync.json"])
    assert dashboard == json.loads((CHART / "dashboards" / "ddisync.json").read_text())


def test_dashboard_covers_the_operator_metrics() -> None:
    dashboard = json.loads((CHART / "dashboards" / "ddisync.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p.get("targets", []))
    for metric in (
        "ddisync_reconcile_total", "ddisync_reconcile_duration_seconds_bucket",
        "ddisync_wapi_requests_total", "ddisync_wapi_request_duration_seconds_bucket",
        "ddisync_wapi_retries_total", "ddisync_wapi_ratelimit_wait_seconds",
        "ddisync_wapi_circuit_open", "ddisync_cache_requests_total", "ddisync_resources",
        "ddisync_drift_repaired_total", "ddisync_orphans",
    ):  # fmt: skip
        assert metric in exprs, metric
    titles = {p["title"] for p in dashboard["panels"]}
    assert {"Reconcile errors", "WAPI latency p95 by object", "WAPI errors by object",
            "Rate-limit waiting", "Circuit breaker state", "Cache hit ratio by layer",
            "Resources not Ready"} <= titles  # fmt: skip
    panel_ids = [p["id"] for p in dashboard["panels"]]
    assert len(panel_ids) == len(set(panel_ids))


def test_pdb_renders_only_when_instances_run_more_than_one_pod(render: Render) -> None:
    # monitoring-values asks for a PDB but runs a single pod: a PDB would only block drains.
    assert of_kind(render([ci_values("monitoring")]), "PodDisruptionBudget") == []
    assert (
        of_kind(
            render([ci_values("sharded")], sets=["podDisruptionBudget.enabled=false"]),
            "PodDisruptionBudget",
        )
        == []
    )


@pytest.mark.parametrize(
    "typo",
    ["wapi.rateLimt=5", "replicas=2", "metrics.serviceMonitor.enable=true", "logging.format=xml",
     "replicaCount=-1", "leaderElection.leaseDurationSeconds=3", "networkPolicy.grids.cidrs={x}",
     "shards[0].name=a", "shards[0].namespace={x}", "tenancy.enforced=false",
     "tenancy.enforce=maybe", "tenancy.secrets[0].namespace=x", "grants.a.namespaces={a}",
     "grants.Team_A.namespaces={a}", "grants.a.zones={a.b},grants.a.namespaces={a}"],
)  # fmt: skip
def test_values_schema_rejects_typos_and_invalid_values(helm: Helm, typo: str) -> None:
    result = helm(*template_args([ci_values("default")], sets=[typo]))
    assert result.returncode != 0, f"--set {typo} was accepted"
    assert "values don't meet the specifications of the schema" in result.stderr, result.stderr


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_notes_render(helm: Helm, values: Path) -> None:
    result = helm(
        "install", "ddisync", str(CHART), "--dry-run=client", "-n", NAMESPACE, "-f", str(values)
    )
    assert result.returncode == 0, result.stderr
    notes = result.stdout.split("NOTES:", 1)[1]
    assert "kubectl apply --server-side --force-conflicts -f crds/" in notes
    assert "delete all Network and Record objects" in notes


def test_packaged_chart_carries_crds_and_dashboard_but_not_ci_values(
    helm: Helm, tmp_path: Path
) -> None:
    result = helm("package", str(CHART), "--destination", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (package,) = tmp_path.glob("ddisync-*.tgz")
    with tarfile.open(package) as tar:
        names = set(tar.getnames())
    assert "ddisync/dashboards/ddisync.json" in names
    assert "ddisync/values.schema.json" in names
    assert {f"ddisync/crds/{p.name}" for p in (CHART / "crds").glob("*.yaml")} <= names
    assert not any(name.startswith("ddisync/ci/") for name in names)


def test_dashboard_only_queries_metrics_the_operator_declares() -> None:
    declared = set(
        re.findall(r'"(ddisync_[a-z_]+)"', (REPO_ROOT / "operator/ddisync/metrics.py").read_text())
    )
    dashboard = (CHART / "dashboards" / "ddisync.json").read_text()
    used = {
        re.sub(r"_(bucket|sum|count)$", "", m) for m in re.findall(r"ddisync_[a-z_]+", dashboard)
    }
    used -= {"ddisync_overview"}  # the dashboard uid, not a metric
    assert used <= declared, used - declared
