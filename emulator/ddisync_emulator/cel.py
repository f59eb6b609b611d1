"""CEL validation rules of a CRD (``x-kubernetes-validations``), evaluated as an API server does.

Shared by the emulated API server and the offline CRD validator of the chart tests
(``tests/chart/crdvalidate.py``), so both judge a manifest the same way.

Kubernetes adds libraries to CEL; the IP/CIDR one (``isCIDR``, ``cidr(...).prefixLength()``,
...) is implemented here because network schemas need it. A rule that calls another
Kubernetes extension is *skipped* and reported, never passed in silence.

Decision table for one rule at one schema node:

    rule names oldSelf | old value at the node | value == old | outcome
    no                 | none (create)         | -            | evaluated
    no                 | given (update)        | no           | evaluated
    no                 | given (update)        | yes          | evaluated, unless ratcheting
    yes                | none                  | -            | not evaluated (as in the server)
    yes                | given                 | any          | evaluated with oldSelf bound
    calls an unimplemented k8s extension       |              | skipped, listed in ``skipped``

Ratcheting (the server's CRDValidationRatcheting, on by default since 1.30) lets an update
keep a value that no longer passes a rule as long as the value itself does not change; the
emulator uses it so a status write never fails on a spec rule.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import celpy
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError

Schema = Mapping[str, Any]

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
#: The immutability idiom, ``self == oldSelf`` or ``self.a.b == oldSelf.a.b``. On a value equal
#: to the old one it holds whenever the field exists: decided here, because celpy's interpreter
#: is otherwise the API server's costliest step on every status update.
IMMUTABLE = re.compile(r"\s*self((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*==\s*oldSelf\1\s*")
UNDECLARED = re.compile(r"undeclared reference to '([A-Za-z_][A-Za-z0-9_]*)'")
ROOT = "<root>"


@dataclass(frozen=True)
class RuleFailure:
    """A rule that did not hold (or could not run) at ``path``."""

    path: str  # e.g. "spec", "spec.cidr", "spec.tags[0]"; "<root>" for the object itself
    message: str
    reason: str = "FieldValueInvalid"
    value_type: str = "object"  # the schema type at the path, as the server quotes it


@dataclass
class RuleReport:
    failures: list[RuleFailure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rules not evaluated, with why
    evaluated: int = 0


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

_ENV = celpy.Environment()


@functools.lru_cache(maxsize=512)
def _program(expression: str) -> Any:
    """Compile once per expression: parsing is most of celpy's cost."""
    return _ENV.program(_ENV.compile(expression), functions=CEL_FUNCTIONS)


# --- walking a schema with a value --------------------------------------------------------------


def join(path: str, name: str) -> str:
    return name if path == ROOT else f"{path}.{name}"


def walk(
    schema: Schema, value: Any, old: Any, path: str = ROOT
) -> Iterator[tuple[str, Schema, Any, Any]]:
    """Yield (path, schema, value, old value) for every schema node that has a value.

    Old and new list items are paired only in ``x-kubernetes-list-type: map`` lists (by their
    keys), as in the API server, so only those run transition rules on items.
    """
    yield path, schema, value, old
    if isinstance(value, dict):
        olds = old if isinstance(old, dict) else {}
        for name, sub in (schema.get("properties") or {}).items():
            if name in value:
                yield from walk(sub, value[name], olds.get(name), join(path, name))
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for name, item in value.items():
                yield from walk(extra, item, olds.get(name), join(path, name))
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        items = schema["items"]
        keys = schema.get("x-kubernetes-list-map-keys") or []
        old_by_key: dict[tuple[Any, ...], Any] = {}
        if schema.get("x-kubernetes-list-type") == "map" and isinstance(old, list):
            old_by_key = {tuple(o.get(k) for k in keys): o for o in old if isinstance(o, dict)}
        for index, item in enumerate(value):
            key = tuple(item.get(k) for k in keys) if isinstance(item, dict) else ()
            yield from walk(items, item, old_by_key.get(key), f"{path}[{index}]")


