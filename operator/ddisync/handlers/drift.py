"""What every kind's periodic drift check shares: when to check, when a fresh read already
answered, and how a repair is reported.

==============================================  ==========================================
the resource                                    the drift check
==============================================  ==========================================
Ready=True for its current generation           compares it with the shared snapshot
Ready=False, NotOwned or ImmutableField         reconciles again: only the outside world
                                                (the other object going away) resolves it
anything else                                   nothing: kopf already retries it, or only
                                                a spec edit helps
==============================================  ==========================================
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.handlers.status import announce

_RECHECKED = frozenset({Reason.NOT_OWNED.value, Reason.IMMUTABLE_FIELD.value})


class Gate(Enum):
    CHECK = "check"  # in a steady state: compare with the snapshot
    RECHECK = "recheck"  # refused for an outside reason: reconcile again
    SKIP = "skip"


def ready_condition(status: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The Ready condition of a raw status, if any."""
    conditions = (status or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), None)


def drift_gate(body: Mapping[str, Any]) -> Gate:
    """What the periodic check does with this resource (the module's table)."""
    status = body.get("status") or {}
    ready = ready_condition(status)
    current = status.get("observedGeneration") == body["metadata"].get("generation")
    if ready is not None and ready.get("status") == "True" and current:
        return Gate.CHECK
    if ready is not None and ready.get("reason") in _RECHECKED:
        return Gate.RECHECK
    return Gate.SKIP


def verified_after(status: Mapping[str, Any], taken: Sequence[datetime.datetime | None]) -> bool:
    """Whether a fresh read after every snapshot in ``taken`` already confirmed the resource
    (its ``lastSyncTime`` is newer): the snapshots cannot judge it then."""
    synced = status.get("lastSyncTime")
    if not synced or not taken or any(t is None for t in taken):
        return False
    return datetime.datetime.fromisoformat(synced) > min(t for t in taken if t is not None)


def report_drift(
    body: Mapping[str, Any],
    logger: logging.Logger | logging.LoggerAdapter[logging.Logger],
    what: str,
) -> None:
    """Log and announce (as a Kubernetes Event) a drift about to be repaired."""
    logger.warning("Infoblox drifted from the spec (%s); repairing", what)
    message = f"Infoblox drifted from the spec ({what}); repaired"
    announce(body, "DriftRepaired", message, warning=True)
