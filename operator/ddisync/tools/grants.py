"""Tenancy as ``ddisync plan`` predicts it: the DDIGrants and Namespaces among its files. Pure.

The operator refuses a resource ``Forbidden`` before any WAPI call unless one DDIGrant of its
namespace on its grid covers everything it would touch (``ddisync.tenancy``). ``plan`` judges
with the very checker and the drivers' own ``Reach``, against the grants it finds in ``-f``;
namespace labels (for ``namespaceSelector``) come from the Namespace documents there, plus the
``kubernetes.io/metadata.name`` label Kubernetes sets on every namespace, as the operator adds
it. A namespace without a document in the files has that label only.

Whether grants are judged at all (``--tenancy``):

===================  ================  ===========================================================
--tenancy            DDIGrant in -f    judged?
===================  ================  ===========================================================
on                   any               yes: with no grant, everything is Forbidden (as an
                                       operator with tenancy on and no grant would refuse it)
off                  any               no (an operator run with ``DDISYNC_TENANCY=off``)
not given            at least one      yes
not given            none              no, with a note on stderr: the grants usually live in
                                       another repository; judging without them would refuse
                                       every resource, which predicts nothing
===================  ================  ===========================================================

``DDISYNC_TENANCY=off`` in the environment counts as ``--tenancy off`` (the operator with that
environment refuses nothing); the option wins over the variable.

A DDIGrant whose spec is invalid grants nothing, as in the operator: it is skipped with a
warning naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ddisync.api.grant import DDIGrantSpec
from ddisync.api.meta import InvalidSpecError, parse_spec
from ddisync.tenancy import Enforcement, Reach, Refusal, check

__all__ = ["NAME_LABEL", "Grants", "grants_of"]

# Set by Kubernetes on every namespace (the operator adds it too: handlers/tenancy.py).
NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Grants:
    """The grants ``plan`` judges by, or none at all (``enforced`` False)."""

    enforced: bool
    grants: Mapping[str, DDIGrantSpec] = field(default_factory=dict)
    namespace_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # for stderr: skipped grants, why nothing is judged

    def labels(self, namespace: str) -> dict[str, str]:
        return {**self.namespace_labels.get(namespace, {}), NAME_LABEL: namespace}

    def refusal(self, reach: Reach) -> Refusal | None:
        """Why the operator would refuse ``reach`` Forbidden; None: it may proceed."""
        if not self.enforced:
            return None
        return check(reach, self.grants, self.labels(reach.namespace))

    def unseen_namespace(self, namespace: str) -> bool:
        """True when a selector might see labels ``plan`` does not know: some grant selects
        by label and the namespace has no Namespace document among the files."""
        selects = any(spec.namespace_selector is not None for spec in self.grants.values())
        return self.enforced and selects and namespace not in self.namespace_labels


def grants_of(
    specs: Mapping[str, Any],
    namespace_labels: Mapping[str, Mapping[str, str]],
    *,
    option: str | None,
    environment: Enforcement,
) -> Grants:
    """The grants to judge by, from the DDIGrant specs and Namespace labels of the files.

    ``option`` is ``--tenancy`` (``on``, ``off`` or None: not given); ``environment`` the
    operator's ``DDISYNC_TENANCY`` (see the module's table).
    """
    if option == Enforcement.OFF.value or (option is None and environment is Enforcement.OFF):
        return Grants(enforced=False)
    if option is None and not specs:
        return Grants(
            enforced=False,
            warnings=(
                "no DDIGrant among the files: Forbidden is not predicted (the operator refuses "
                "what no grant of the namespace covers); add the grants with -f, or pass "
                "--tenancy on to judge without any, or --tenancy off",
            ),
        )
    grants: dict[str, DDIGrantSpec] = {}
    warnings: list[str] = []
    for name, spec in sorted(specs.items()):
        try:
            grants[name] = parse_spec(DDIGrantSpec, spec)
        except InvalidSpecError as exc:
            warnings.append(f"DDIGrant {name} grants nothing: its spec is invalid ({exc})")
    labels = {name: dict(found) for name, found in namespace_labels.items()}
    return Grants(True, grants, labels, tuple(warnings))
