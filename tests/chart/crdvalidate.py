"""Validate custom resources against the generated CRDs offline, as an API server would.

No kube-apiserver can run here, so this mirrors the parts of its create/update path that a
manifest author can get wrong:

1. Defaulting: ``default`` values from the schema are applied first (CEL sees them).
2. Structural schema: ``openAPIV3Schema`` checked with ``jsonschema``, Kubernetes extensions
   translated (``nullable``, ``x-kubernetes-int-or-string``, ``x-kubernetes-preserve-unknown-
   fields``). Unknown fields are errors, as with ``kubectl apply`` (``--validate=strict`` is its
   default), so a typo in an example fails here instead of being pruned in silence.
3. ``x-kubernetes-list-type: map|set`` uniqueness.
4. CEL ``x-kubernetes-validations`` through ``celpy``. Kubernetes adds libraries to CEL; the
   IP/CIDR one (``isCIDR``, ``cidr(...).prefixLength()``, ...) is implemented below because
   network schemas need it. A rule that calls another Kubernetes extension is *skipped* and
   reported, never passed in silence. Transition rules (those naming ``oldSelf``) run only when
   an old object is given, i.e. on updates.

Decision table for one CEL rule:

    rule names oldSelf | old value given | outcome
    no                 | -               | evaluated
    yes                | no (create)     | not evaluated (as in the API server)
    yes                | yes (update)    | evaluated with oldSelf bound
    calls an unimplemented k8s extension  | skipped, listed in Report.skipped
"""

from __future__ import annotations

import copy
import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import celpy
import jsonschema
import yaml
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError

JsonObj = dict[str, Any]

# Kubernetes CEL libraries celpy does not have (strings, lists, regex, URLs, quantity, semver,
# format, authz). Rules calling them are skipped; an undeclared name outside this set is a bug.
K8S_EXTENSION_FUNCTIONS = frozenset(
    {
        "charAt", "indexOf", "lastIndexOf", "lowerAscii", "upperAscii", "replace", "split",
        "substring", "trim", "join", "reverse", "format", "quote", "isSorted", "sum", "min",
        "max", "slice", "flatten", "distinct", "sort", "find", "findAll", "url", "isURL",
        "getScheme", "getHost", "getHostname", "getPort", "getEscapedPath", "getQuery",
        "quantity", "isQuantity", "semver", "isSemver", "named", "validate", "authorizer",
        "optional", "hasValue", "value", "orValue",
    }
)  # fmt: skip
OLD_SELF = re.compile(r"\boldSelf\b")
UNDECLARED = re.compile(r"undeclared reference to '([A-Za-z_][A-Za-z0-9_]*)'")


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


# --- Kubernetes' CEL IP/CIDR library (k8s.io/apiserver/pkg/cel/library/{ip,cidr}.go) -----------
# Kubernetes rejects IPv4-mapped IPv6 addresses and zones; it accepts CIDRs with host bits set
# (cidr('10.0.0.1/24').masked() normalises them).


class CelIP(celtypes.StringType):
    """An address returned by ip(); a StringType so equality with other values just works."""


class CelCIDR(celtypes.StringType):
    """A prefix returned by cidr()."""


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if "%" in text:
        raise ValueError(f"IP address with zone value is not allowed: {text}")
    addr = ipaddress.ip_address(text)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        raise ValueError(f"IPv4-mapped IPv6 address is not allowed: {text}")
    return addr


def _parse_cidr(text: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    if "/" not in text:
        raise ValueError(f"network address parse error: {text}")
    _parse_ip(text.split("/", 1)[0])
    return ipaddress.ip_interface(text)


def _is(parse: Callable[[str], object]) -> Callable[[celtypes.StringType], celtypes.BoolType]:
    def check(value: celtypes.StringType) -> celtypes.BoolType:
        try:
            parse(str(value))
        except ValueError:
            return celtypes.BoolType(False)
        return celtypes.BoolType(True)

    return check


def _ip(value: celtypes.StringType) -> CelIP:
    return CelIP(str(_parse_ip(str(value))))


def _cidr(value: celtypes.StringType) -> CelCIDR:
    return CelCIDR(str(_parse_cidr(str(value))))


def _family(value: celtypes.StringType) -> celtypes.IntType:
    if isinstance(value, CelCIDR):
        return celtypes.IntType(_parse_cidr(str(value)).version)
    return celtypes.IntType(_parse_ip(str(value)).version)


def _prefix_length(value: CelCIDR) -> celtypes.IntType:
    return celtypes.IntType(_parse_cidr(str(value)).network.prefixlen)


def _masked(value: CelCIDR) -> CelCIDR:
    return CelCIDR(str(_parse_cidr(str(value)).network))


def _cidr_ip(value: CelCIDR) -> CelIP:
    return CelIP(str(_parse_cidr(str(value)).ip))


def _ip_or_cidr(value: celtypes.StringType) -> celtypes.StringType:
    # `x.ip()` on a CIDR is its address; `ip(x)` on a string parses it.
    return _cidr_ip(value) if isinstance(value, CelCIDR) else _ip(value)


def _contains_ip(prefix: CelCIDR, other: celtypes.StringType) -> celtypes.BoolType:
    return celtypes.BoolType(_parse_ip(str(other)) in _parse_cidr(str(prefix)).network)


def _contains_cidr(prefix: CelCIDR, other: celtypes.StringType) -> celtypes.BoolType:
    inner = _parse_cidr(str(other)).network
    outer = _parse_cidr(str(prefix)).network
    return celtypes.BoolType(inner.version == outer.version and inner.subnet_of(outer))  # type: ignore[arg-type]


def _is_canonical(value: celtypes.StringType) -> celtypes.BoolType:
    return celtypes.BoolType(str(_parse_ip(str(value))) == str(value))


CEL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "isIP": _is(_parse_ip),
    "isCIDR": _is(_parse_cidr),
    "ip": _ip_or_cidr,
    "cidr": _cidr,
    "family": _family,
    "prefixLength": _prefix_length,
    "masked": _masked,
    "containsIP": _contains_ip,
    "containsCIDR": _contains_cidr,
    "isCanonical": _is_canonical,
    "isUnspecified": lambda v: celtypes.BoolType(_parse_ip(str(v)).is_unspecified),
    "isLoopback": lambda v: celtypes.BoolType(_parse_ip(str(v)).is_loopback),
    "isLinkLocalUnicast": lambda v: celtypes.BoolType(_parse_ip(str(v)).is_link_local),
    "isGlobalUnicast": lambda v: celtypes.BoolType(_parse_ip(str(v)).is_global),
}


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


