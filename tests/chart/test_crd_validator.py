"""The offline CRD validator (crdvalidate) behaves like the API server where it matters."""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest
import yaml
from chartenv import CRDS, EXAMPLES, Manifest
from crdvalidate import CrdVersion, apply_defaults, load_crds, validate

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "cidr": {
                    "type": "string",
                    "x-kubernetes-validations": [
                        {"rule": "self == oldSelf", "message": "cidr is immutable"},
                        {"rule": "isCIDR(self) && cidr(self).prefixLength() <= 30",
                         "message": "cidr must be a CIDR of /30 or larger"},
                    ],
                },
                "view": {"type": "string", "default": "default"},
                "name": {
                    "type": "string",
                    "x-kubernetes-validations": [
                        {"rule": "self.lowerAscii() == self", "message": "lower case"}
                    ],
                },
                "tags": {
                    "type": "array",
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["key"],
                    "items": {"type": "object", "properties": {"key": {"type": "string"}}},
                },
            },
            "x-kubernetes-validations": [
                {"rule": "self.view == 'default' || has(self.cidr)", "message": "view needs cidr"}
            ],
        }
    },
}  # fmt: skip
CRD = CrdVersion("example.io", "v1", "Thing", "things", "Namespaced", SCHEMA)


def thing(**spec: Any) -> Manifest:
    return {"apiVersion": "example.io/v1", "kind": "Thing", "metadata": {"name": "a"}, "spec": spec}


def messages(obj: Manifest, old: Manifest | None = None) -> list[str]:
    return [v.message for v in validate(CRD, obj, old).violations]


def test_a_valid_object_passes_and_its_rules_run() -> None:
    report = validate(CRD, thing(cidr="10.0.0.0/24"))
    assert report.violations == []
    assert report.evaluated == 2  # the CIDR rule and the spec rule; not the transition rule


def test_unknown_fields_are_rejected_like_strict_field_validation() -> None:
    assert any("'cdir' was unexpected" in m for m in messages(thing(cdir="10.0.0.0/24")))


def test_invalid_object_names_are_rejected() -> None:
    obj = thing()
    obj["metadata"]["name"] = "Not_Valid"
    assert messages(obj) == ["invalid name 'Not_Valid'"]


def test_defaults_are_applied_before_cel() -> None:
    # view defaults to 'default', so the spec rule holds without cidr.
    assert messages(thing()) == []
    assert messages(thing(view="dmz")) == ["view needs cidr"]


def test_cel_rule_violation_reports_its_message() -> None:
    assert messages(thing(cidr="10.0.0.0/31")) == ["cidr must be a CIDR of /30 or larger"]
    assert messages(thing(cidr="not-a-cidr")) == ["cidr must be a CIDR of /30 or larger"]


def test_ip_library_follows_kubernetes() -> None:
    assert messages(thing(cidr="2001:db8::/28")) == []
    assert messages(thing(cidr="10.0.0.1/24")) == []  # host bits set: accepted, as in k8s
    assert messages(thing(cidr="::ffff:10.0.0.0/120")) != []  # IPv4-mapped: rejected


def test_transition_rules_do_not_run_on_create() -> None:
    report = validate(CRD, thing(cidr="10.0.0.0/24"))
    assert all("immutable" not in v.message for v in report.violations)


def test_transition_rules_run_on_update() -> None:
    old = thing(cidr="10.0.0.0/24")
    assert messages(thing(cidr="10.0.0.0/24"), old) == []
    assert messages(thing(cidr="10.0.1.0/24"), old) == ["cidr is immutable"]


def test_transition_rules_do_not_run_on_a_newly_set_field() -> None:
    assert messages(thing(cidr="10.0.0.0/24"), thing()) == []


def test_rules_using_unimplemented_kubernetes_extensions_are_skipped_not_passed() -> None:
    report = validate(CRD, thing(name="Upper"))
    assert report.violations == []
    assert len(report.skipped) == 1 and "lowerAscii" in report.skipped[0]


def test_duplicate_keys_in_a_map_list_are_rejected() -> None:
    obj = thing(tags=[{"key": "a"}, {"key": "a"}])
    assert messages(obj) == ["duplicate entries in map list"]


# --- The generated CRDs' transition rules, on update pairs built from the examples -------------


