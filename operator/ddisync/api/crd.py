"""Generate CustomResourceDefinitions from the pydantic models (``ddisync crds``).

The models are the single source of truth; ``crds/`` holds this module's output and a test
fails when it is out of date. The conversion turns pydantic's JSON Schema into a Kubernetes
*structural* schema: references inlined, ``Optional`` unwrapped, titles dropped, CEL rules
(``x-kubernetes-validations``) carried over from the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel

from ddisync.api.dhcp_range import DHCP_RANGE_SPEC_RULES, DHCPRangeSpec, DHCPRangeStatus
from ddisync.api.fixed_address import (
    FIXED_ADDRESS_SPEC_RULES,
    FixedAddressSpec,
    FixedAddressStatus,
)
from ddisync.api.grant import GRANT_SPEC_RULES, DDIGrantSpec
from ddisync.api.grid import GRID_ROOT_RULES, InfobloxGridSpec, InfobloxGridStatus
from ddisync.api.meta import GROUP, VERSION
from ddisync.api.network import NETWORK_SPEC_RULES, NetworkSpec, NetworkStatus
from ddisync.api.record import RECORD_SPEC_RULES, RecordSpec, RecordStatus
from ddisync.api.zone import ZoneSpec, ZoneStatus

READY = '.status.conditions[?(@.type=="Ready")]'
_KEPT = (
    "type", "description", "pattern", "format", "enum", "default",
    "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
)  # fmt: skip


@dataclass(frozen=True)
class KindInfo:
    """Everything the CRD of one kind needs besides its schema.

    ``status`` None: the kind has no status (nor status subresource). ``root_rules``: CEL
    rules on the whole object, the only place where ``self.metadata.name`` can be checked.
    """

    kind: str
    plural: str
    short_names: tuple[str, ...]
    spec: type[BaseModel]
    status: type[BaseModel] | None
    spec_rules: list[dict[str, str]]
    columns: list[dict[str, Any]] = field(default_factory=list)
    scope: Literal["Namespaced", "Cluster"] = "Namespaced"
    root_rules: list[dict[str, str]] = field(default_factory=list)

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def resource(self) -> str:
        """The resource as kopf and kmock spell it: group/version/plural."""
        return f"{GROUP}/{VERSION}/{self.plural}"


def _ready_columns() -> list[dict[str, Any]]:
    return [
        {"name": "Ready", "type": "string", "jsonPath": f"{READY}.status"},
        {"name": "Reason", "type": "string", "jsonPath": f"{READY}.reason"},
        {"name": "Message", "type": "string", "jsonPath": f"{READY}.message", "priority": 1},
        {"name": "Ref", "type": "string", "jsonPath": ".status.ref", "priority": 1},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ]


NETWORK = KindInfo(
    kind="Network",
    plural="networks",
    short_names=("ddinet",),
    spec=NetworkSpec,
    status=NetworkStatus,
    spec_rules=NETWORK_SPEC_RULES,
    columns=[
        {"name": "CIDR", "type": "string", "jsonPath": ".status.cidr"},
        {"name": "View", "type": "string", "jsonPath": ".spec.networkView"},
        *_ready_columns(),
    ],
)

RECORD = KindInfo(
    kind="Record",
    plural="records",
    short_names=("ddirec",),
    spec=RecordSpec,
    status=RecordStatus,
    spec_rules=RECORD_SPEC_RULES,
    columns=[
        {"name": "Type", "type": "string", "jsonPath": ".spec.type"},
        # From the status: a PTR given by address has no spec.name (NIOS derives it), and
        # Infoblox's own spelling is what the record is; like CIDR, empty until synced.
        {"name": "FQDN", "type": "string", "jsonPath": ".status.fqdn"},
        {"name": "Value", "type": "string", "jsonPath": ".status.value"},
        *_ready_columns(),
    ],
)

ZONE = KindInfo(
    kind="Zone",
    plural="zones",
    short_names=("ddizone",),
    spec=ZoneSpec,
    status=ZoneStatus,
    spec_rules=[],
    columns=[
        {"name": "FQDN", "type": "string", "jsonPath": ".spec.fqdn"},
        {"name": "Format", "type": "string", "jsonPath": ".status.zoneFormat"},
        {"name": "View", "type": "string", "jsonPath": ".spec.view"},
        {"name": "NS Group", "type": "string", "jsonPath": ".spec.nsGroup", "priority": 1},
        *_ready_columns(),
    ],
)

FIXED_ADDRESS = KindInfo(
    kind="FixedAddress",
    plural="fixedaddresses",
    short_names=("ddifixed",),
    spec=FixedAddressSpec,
    status=FixedAddressStatus,
    spec_rules=FIXED_ADDRESS_SPEC_RULES,
    columns=[
        # From the status: an allocated address is known only there.
        {"name": "Address", "type": "string", "jsonPath": ".status.address"},
        {"name": "MAC", "type": "string", "jsonPath": ".spec.mac"},
        {"name": "View", "type": "string", "jsonPath": ".spec.networkView", "priority": 1},
        *_ready_columns(),
    ],
)

DHCP_RANGE = KindInfo(
    kind="DHCPRange",
    plural="dhcpranges",
    short_names=("ddirange",),
    spec=DHCPRangeSpec,
    status=DHCPRangeStatus,
    spec_rules=DHCP_RANGE_SPEC_RULES,
    columns=[
        {"name": "Start", "type": "string", "jsonPath": ".spec.start"},
        {"name": "End", "type": "string", "jsonPath": ".spec.end"},
        {"name": "Network", "type": "string", "jsonPath": ".status.network", "priority": 1},
        *_ready_columns(),
    ],
)

# Cluster-scoped kinds cluster admins write: connections to grids, and what namespaces may
# do on them (see ddisync.tenancy).
INFOBLOX_GRID = KindInfo(
    kind="InfobloxGrid",
    plural="infobloxgrids",
    short_names=("ibgrid",),
    spec=InfobloxGridSpec,
    status=InfobloxGridStatus,
    spec_rules=[],
    columns=[
        {"name": "URL", "type": "string", "jsonPath": ".spec.url"},
        {"name": "Ready", "type": "string", "jsonPath": f"{READY}.status"},
        {"name": "Reason", "type": "string", "jsonPath": f"{READY}.reason"},
        {"name": "Message", "type": "string", "jsonPath": f"{READY}.message", "priority": 1},
        {"name": "WAPI", "type": "string", "jsonPath": ".status.wapiVersion", "priority": 1},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ],
    scope="Cluster",
    root_rules=GRID_ROOT_RULES,
)

DDI_GRANT = KindInfo(
    kind="DDIGrant",
    plural="ddigrants",
    short_names=("ddigrant",),
    spec=DDIGrantSpec,
    status=None,
    spec_rules=GRANT_SPEC_RULES,
    columns=[
        {"name": "Grid", "type": "string", "jsonPath": ".spec.grid"},
        {"name": "Namespaces", "type": "string", "jsonPath": ".spec.namespaces"},
        {"name": "Adopt", "type": "boolean", "jsonPath": ".spec.adopt", "priority": 1},
        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
    ],
    scope="Cluster",
)

KINDS: tuple[KindInfo, ...] = (
    NETWORK,
    RECORD,
    ZONE,
    FIXED_ADDRESS,
    DHCP_RANGE,
)
"""The namespaced kinds ddisync reconciles into Infoblox."""
TENANCY_KINDS: tuple[KindInfo, ...] = (INFOBLOX_GRID, DDI_GRANT)
"""The cluster-scoped kinds that say where and what those may reconcile."""
ALL_KINDS: tuple[KindInfo, ...] = KINDS + TENANCY_KINDS
"""Every kind ``ddisync crds`` writes a CRD for."""


def _structural(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """One JSON Schema node → one structural OpenAPI v3 node."""
    if "$ref" in node:
        target = _structural(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        kept = ("description", "default", "x-kubernetes-validations")
        return {**target, **{k: v for k, v in node.items() if k in kept}}
    if "anyOf" in node:  # Optional[X] → X; the absence of the field is "null"
        options = [option for option in node["anyOf"] if option.get("type") != "null"]
        if len(options) != 1:
            raise ValueError(f"cannot express a union as a structural schema: {node}")
        merged = _structural(options[0], defs)
        merged.update({k: v for k, v in node.items() if k == "description"})
        merged.update(
            (
                node.get("x-kubernetes-validations")
                and {"x-kubernetes-validations": node["x-kubernetes-validations"]}
            )
            or {}
        )
        return merged
    out: dict[str, Any] = {key: node[key] for key in _KEPT if key in node}
    if out.get("default") is None:
        out.pop("default", None)
    if "const" in node:
        out["enum"] = [node["const"]]
    if "properties" in node:
        out["type"] = "object"
        out["properties"] = {
            name: _structural(child, defs) for name, child in node["properties"].items()
        }
        if node.get("required"):
            out["required"] = sorted(node["required"])
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = _structural(node["additionalProperties"], defs)
    if "patternProperties" in node:  # not structural: a map of values plus a CEL rule on keys
        ((pattern, values),) = node["patternProperties"].items()
        out["additionalProperties"] = _structural(values, defs)
        out.setdefault("x-kubernetes-validations", []).append(
            {
                "rule": f"self.all(k, k.matches('{pattern}'))",
                "message": f"keys must match {pattern}",
            }
        )
    if "items" in node:
        out["items"] = _structural(node["items"], defs)
    if "x-kubernetes-validations" in node:
        out.setdefault("x-kubernetes-validations", []).extend(node["x-kubernetes-validations"])
    return out


def _model_schema(model: type[BaseModel]) -> dict[str, Any]:
    raw = model.model_json_schema(by_alias=True, mode="validation")
    return _structural(raw, raw.get("$defs", {}))


def _status_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = _model_schema(model)
    conditions = schema["properties"]["conditions"]
    # Conditions are keyed by type, like metav1.Condition lists (server-side apply merges them).
    conditions["x-kubernetes-list-type"] = "map"
    conditions["x-kubernetes-list-map-keys"] = ["type"]
    conditions["items"]["properties"]["status"]["enum"] = ["True", "False", "Unknown"]
    return schema


def build_crd(info: KindInfo) -> dict[str, Any]:
    """The CustomResourceDefinition of one kind."""
    spec = _model_schema(info.spec)
    if info.spec_rules:
        spec["x-kubernetes-validations"] = info.spec_rules
    properties: dict[str, Any] = {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"type": "object"},
        "spec": spec,
    }
    if info.status is not None:
        properties["status"] = _status_schema(info.status)
    root: dict[str, Any] = {"type": "object", "required": ["spec"], "properties": properties}
    if info.root_rules:
        root["x-kubernetes-validations"] = info.root_rules
    version: dict[str, Any] = {"name": VERSION, "served": True, "storage": True}
    if info.status is not None:
        version["subresources"] = {"status": {}}
    version["additionalPrinterColumns"] = info.columns
    version["schema"] = {"openAPIV3Schema": root}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{info.plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": info.scope,
            "names": {
                "kind": info.kind,
                "listKind": f"{info.kind}List",
                "plural": info.plural,
                "singular": info.singular,
                "shortNames": list(info.short_names),
                "categories": ["ddi"],
            },
            "versions": [version],
        },
    }


def render_crd(info: KindInfo) -> str:
    header = "# Generated by `ddisync crds` from ddisync.api; do not edit.\n"
    return header + yaml.safe_dump(build_crd(info), sort_keys=False, width=100, allow_unicode=True)


def write_crds(output_dir: Path) -> list[Path]:
    """Write one YAML file per kind; return the paths written."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for info in ALL_KINDS:
        path = output_dir / f"{info.plural}.yaml"
        path.write_text(render_crd(info))
        written.append(path)
    return written
