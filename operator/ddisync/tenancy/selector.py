"""Kubernetes label selectors on namespaces (``DDIGrant.spec.namespaceSelector``), evaluated.

The semantics are Kubernetes' own (``metav1.LabelSelector``): every ``matchLabels`` pair and
every ``matchExpressions`` requirement must hold, and an empty selector selects everything.

    operator      | label absent | label present, value in values | present, value not in values
    In            | no           | yes                            | no
    NotIn         | yes          | no                             | yes
    Exists        | no           | yes                            | yes
    DoesNotExist  | yes          | no                             | no
"""

from __future__ import annotations

from collections.abc import Mapping

from ddisync.api.grant import LabelSelector, LabelSelectorRequirement, SelectorOperator


def _holds(requirement: LabelSelectorRequirement, labels: Mapping[str, str]) -> bool:
    present = requirement.key in labels
    match requirement.operator:
        case SelectorOperator.IN:
            return present and labels[requirement.key] in requirement.values
        case SelectorOperator.NOT_IN:
            return not present or labels[requirement.key] not in requirement.values
        case SelectorOperator.EXISTS:
            return present
        case SelectorOperator.DOES_NOT_EXIST:
            return not present


def selects(selector: LabelSelector, labels: Mapping[str, str]) -> bool:
    """Whether an object with ``labels`` is selected by ``selector``."""
    if any(labels.get(key) != value for key, value in selector.match_labels.items()):
        return False
    return all(_holds(requirement, labels) for requirement in selector.match_expressions)
