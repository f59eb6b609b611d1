"""The CRDs in crds/ are generated from the models and must not drift from them."""

from pathlib import Path

import pytest
import yaml

from ddisync.api.crd import ALL_KINDS, build_crd, render_crd

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("info", ALL_KINDS, ids=lambda info: info.kind)
def test_the_committed_crd_is_what_the_generator_writes(info) -> None:  # type: ignore[no-untyped-def]
    committed = (ROOT / "crds" / f"{info.plural}.yaml").read_text()
    assert committed == render_crd(info), "crds/ is stale: run `make crds` and commit the result"


def _walk(node: object, path: str = ""):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        yield path, node
        for key, child in node.items():
            yield from _walk(child, f"{path}.{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _walk(child, f"{path}[{index}]")


@pytest.mark.parametrize("info", ALL_KINDS, ids=lambda info: info.kind)
def test_the_schema_is_structural(info) -> None:  # type: ignore[no-untyped-def]
    schema = build_crd(info)["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    for path, node in _walk(schema):
        if path.endswith(".properties") or path.endswith("x-kubernetes-validations"):
            continue
        if "rule" in node:
            continue
        assert "type" in node, f"{path} has no type"
        for forbidden in ("$ref", "anyOf", "allOf", "oneOf", "patternProperties", "title"):
            assert forbidden not in node, f"{path} has {forbidden}"


def test_the_network_crd_has_what_kubectl_users_see() -> None:
    crd = yaml.safe_load((ROOT / "crds" / "networks.yaml").read_text())
    names = crd["spec"]["names"]
    assert names["categories"] == ["ddi"]
    assert names["shortNames"]
    version = crd["spec"]["versions"][0]
    assert version["subresources"] == {"status": {}}
    columns = [column["name"] for column in version["additionalPrinterColumns"]]
    assert columns[:4] == ["CIDR", "View", "Ready", "Reason"]
    assert columns[-1] == "Age"
    spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    for immutable in ("cidr", "networkView", "allocate"):
        rules = [rule["rule"] for rule in spec[immutable]["x-kubernetes-validations"]]
        assert "self == oldSelf" in rules, immutable
    status = version["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
    assert {
        "cidr",
        "ref",
        "networkView",
        "conditions",
        "observedGeneration",
        "lastSyncTime",
    } <= set(status)
    assert status["conditions"]["x-kubernetes-list-map-keys"] == ["type"]


def test_the_generator_writes_exactly_the_committed_crds(tmp_path: Path) -> None:
    from ddisync.api.crd import write_crds

    written = {path.name for path in write_crds(tmp_path)}
    assert written == {path.name for path in (ROOT / "crds").glob("*.yaml")}


def test_grids_and_grants_are_cluster_scoped_kinds_in_the_ddi_category() -> None:
    grid = yaml.safe_load((ROOT / "crds" / "infobloxgrids.yaml").read_text())
    grant = yaml.safe_load((ROOT / "crds" / "ddigrants.yaml").read_text())
    for crd in (grid, grant):
        assert crd["spec"]["scope"] == "Cluster"
        assert crd["spec"]["names"]["categories"] == ["ddi"]
    (grid_version,) = grid["spec"]["versions"]
    assert grid_version["subresources"] == {"status": {}}
    columns = [column["name"] for column in grid_version["additionalPrinterColumns"]]
    assert columns[0] == "URL" and "Ready" in columns and columns[-1] == "Age"
    status = grid_version["schema"]["openAPIV3Schema"]["properties"]["status"]["properties"]
    assert {"conditions", "wapiVersion", "lastCheckTime"} <= set(status)
    (grant_version,) = grant["spec"]["versions"]
    assert "subresources" not in grant_version  # a grant has no status
    assert "status" not in grant_version["schema"]["openAPIV3Schema"]["properties"]
    columns = [column["name"] for column in grant_version["additionalPrinterColumns"]]
    assert columns[:2] == ["Grid", "Namespaces"] and columns[-1] == "Age"


def _declared(schema: dict[str, object], json_path: str) -> bool:
    """Whether a printer column's JSONPath (``.a.b``, ``.a[0].b``) names a field of the schema;
    ``metadata`` is the server's, always there."""
    steps = [step.split("[", 1)[0] for step in json_path.strip(".").split(".")]
    if steps[0] == "metadata":
        return True
    node: object = schema
    for step in steps:
        if isinstance(node, dict) and node.get("type") == "array":
            node = node.get("items")
        properties = node.get("properties") if isinstance(node, dict) else None
        if not isinstance(properties, dict) or step not in properties:
            return False
        node = properties[step]
    return True


@pytest.mark.parametrize("info", ALL_KINDS, ids=lambda info: info.kind)
def test_every_printer_column_reads_a_field_the_schema_declares(info) -> None:  # type: ignore[no-untyped-def]
    (version,) = build_crd(info)["spec"]["versions"]
    schema = version["schema"]["openAPIV3Schema"]
    for column in version["additionalPrinterColumns"]:
        path = column["jsonPath"].replace('[?(@.type=="Ready")]', "")
        assert _declared(schema, path), f"{column['name']}: {column['jsonPath']}"


def test_the_record_fqdn_column_reads_the_status_which_every_type_gets() -> None:
    # A PTR given by address has no spec.name; the status carries Infoblox's name for all.
    (version,) = build_crd(next(i for i in ALL_KINDS if i.kind == "Record"))["spec"]["versions"]
    columns = {c["name"]: c["jsonPath"] for c in version["additionalPrinterColumns"]}
    assert columns["FQDN"] == ".status.fqdn"