def _load() -> list[tuple[CrdVersion, Manifest]]:
    crds = load_crds(CRDS)
    pairs = []
    for path in sorted(EXAMPLES.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and (doc.get("apiVersion"), doc.get("kind")) in crds:
                pairs.append((crds[(doc["apiVersion"], doc["kind"])], doc))
    return pairs


EXAMPLE_OBJECTS = _load()


def _ids() -> list[str]:
    return [f"{o['kind']}/{o['metadata']['name']}" for _, o in EXAMPLE_OBJECTS]


def _immutable_fields(crd: CrdVersion) -> dict[str, str]:
    """spec field -> message, for every spec field carrying `self == oldSelf`."""
    fields = {}
    for name, sub in crd.schema["properties"]["spec"].get("properties", {}).items():
        for rule in sub.get("x-kubernetes-validations", []):
            if rule["rule"].replace(" ", "") == "self==oldSelf":
                fields[name] = rule.get("message", "")
    return fields


def _changed(value: Any, schema: dict[str, Any]) -> Any:
    """A different value that still satisfies the structural schema."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value - 1 if value - 1 >= schema.get("minimum", value - 1) else value + 1
    if isinstance(value, str):
        try:
            network = ipaddress.ip_network(value)
        except ValueError:
            return value[:-1] + ("x" if not value.endswith("x") else "y")
        step = network.num_addresses
        return str(ipaddress.ip_network(f"{network.network_address + step}/{network.prefixlen}"))
    if isinstance(value, dict):
        changed = dict(value)
        key = sorted(value)[-1]
        changed[key] = _changed(value[key], schema["properties"][key])
        return changed
    raise AssertionError(f"cannot change {value!r}")


def test_generated_crds_have_transition_rules_to_check() -> None:
    assert any(_immutable_fields(crd) for crd, _ in EXAMPLE_OBJECTS)


@pytest.mark.parametrize(("crd", "obj"), EXAMPLE_OBJECTS, ids=_ids())
def test_an_unchanged_update_passes_every_transition_rule(crd: CrdVersion, obj: Manifest) -> None:
    report = validate(crd, copy.deepcopy(obj), old=obj)
    assert report.violations == []


@pytest.mark.parametrize(("crd", "obj"), EXAMPLE_OBJECTS, ids=_ids())
def test_changing_an_immutable_field_is_rejected(crd: CrdVersion, obj: Manifest) -> None:
    spec_schema = crd.schema["properties"]["spec"]
    old = apply_defaults(crd.schema, copy.deepcopy(obj))
    for name, message in _immutable_fields(crd).items():
        if name not in old["spec"]:
            continue
        new = copy.deepcopy(old)
        new["spec"][name] = _changed(old["spec"][name], spec_schema["properties"][name])
        got = [v.message for v in validate(crd, new, old=old).violations]
        assert got == [message], f"changing spec.{name} to {new['spec'][name]!r}: {got}"


def test_switching_a_network_from_cidr_to_allocate_is_rejected() -> None:
    crd = load_crds(CRDS)[("ddisync.io/v1alpha1", "Network")]
    old = {
        "apiVersion": "ddisync.io/v1alpha1", "kind": "Network", "metadata": {"name": "n"},
        "spec": {"cidr": "10.0.0.0/24"},
    }  # fmt: skip
    new = copy.deepcopy(old)
    new["spec"] = {"allocate": {"fromContainer": "10.0.0.0/8", "prefixLength": 24}}
    report = validate(crd, new, old=old)
    assert [v.message for v in report.violations] == [
        "cidr is immutable: create a new Network instead"
    ]


def guarded(*rules: dict[str, str]) -> CrdVersion:
    """A kind ``Guarded`` whose free-form spec carries ``rules``."""
    spec = {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
            "x-kubernetes-validations": list(rules)}  # fmt: skip
    schema = {"type": "object", "properties": {"spec": spec}}
    return CrdVersion("example.io", "v1", "Guarded", "guardeds", "Namespaced", schema)


UNDEFINED_ON_MX = "has(self.pref) || self.kind == 'a' || self.nothing > 0"
GUARDED = guarded(
    {"rule": "self.kind != 'mx' || (has(self.pref) && self.pref <= 10)",
     "message": "an mx needs pref 10 or less"},
    {"rule": "size(self) < 4", "message": "at most three fields"},
    {"rule": UNDEFINED_ON_MX, "message": "pref or kind a"},
)  # fmt: skip


def test_remembered_rule_results_follow_every_field_a_rule_reads() -> None:
    """The emulator remembers CEL results per value a rule can see, and each side of a ``||``
    alone; a result must never carry over to a value that differs where the rule looks, and
    ``error || false`` stays an error (CEL's semantics), whatever came before."""
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"kind": "mx", "pref": 5}, []),
        ({"kind": "mx", "pref": 50}, ["an mx needs pref 10 or less"]),
        ({"kind": "mx"}, ["an mx needs pref 10 or less",
                          f"rule {UNDEFINED_ON_MX!r} failed to run"]),
        ({"kind": "a"}, []),
        ({"kind": "a", "pref": 50, "x": 1, "y": 2}, ["at most three fields"]),
        ({"kind": "a", "pref": 50, "x": 1}, []),
    ]  # fmt: skip
    for _ in range(2):  # the second round is answered from what the first remembered
        for spec, expected in cases:
            report = validate(GUARDED, {**thing(**spec), "kind": "Guarded"})
            found = [v.message for v in report.violations]
            assert [m.split(":")[0] for m in found] == expected, spec


TRANSITION = guarded(
    {"rule": "self.kind != 'ns' || (has(self.name) && has(oldSelf.name) "
             "&& self.name == oldSelf.name)",
     "message": "an ns keeps its name"},
)  # fmt: skip


def test_a_guarded_transition_rule_is_decided_by_its_remembered_guard_or_run_whole() -> None:
    """A side of a transition rule without ``oldSelf`` is remembered like any rule and, when it
    holds, decides the rule; otherwise the rule runs whole, with ``oldSelf``."""

    def update(kind: str, old_name: str, new_name: str) -> list[str]:
        old = {**thing(kind=kind, name=old_name), "kind": "Guarded"}
        new = {**thing(kind=kind, name=new_name), "kind": "Guarded"}
        return [v.message for v in validate(TRANSITION, new, old).violations]

    for _ in range(2):  # the second round is answered from what the first remembered
        assert update("a", "x", "y") == []
        assert update("ns", "x", "x") == []
        assert update("ns", "x", "y") == ["an ns keeps its name"]
        assert update("a", "y", "z") == []
