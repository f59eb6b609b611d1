"""Validate custom resources against the generated CRDs offline, as an API server would.

No kube-apiserver can run here, so this mirrors the parts of its create/update path that a
manifest author can get wrong:

1. Defaulting: ``default`` values from the schema are applied first (CEL sees them).
2. Structural schema: ``openAPIV3Schema`` checked with ``jsonschema``, Kubernetes extensions
   translated (``nullable``, ``x-kubernetes-int-or-string``, ``x-kubernetes-preserve-unknown-
   fields``). Unknown fields are errors, as with ``kubectl apply`` (``--validate=strict`` is its
   default), so a typo in an example fails here instead of being pruned in silence.
3. ``x-kubernetes-list-type: map|set`` uniqueness.
4. CEL ``x-kubernetes-validations`` through ``celpy``, by ``ddisync_emulator.cel`` (shared with
   the demo's emulated API server, so both judge a manifest alike; its docstring has the
   decision table). A rule that calls an unimplemented Kubernetes extension is *skipped* and
   reported, never passed in silence. Transition rules (those naming ``oldSelf``) run only when
   an old object is given, i.e. on updates.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from tests.yamldocs import documents

from ddisync_emulator.cel import check_rules

JsonObj = dict[str, Any]


@dataclass(frozen=True)
class Violation:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Report:
    violations: list[Violation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # CEL rules not evaluated, with why
    evaluated: int = 0  # CEL rules evaluated


# --- Schema handling ----------------------------------------------------------------------------


def to_json_schema(node: JsonObj) -> JsonObj:
    """Translate a Kubernetes structural schema node into plain JSON Schema (draft 7)."""
    out: JsonObj = {}
    for key, value in node.items():
        if key in ("properties", "patternProperties"):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = to_json_schema(value)
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [to_json_schema(sub) for sub in value]
        elif not key.startswith("x-kubernetes-") and key not in ("nullable", "default"):
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if (
        node.get("type") == "object"
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False  # strict field validation
    return out


def apply_defaults(schema: JsonObj, value: Any) -> Any:
    """Structural defaulting: fill missing properties that have a ``default``, recursively."""
    if isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name not in value and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                value[name] = apply_defaults(sub, value[name])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name in value:
                value[name] = apply_defaults(extra, value[name])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(schema["items"], item) for item in value]
    return value


@dataclass(frozen=True)
class CrdVersion:
    group: str
    version: str
    kind: str
    plural: str
    scope: str
    schema: JsonObj

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"


@functools.cache
def load_crds(directory: Path) -> dict[tuple[str, str], CrdVersion]:
    """Every served version of every CRD in ``directory``, keyed by (apiVersion, kind); read
    once per process (the CRDs do not change while the suite runs; callers only read)."""
    found: dict[tuple[str, str], CrdVersion] = {}
    for path in sorted(directory.glob("*.yaml")):
        for doc in documents(path.read_text()):
            if doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                if not version.get("served", False):
                    continue
                crd = CrdVersion(
                    group=spec["group"],
                    version=version["name"],
                    kind=spec["names"]["kind"],
                    plural=spec["names"]["plural"],
                    scope=spec["scope"],
                    schema=version["schema"]["openAPIV3Schema"],
                )
                found[(crd.api_version, crd.kind)] = crd
    return found


# --- Validation ---------------------------------------------------------------------------------

DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
ENVELOPE = {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {}}


def validate(crd: CrdVersion, obj: JsonObj, old: JsonObj | None = None) -> Report:
    """Validate ``obj`` (a create, or an update of ``old``) against ``crd``."""
    report = Report()
    name = obj.get("metadata", {}).get("name", "")
    if not (isinstance(name, str) and len(name) <= 253 and DNS1123_SUBDOMAIN.match(name)):
        report.violations.append(Violation("metadata.name", f"invalid name {name!r}"))
    if crd.scope == "Cluster" and "namespace" in obj.get("metadata", {}):
        report.violations.append(Violation("metadata.namespace", "cluster-scoped kind"))

    new = apply_defaults(crd.schema, copy.deepcopy(obj))
    previous = apply_defaults(crd.schema, copy.deepcopy(old)) if old is not None else None
    root = copy.deepcopy(crd.schema)
    root.setdefault("properties", {})
    for key, sub in ENVELOPE.items():  # the API server owns these, whatever the schema says
        root["properties"][key] = sub
    validator = jsonschema.Draft7Validator(to_json_schema(root))
    for error in sorted(validator.iter_errors(new), key=lambda e: list(e.absolute_path)):
        report.violations.append(Violation(_path(error.absolute_path), error.message))
    if report.violations:
        return report  # CEL assumes a structurally valid object, as in the API server
    rules = check_rules(crd.schema, new, previous)
    report.violations.extend(Violation(f.path, f.message) for f in rules.failures)
    report.skipped.extend(rules.skipped)
    report.evaluated += rules.evaluated
    return report


def _path(parts: Any) -> str:
    return ".".join(str(p) for p in parts) or "<root>"
