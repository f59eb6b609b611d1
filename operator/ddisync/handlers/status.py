"""Build the status patch: conditions, observedGeneration and the kind's own fields."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, cast

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


# Waiting for another resource is a state, not news: at a cold start most Records wait a second
# for their Network, and an Event each would flood the API and `kubectl describe`.
_WAITING = frozenset({Reason.NETWORK_NOT_READY, Reason.PROGRESSING})


def patch_ready(
    patch: kopf.Patch,
    body: Mapping[str, Any],
    *,
    ready: ConditionStatus,
    reason: Reason,
    message: str,
    **fields: Any,
) -> None:
    """Set the Ready condition and ``fields`` (camelCase status keys) in ``patch.status``.

    When Ready or its reason changes, a Kubernetes Event says so (Normal when it became Ready,
    Warning otherwise): one per transition, none for a reconcile that changed nothing, none
    while it only waits for another resource.
    """
    status: Mapping[str, Any] = body.get("status") or {}
    generation = body["metadata"].get("generation")
    previous = _conditions(status)
    before = next((c for c in previous if c.type == "Ready"), None)
    conditions = set_condition(
        previous,
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
    waiting = reason in _WAITING
    if not waiting and (before is None or before.status != ready or before.reason != reason):
        announce(body, str(reason), message, warning=ready != "True")


def announce(body: Mapping[str, Any], reason: str, message: str, *, warning: bool = False) -> None:
    """Post a Kubernetes Event about the resource (``kubectl describe`` shows it)."""
    target = cast(kopf.Body, body)  # kopf only reads the object reference from it
    kopf.event(target, type="Warning" if warning else "Normal", reason=reason, message=message)