def list_type_failure(schema: Schema, value: Any, path: str) -> RuleFailure | None:
    """Duplicate entries in an ``x-kubernetes-list-type: map|set`` list."""
    if not isinstance(value, list):
        return None
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "map":
        keys = schema.get("x-kubernetes-list-map-keys") or []
        seen: list[object] = [
            tuple(item.get(k) for k in keys) if isinstance(item, dict) else repr(item)
            for item in value
        ]
    elif list_type == "set":
        seen = [repr(item) for item in value]
    else:
        return None
    if len(seen) == len(set(seen)):
        return None
    return RuleFailure(path, f"duplicate entries in {list_type} list", "FieldValueDuplicate")


def check_rules(
    schema: Schema, value: Any, old: Any = None, *, ratchet: bool = False
) -> RuleReport:
    """Run every list-type check and CEL rule of ``schema`` over ``value`` (an update of ``old``).

    The value must already pass the structural schema (with defaults applied), as in the API
    server, which runs CEL only on structurally valid objects.
    """
    report = RuleReport()
    for path, node, item, old_item in walk(schema, value, old):
        same = old_item is not None and item == old_item  # compared once: values can be large
        unchanged = ratchet and same
        if not unchanged:
            duplicate = list_type_failure(node, item, path)
            if duplicate is not None:
                report.failures.append(duplicate)
        for rule in node.get("x-kubernetes-validations") or ():
            if unchanged and not OLD_SELF.search(str(rule.get("rule", ""))):
                continue
            _check_rule(rule, node, item, old_item, same, path, report)
    return report


def _check_rule(
    rule: Mapping[str, Any],
    node: Schema,
    value: Any,
    old: Any,
    same: bool,
    path: str,
    report: RuleReport,
) -> None:
    """One rule at one node; ``same`` says whether ``value`` equals an existing ``old``."""
    expression = str(rule["rule"])
    transition = bool(OLD_SELF.search(expression))
    if transition and old is None:
        return  # a create, or a new value: the API server does not run transition rules
    if same and _holds_unchanged(expression, value):
        report.evaluated += 1
        return
    where = _field_path(path, rule.get("fieldPath"))
    value_type = str(node.get("type") or "object")
    try:
        result: Any = _evaluate(expression, value, old if transition else _NO_OLD)
    except CELParseError as error:
        report.failures.append(
            RuleFailure(
                where, f"rule {expression!r} does not parse: {error}", value_type=value_type
            )
        )
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
        report.failures.append(
            RuleFailure(
                where, f"rule {expression!r} failed to run: {detail}", value_type=value_type
            )
        )
        return
    report.evaluated += 1
    if not (isinstance(result, celtypes.BoolType) and bool(result)):
        message = str(rule.get("message") or f"failed rule: {expression}")
        reason = str(rule.get("reason") or "FieldValueInvalid")
        report.failures.append(RuleFailure(where, message, reason, value_type))


_NO_OLD = object()
#: Each ``self`` of a rule, with the field it reads (``self.name``) and whether that is a method
#: call (``self.all(...)``, ``self.startsWith(...)``), which sees the whole value.
_SELF_USE = re.compile(r"\bself\b(?:\.([A-Za-z_][A-Za-z0-9_]*)(\s*\()?)?")
_RESULTS: dict[tuple[str, str], Any] = {}
_RESULTS_MAX = 1 << 16


