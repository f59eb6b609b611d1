"""Build the status patch: conditions, observedGeneration and the kind's own fields."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import kopf
from pydantic import ValidationError

from ddisync.api.conditions import Condition, ConditionStatus, Reason, set_condition


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _conditions(status: Mapping[str, Any]) -> list[Condition]:
    parsed = []
    for raw in status.get("conditions") or []:
        try:
            parsed.append(Condition.model_validate(raw))
        except ValidationError:
            continue  # a hand-edited, malformed entry: replaced below rather than crashing
    return parsed


def patch_ready(
    patch: kopf.Patch,
    status: Mapping[str, Any],
    *,
    generation: int | None,
    ready: ConditionStatus,
    reason: Reason,
    message: str,
    **fields: Any,
) -> None:
    """Set the Ready condition and ``fields`` (camelCase status keys) in ``patch.status``."""
    conditions = set_condition(
        _conditions(status),
        type="Ready",
        status=ready,
        reason=reason,
        message=message,
        generation=generation,
        now=now(),
    )
    patch.status["conditions"] = [
        condition.model_dump(by_alias=True, exclude_none=True) for condition in conditions
    ]
    patch.status["observedGeneration"] = generation
    for key, value in fields.items():
        patch.status[key] = value
