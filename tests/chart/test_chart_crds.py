"""The CRDs: one generated source (crds/), which the chart ships through a symlink.

`ddisync crds --output-dir crds/` writes crds/; the chart's crds/ is a symlink to it
(`charts/ddisync/crds -> ../../crds`), so the chart can never ship a schema other than the one
the operator was generated with. helm follows the link when it renders the chart from the
folder and when it packages it: the archive holds the files themselves.
"""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from chartenv import CHART, CRDS, K8S_VERSION, HelmResult, ci_values, template_args

CHART_CRDS = CHART / "crds"
CLUSTER_KINDS = {"InfobloxGrid", "DDIGrant"}
KINDS_WITHOUT_STATUS = {"DDIGrant"}  # a grant is read, never reconciled
SOURCE_FILES = sorted(CRDS.glob("*.yaml"))


def _names(directory: Path) -> set[str]:
    return {p.name for p in directory.glob("*.y*ml")}


def test_crds_have_been_generated() -> None:
    assert SOURCE_FILES, "crds/ is empty: run `ddisync crds --output-dir crds/`"


def test_the_chart_crds_are_a_link_to_the_generated_ones() -> None:
    assert CHART_CRDS.is_symlink(), f"{CHART_CRDS} must be a symlink to ../../crds, not a copy"
    assert CHART_CRDS.resolve() == CRDS.resolve()
    assert _names(CHART_CRDS) == _names(CRDS)


def test_the_packaged_chart_holds_the_crd_files(
    helm: Callable[..., HelmResult], tmp_path: Path
) -> None:
    result = helm("package", str(CHART), "--destination", str(tmp_path))
    assert result.returncode == 0, result.stderr
    (archive,) = tmp_path.glob("ddisync-*.tgz")
    packaged: dict[str, bytes] = {}
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            assert not (member.issym() or member.islnk()), f"{member.name} is a link"
            content = tar.extractfile(member)
            if Path(member.name).parent == Path("ddisync/crds") and content is not None:
                packaged[Path(member.name).name] = content.read()
    assert packaged == {p.name: p.read_bytes() for p in SOURCE_FILES}


@pytest.mark.parametrize("path", SOURCE_FILES, ids=[p.name for p in SOURCE_FILES])
def test_crd_follows_the_project_conventions(path: Path) -> None:
    (crd,) = [d for d in yaml.safe_load_all(path.read_text()) if d]
    kubernetes_validate.validate(crd, K8S_VERSION, strict=True)
    spec = crd["spec"]
    assert spec["group"] == "ddisync.io"
    # Users' resources live in their namespaces; what cluster admins write (grids, grants) is
    # cluster-scoped.
    expected_scope = "Cluster" if spec["names"]["kind"] in CLUSTER_KINDS else "Namespaced"
    assert spec["scope"] == expected_scope
    assert "ddi" in spec["names"]["categories"]
    assert crd["metadata"]["name"] == f"{spec['names']['plural']}.ddisync.io"
    (storage,) = [v for v in spec["versions"] if v["storage"]]
    assert storage["name"] == "v1alpha1" and storage["served"]
    columns = {c["name"] for c in storage["additionalPrinterColumns"]}
    assert "Age" in columns
    schema = storage["schema"]["openAPIV3Schema"]
    assert not schema["properties"]["spec"].get("x-kubernetes-preserve-unknown-fields")
    if spec["names"]["kind"] in KINDS_WITHOUT_STATUS:
        assert "subresources" not in storage and "status" not in schema["properties"]
        return
    assert storage["subresources"] == {"status": {}}
    assert {"Ready", "Reason"} <= columns
    status = schema["properties"]["status"]["properties"]
    assert {"conditions", "observedGeneration"} <= set(status)


def test_helm_installs_the_crds_with_the_chart(helm: Callable[..., HelmResult]) -> None:
    result = helm(*template_args([ci_values("default")]), "--include-crds")
    assert result.returncode == 0, result.stderr
    rendered = {
        d["metadata"]["name"]
        for d in yaml.safe_load_all(result.stdout)
        if d and d["kind"] == "CustomResourceDefinition"
    }
    generated = {
        d["metadata"]["name"] for p in SOURCE_FILES for d in yaml.safe_load_all(p.read_text()) if d
    }
    assert rendered == generated