def load_crds(directory: Path) -> dict[tuple[str, str], CrdVersion]:
    """Every served version of every CRD in ``directory``, keyed by (apiVersion, kind)."""
    found: dict[tuple[str, str], CrdVersion] = {}
    for path in sorted(directory.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
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
    for path, schema, value, old_value in _walk(crd.schema, new, previous, "<root>"):
        _check_list_type(schema, value, path, report)
        for rule in schema.get("x-kubernetes-validations", []):
            _check_rule(rule, value, old_value, path, report)
    return report


def _path(parts: Any) -> str:
    return ".".join(str(p) for p in parts) or "<root>"


def _walk(
    schema: JsonObj, value: Any, old: Any, path: str
) -> Iterator[tuple[str, JsonObj, Any, Any]]:
    """Yield (path, schema, value, old value) for every schema node that has a value."""
    yield path, schema, value, old
    if isinstance(value, dict):
        olds = old if isinstance(old, dict) else {}
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                yield from _walk(sub, value[name], olds.get(name), _join(path, name))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name, item in value.items():
                yield from _walk(extra, item, olds.get(name), _join(path, name))
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        items = schema["items"]
        keys = schema.get("x-kubernetes-list-map-keys", [])
        old_by_key: dict[tuple[Any, ...], Any] = {}
        if schema.get("x-kubernetes-list-type") == "map" and isinstance(old, list):
            # Only map lists correlate old and new items (by key), so only they run
            # transition rules on items.
            old_by_key = {tuple(o.get(k) for k in keys): o for o in old if isinstance(o, dict)}
        for index, item in enumerate(value):
            key = tuple(item.get(k) for k in keys) if isinstance(item, dict) else ()
            yield from _walk(items, item, old_by_key.get(key), f"{path}[{index}]")


def _join(path: str, name: str) -> str:
    return name if path == "<root>" else f"{path}.{name}"


def _check_list_type(schema: JsonObj, value: Any, path: str, report: Report) -> None:
    if not isinstance(value, list):
        return
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "map":
        keys = schema.get("x-kubernetes-list-map-keys", [])
        seen: list[object] = [tuple(item.get(k) for k in keys) for item in value]
    elif list_type == "set":
        seen = [repr(item) for item in value]
    else:
        return
    if len(seen) != len(set(seen)):
        report.violations.append(Violation(path, f"duplicate entries in {list_type} list"))


_ENV = celpy.Environment()


def _check_rule(rule: JsonObj, value: Any, old: Any, path: str, report: Report) -> None:
    expression: str = rule["rule"]
    transition = bool(OLD_SELF.search(expression))
    if transition and old is None:
        return  # a create, or a new value: the API server does not run transition rules
    activation: dict[str, Any] = {"self": json_to_cel(value)}
    if transition:
        activation["oldSelf"] = json_to_cel(old)
    try:
        program = _ENV.program(_ENV.compile(expression), functions=CEL_FUNCTIONS)
        result: Any = program.evaluate(activation)
    except CELParseError as error:
        report.violations.append(Violation(path, f"rule {expression!r} does not parse: {error}"))
        return
    except CELEvalError as error:
        result = error
    if isinstance(result, CELEvalError):
        missing = UNDECLARED.search(str(result.args[0]) if result.args else "")
        if missing and missing.group(1) in K8S_EXTENSION_FUNCTIONS:
            report.skipped.append(f"{path}: {expression} (Kubernetes extension {missing[1]})")
            return
        report.evaluated += 1
        detail = str(result.args[0])[:200] if result.args else type(result).__name__
        report.violations.append(Violation(path, f"rule {expression!r} failed to run: {detail}"))
        return
    report.evaluated += 1
    if not (isinstance(result, celtypes.BoolType) and bool(result)):
        message = rule.get("message") or f"failed rule: {expression}"
        report.violations.append(Violation(rule.get("fieldPath") or path, message))
