"""Kubernetes-style conditions and the fixed taxonomy of reasons ddisync reports.

GitOps tools (Argo CD, Flux, ``kubectl wait``) read ``status.conditions[type=Ready]`` and
``status.observedGeneration`` (kstatus conventions); these are written by the handlers only
through ``set_condition`` so ``lastTransitionTime`` moves only when the status flips.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from ddisync.api.meta import Model


class Reason(StrEnum):
    """Why a resource is (not) Ready. CamelCase, stable: dashboards and alerts key on them."""

    SYNCED = "Synced"
    PROGRESSING = "Progressing"
    INVALID_SPEC = "InvalidSpec"
    IMMUTABLE_FIELD = "ImmutableField"
    CONFLICT = "Conflict"
    NOT_OWNED = "NotOwned"
    PARENT_NOT_FOUND = "ParentNotFound"
    NO_FREE_ADDRESS = "NoFreeAddress"
    NETWORK_NOT_READY = "NetworkNotReady"
    INFOBLOX_UNAVAILABLE = "InfobloxUnavailable"
    AUTHENTICATION_FAILED = "AuthenticationFailed"
    INFOBLOX_ERROR = "InfobloxError"
    DELETING = "Deleting"
    NETWORK_BECAME_CONTAINER = "NetworkBecameContainer"  # NIOS made the network a container
    FORBIDDEN = "Forbidden"  # outside the DDIGrants of the resource's namespace on its grid
    GRID_NOT_READY = "GridNotReady"  # spec.grid names no usable InfobloxGrid
    SECRET_MISSING = "SecretMissing"  # an InfobloxGrid's Secret is missing or unreadable
    SECRET_KEY_MISSING = "SecretKeyMissing"  # an InfobloxGrid's Secret lacks a key


ConditionStatus = Literal["True", "False", "Unknown"]


class Condition(Model):
    """One entry of ``status.conditions`` (the fields of metav1.Condition)."""

    type: str = Field(description="Condition type, e.g. Ready.")
    status: ConditionStatus
    reason: str = Field(description="CamelCase reason from a fixed set.")
    message: str = Field("", description="What happened, and what to do about it.")
    last_transition_time: str = Field(
        description="When status last changed.", json_schema_extra={"format": "date-time"}
    )
    observed_generation: int | None = Field(None, description="Generation it was computed from.")


class SyncStatus(Model):
    """What the status of a kind reconciled into Infoblox holds besides its own fields."""

    ref: str | None = Field(None, description="The Infoblox object reference (_ref).")
    conditions: list[Condition] = Field(default_factory=list)
    observed_generation: int | None = Field(None, description="Generation last reconciled.")
    last_sync_time: str | None = Field(
        None,
        description="When Infoblox was last confirmed to match the spec.",
        json_schema_extra={"format": "date-time"},
    )


def set_condition(
    conditions: Sequence[Condition],
    *,
    type: str,
    status: ConditionStatus,
    reason: Reason | str,
    message: str,
    generation: int | None,
    now: str,
) -> list[Condition]:
    """Return ``conditions`` with ``type`` set; keep its transition time unless status flips."""
    previous = next((c for c in conditions if c.type == type), None)
    since = previous.last_transition_time if previous and previous.status == status else now
    updated = Condition(
        type=type,
        status=status,
        reason=str(reason),
        message=message,
        last_transition_time=since,
        observed_generation=generation,
    )
    return [*(c for c in conditions if c.type != type), updated]


def ready_condition(status: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The Ready condition of a raw status, if any."""
    conditions = (status or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), None)
