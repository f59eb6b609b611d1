"""Tenancy in the chart: DDIGrants from values, the enforcement switch, and the RBAC for grids,
grants and the Secrets grids name; plus the generated CRDs judging grids and grants as the
models do."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from chartenv import (
    CHART,
    CI_VALUES,
    CRDS,
    NAMESPACE,
    Helm,
    Manifest,
    Render,
    ci_values,
    env_of,
    of_kind,
    template_args,
)
from crdvalidate import CrdVersion, load_crds, validate

from ddisync.api import InvalidSpecError, parse_spec
from ddisync.api.grant import DDIGrantSpec
from ddisync.api.grid import InfobloxGridSpec
from ddisync.config import env_name
from ddisync.tenancy import Enforcement

API = "ddisync.io/v1alpha1"


@pytest.fixture(scope="module")
def crds() -> dict[tuple[str, str], CrdVersion]:
    return load_crds(CRDS)


def ids(paths: list[Path]) -> list[str]:
    return [p.name.removesuffix("-values.yaml") for p in paths]


# --- DDIGrants from values ----------------------------------------------------------------------


def test_grants_from_values_become_cluster_scoped_ddigrants(render: Render) -> None:
    values = yaml.safe_load(ci_values("tenancy").read_text())
    grants = {g["metadata"]["name"]: g for g in of_kind(render([ci_values("tenancy")]), "DDIGrant")}
    assert set(grants) == {"team-a", "labs"}
    for name, grant in grants.items():
        assert grant["apiVersion"] == API
        assert "namespace" not in grant["metadata"]
        assert grant["metadata"]["labels"]["app.kubernetes.io/instance"] == "ddisync"
        assert grant["spec"] == values["grants"][name]  # passed through as written


def test_no_grants_are_rendered_by_default(render: Render) -> None:
    assert of_kind(render([ci_values("default")]), "DDIGrant") == []


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_rendered_grants_are_valid_against_the_generated_crd(
    render: Render, values: Path, crds: dict[tuple[str, str], CrdVersion]
) -> None:
    for grant in of_kind(render([values]), "DDIGrant"):
        report = validate(crds[(API, "DDIGrant")], grant)
        assert not report.violations, report.violations
        assert report.evaluated > 0 and not report.skipped
        parse_spec(DDIGrantSpec, grant["spec"])  # and the operator reads them


# --- Enforcement --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sets", "expected"),
    [([], Enforcement.ON), (["tenancy.enforce=false"], Enforcement.OFF)],
    ids=["default-on", "off"],
)
def test_tenancy_enforce_reaches_the_operator_as_on_or_off(
    render: Render, sets: list[str], expected: Enforcement
) -> None:
    for deployment in of_kind(render([ci_values("sharded")], sets=sets), "Deployment"):
        assert Enforcement(env_of(deployment)[env_name("tenancy")]) is expected


def test_the_notes_say_whether_tenancy_is_enforced_and_by_which_grants(helm: Helm) -> None:
    def notes(*args: str) -> str:
        result = helm("install", "ddisync", str(CHART), "--dry-run=client", "-n", NAMESPACE, *args)
        assert result.returncode == 0, result.stderr
        return result.stdout.split("NOTES:", 1)[1]

    assert "DDIGrants of this release: labs, team-a." in notes("-f", str(ci_values("tenancy")))
    assert "every Network and Record is refused" in notes("-f", str(ci_values("default")))
    off = notes("-f", str(ci_values("default")), "--set", "tenancy.enforce=false")
    assert "Tenancy is off" in off


# --- RBAC ---------------------------------------------------------------------------------------


def tenancy_role(docs: list[Manifest]) -> Manifest:
    return {r["metadata"]["name"]: r for r in of_kind(docs, "ClusterRole")}["ddisync-tenancy"]


@pytest.mark.parametrize("values", CI_VALUES, ids=ids(CI_VALUES))
def test_every_instance_reads_grids_and_grants_and_patches_only_grid_status(
    render: Render, values: Path
) -> None:
    docs = render([values])
    rules = tenancy_role(docs)["rules"]
    assert rules[:2] == [
        {
            "apiGroups": ["ddisync.io"],
            "resources": ["infobloxgrids", "ddigrants"],
            "verbs": ["get", "list", "watch"],
        },
        {"apiGroups": ["ddisync.io"], "resources": ["infobloxgrids/status"], "verbs": ["patch"]},
    ]
    binding = {b["metadata"]["name"]: b for b in of_kind(docs, "ClusterRoleBinding")}
    bound = {s["name"] for s in binding["ddisync-tenancy"]["subjects"]}
    pods = [d["spec"]["template"]["spec"] for d in of_kind(docs, "Deployment")]
    assert bound == {pod["serviceAccountName"] for pod in pods}


def test_instances_watching_all_namespaces_need_no_namespace_names(render: Render) -> None:
    rules = tenancy_role(render([ci_values("default")]))["rules"]
    assert not [r for r in rules if "namespaces" in r["resources"]]


def test_shards_read_the_labels_of_their_fixed_namespaces_by_name(render: Render) -> None:
    rules = tenancy_role(render([ci_values("sharded")]))["rules"]
    (namespaces,) = [r for r in rules if r["resources"] == ["namespaces"]]
    assert namespaces["resourceNames"] == ["team-a-dev", "team-a-prod", "team-b"]
    assert namespaces["verbs"] == ["get"]


def test_grid_secrets_are_readable_by_name_in_their_namespaces_only(render: Render) -> None:
    docs = render([ci_values("tenancy")])
    roles = {r["metadata"]["namespace"]: r for r in of_kind(docs, "Role")}
    # Listed twice for the release namespace: merged into one Role, names sorted and unique.
    assert set(roles) == {NAMESPACE, "grid-secrets"}
    assert roles[NAMESPACE]["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "resourceNames": ["corp-ca", "corp-wapi"],
            "verbs": ["get"],
        }
    ]
    assert roles["grid-secrets"]["rules"][0]["resourceNames"] == ["lab-ca", "lab-wapi"]
    bindings = {b["metadata"]["namespace"]: b for b in of_kind(docs, "RoleBinding")}
    assert set(bindings) == set(roles)
    for binding in bindings.values():
        assert binding["roleRef"]["name"] == "ddisync-grid-secrets"
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": "ddisync", "namespace": NAMESPACE}
        ]


def test_no_secret_is_readable_unless_listed(render: Render) -> None:
    for values in ("default", "sharded", "namespaced"):
        docs = render([ci_values(values)])
        assert not [
            rule
            for role in of_kind(docs, "Role") + of_kind(docs, "ClusterRole")
            for rule in role["rules"]
            if "secrets" in rule["resources"]
        ]


# --- The CRDs judge grids and grants as the models do -------------------------------------------

GRID: Manifest = {
    "apiVersion": API,
    "kind": "InfobloxGrid",
    "metadata": {"name": "corp"},
    "spec": {
        "url": "https://gm.corp.example",
        "wapiVersion": "2.12",
        "credentialsSecretRef": {"namespace": "ddisync-system", "name": "corp-wapi"},
        "caBundleSecretRef": {"namespace": "ddisync-system", "name": "corp-ca", "key": "ca.crt"},
        "insecure": False,
        "rateLimit": 20,
        "burst": 40,
        "maxInFlight": 8,
    },
}
GRANT: Manifest = {
    "apiVersion": API,
    "kind": "DDIGrant",
    "metadata": {"name": "team-a"},
    "spec": {
        "grid": "default",
        "namespaces": ["team-a"],
        "dns": {
            "views": ["default"],
            "zones": ["team-a.example.com"],
            "recordTypes": ["A", "AAAA", "CNAME", "TXT", "MX", "SRV", "Host", "PTR"],
        },
        "ipam": {
            "networkViews": ["default"],
            "containers": ["10.64.0.0/12"],
            "prefixLength": {"min": 24, "max": 29},
        },
        "adopt": False,
    },
}


def changed(manifest: Manifest, path: str, value: Any) -> Manifest:
    """``manifest`` with the dotted ``path`` set to ``value`` (or removed when value is ...)."""
    out = copy.deepcopy(manifest)
    *parents, leaf = path.split(".")
    node = out
    for part in parents:
        node = node[part]
    if value is ...:
        del node[leaf]
    else:
        node[leaf] = value
    return out


def test_the_issue_examples_are_valid(crds: dict[tuple[str, str], CrdVersion]) -> None:
    for manifest in (GRID, GRANT):
        report = validate(crds[(API, manifest["kind"])], manifest)
        assert not report.violations and not report.skipped, report
        assert report.evaluated > 0


@pytest.mark.parametrize(
    ("manifest", "where"),
    [
        (changed(GRID, "metadata.name", "default"), "<root>"),
        (changed(GRID, "spec.url", "https://gm.corp.example/wapi/v2.12"), "spec.url"),
        (changed(GRID, "spec.url", "https://admin:pw@gm.corp.example"), "spec.url"),
        (changed(GRID, "spec.url", "https://gm.corp.example/proxy"), "spec.url"),
        (changed(GRID, "spec.url", "https://gm corp"), "spec.url"),
        (changed(GRID, "spec.rateLimit", 0), "spec.rateLimit"),
        (changed(GRID, "spec.credentialsSecretRef", {"name": "x"}), "spec.credentialsSecretRef"),
        (changed(GRANT, "spec.namespaces", ...), "spec"),
        (changed(GRANT, "spec.namespaces", []), "spec"),
        (changed(changed(GRANT, "spec.dns", ...), "spec.ipam", ...), "spec"),
        (changed(GRANT, "spec.dns.zones", ["*.team-a.example.com"]), "spec.dns.zones[0]"),
        (changed(GRANT, "spec.dns.zones", []), "spec.dns.zones"),
        (changed(GRANT, "spec.dns.recordTypes", ["SOA"]), "spec.dns.recordTypes"),
        (changed(GRANT, "spec.ipam.containers", ["10.64.0.1/12"]), "spec.ipam.containers[0]"),
        (changed(GRANT, "spec.ipam.containers", ["banana"]), "spec.ipam.containers[0]"),
        (changed(GRANT, "spec.ipam.prefixLength", {"min": 29, "max": 24}), "spec.ipam"),
        (changed(GRANT, "spec.ipam.prefixLength", {"max": 129}), "spec.ipam.prefixLength"),
        (
            changed(GRANT, "spec.namespaceSelector", {"matchLabels": {"a b": "c"}}),
            "spec.namespaceSelector.matchLabels",
        ),
    ],
)
def test_the_crd_refuses_what_the_model_refuses(
    manifest: Manifest, where: str, crds: dict[tuple[str, str], CrdVersion]
) -> None:
    report = validate(crds[(API, manifest["kind"])], manifest)
    assert report.violations, f"the CRD accepted {manifest}"
    assert any(v.path.startswith(where) for v in report.violations), report.violations
    if manifest["metadata"]["name"] == "default":
        return  # a name, not a spec: the operator checks it where it reads grids
    model = InfobloxGridSpec if manifest["kind"] == "InfobloxGrid" else DDIGrantSpec
    with pytest.raises(InvalidSpecError):
        parse_spec(model, manifest["spec"])


def test_a_zone_with_a_trailing_dot_or_capitals_is_accepted_by_both(
    crds: dict[tuple[str, str], CrdVersion],
) -> None:
    grant = changed(GRANT, "spec.dns.zones", ["Team-A.Example.COM."])
    assert not validate(crds[(API, "DDIGrant")], grant).violations
    dns = parse_spec(DDIGrantSpec, grant["spec"]).dns
    assert dns is not None and dns.zones == ["team-a.example.com"]


def test_helm_template_of_the_grants_needs_only_the_chart(helm: Helm) -> None:
    # --include-crds ships the DDIGrant CRD with the grants that need it.
    result = helm(*template_args([ci_values("tenancy")]), "--include-crds")
    assert result.returncode == 0, result.stderr
    kinds = [d["kind"] for d in yaml.safe_load_all(result.stdout) if d]
    assert "DDIGrant" in kinds
    crd_names = {
        d["metadata"]["name"]
        for d in yaml.safe_load_all(result.stdout)
        if d and d["kind"] == "CustomResourceDefinition"
    }
    assert {"ddigrants.ddisync.io", "infobloxgrids.ddisync.io"} <= crd_names
