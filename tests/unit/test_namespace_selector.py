"""A DDIGrant's namespaceSelector means what a label selector means everywhere in Kubernetes."""

from __future__ import annotations

import pytest

from ddisync.api.grant import LabelSelector
from ddisync.tenancy import selects


def selector(**fields: object) -> LabelSelector:
    return LabelSelector.model_validate(fields)


def expression(operator: str, *values: str, key: str = "env") -> LabelSelector:
    return selector(matchExpressions=[{"key": key, "operator": operator, "values": list(values)}])


def test_an_empty_selector_selects_every_namespace() -> None:
    assert selects(selector(), {})
    assert selects(selector(), {"anything": "at-all"})


def test_match_labels_need_every_pair_with_its_value() -> None:
    team = selector(matchLabels={"team": "a", "tier": "prod"})
    assert selects(team, {"team": "a", "tier": "prod", "extra": "x"})
    assert not selects(team, {"team": "a"})
    assert not selects(team, {"team": "a", "tier": "dev"})
    assert not selects(team, {"team": "A", "tier": "prod"})  # values are case-sensitive


def test_an_empty_label_value_is_matched_as_a_value() -> None:
    assert selects(selector(matchLabels={"flag": ""}), {"flag": ""})
    assert not selects(selector(matchLabels={"flag": ""}), {})


# The decision table in ddisync.tenancy.selector's docstring, row by row.
@pytest.mark.parametrize(
    ("operator", "absent", "in_values", "not_in_values"),
    [
        ("In", False, True, False),
        ("NotIn", True, False, True),
        ("Exists", False, True, True),
        ("DoesNotExist", True, False, False),
    ],
)
def test_match_expressions_follow_kubernetes(
    operator: str, absent: bool, in_values: bool, not_in_values: bool
) -> None:
    values = ("dev", "prod") if operator in ("In", "NotIn") else ()
    chosen = expression(operator, *values)
    assert selects(chosen, {}) is absent
    assert selects(chosen, {"env": "prod"}) is in_values
    assert selects(chosen, {"env": "test"}) is not_in_values


def test_every_term_must_hold() -> None:
    both = selector(
        matchLabels={"team": "a"},
        matchExpressions=[
            {"key": "env", "operator": "In", "values": ["prod"]},
            {"key": "example.com/frozen", "operator": "DoesNotExist"},
        ],
    )
    assert selects(both, {"team": "a", "env": "prod"})
    assert not selects(both, {"team": "b", "env": "prod"})
    assert not selects(both, {"team": "a", "env": "dev"})
    assert not selects(both, {"team": "a", "env": "prod", "example.com/frozen": "true"})