def _evaluate(expression: str, value: Any, old: Any) -> Any:
    """The rule's result for ``value`` (and ``oldSelf``, unless ``_NO_OLD``).

    CEL is pure: a rule without ``oldSelf`` gives the same result for the same input, so results
    are remembered by the part of the value the rule can see (only the fields it names, when it
    reads ``self`` only as ``self.field``). Evaluating is most of the emulator's cost per write:
    thousands of creates in a test repeat the same few field values."""
    disjuncts = _disjuncts(expression)
    if old is not _NO_OLD:
        # A transition rule is run whole (``oldSelf`` differs on every update), unless a side
        # without ``oldSelf``, remembered like any rule, already holds: ``self.type != 'NS' ||
        # <NS immutability>`` costs nothing on every other Record's updates.
        for disjunct in disjuncts if len(disjuncts) > 1 else ():
            if not OLD_SELF.search(disjunct):
                result = _remembered(disjunct, value)
                if isinstance(result, celtypes.BoolType) and bool(result):
                    return result
        activation = {"self": json_to_cel(value), "oldSelf": json_to_cel(old)}
        return _program(expression).evaluate(activation)
    if len(disjuncts) == 1:
        return _remembered(expression, value)
    # CEL's ``||`` is true if any side is, else an error if any side is one, else false: so each
    # side can be evaluated (and remembered) alone, and most rules are ``guard || check``.
    error = None
    for disjunct in disjuncts:
        result = _remembered(disjunct, value)
        if isinstance(result, celtypes.BoolType) and bool(result):
            return result
        if error is None and not isinstance(result, celtypes.BoolType):
            error = result
    return error if error is not None else celtypes.BoolType(False)


def _remembered(expression: str, value: Any) -> Any:
    key = (expression, json.dumps(_seen_by(expression, value), sort_keys=True, default=str))
    try:
        return _RESULTS[key]
    except KeyError:
        pass
    result = _program(expression).evaluate({"self": json_to_cel(value)})
    if len(_RESULTS) >= _RESULTS_MAX:
        _RESULTS.clear()
    _RESULTS[key] = result
    return result


@functools.lru_cache(maxsize=512)
def _disjuncts(expression: str) -> tuple[str, ...]:
    """The sides of the expression's top-level ``||`` (outside brackets and string literals),
    or the expression alone when it has none or has a top-level ``?:``, which binds looser."""
    sides: list[str] = []
    depth, quote, start, i = 0, "", 0, 0
    while i < len(expression):
        char = expression[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and char == "?":
            return (expression,)
        elif depth == 0 and expression.startswith("||", i):
            sides.append(expression[start:i].strip())
            start, i = i + 2, i + 1
        i += 1
    sides.append(expression[start:].strip())
    if len(sides) == 1:
        return (expression,)
    try:  # a side that does not parse alone: a literal this scan misread (raw strings)
        for side in sides:
            _program(side)
    except CELParseError:
        return (expression,)
    return tuple(sides)


def _seen_by(expression: str, value: Any) -> Any:
    """What of ``value`` the rule's result depends on: named fields of a mapping, or all."""
    reads = _fields_read(expression)
    if not isinstance(value, dict) or reads is None:
        return value
    return {
        name: (name in value) if presence_only else [value[name]] if name in value else []
        for name, presence_only in reads
    }


@functools.lru_cache(maxsize=512)
def _fields_read(expression: str) -> tuple[tuple[str, bool], ...] | None:
    """The fields of ``self`` the rule reads, each with whether only its presence matters
    (read only as ``has(self.name)``); None when the rule uses ``self`` whole (size(self),
    self[...], self.all(...))."""
    names: set[str] = set()
    for use in _SELF_USE.finditer(expression):
        if use[1] is None or use[2] is not None:
            return None
        names.add(use[1])
    return tuple(
        (
            name,
            len(re.findall(rf"\bself\.{name}\b", expression))
            == len(re.findall(rf"\bhas\(\s*self\.{name}\s*\)", expression)),
        )
        for name in sorted(names)
    )


def _holds_unchanged(expression: str, value: Any) -> bool:
    """Whether an immutability rule holds for a value equal to the old one (see IMMUTABLE)."""
    match = IMMUTABLE.fullmatch(expression)
    if match is None:
        return False
    for name in match[1].split(".")[1:]:
        if not isinstance(value, dict) or name not in value:
            return False  # a missing field is an evaluation error: celpy reports it
        value = value[name]
    return True


def _field_path(path: str, field_path: Any) -> str:
    """The rule's ``fieldPath`` (relative, e.g. ``.cidr``) joined to the node's path."""
    return join(path, str(field_path).lstrip(".")) if field_path else path
