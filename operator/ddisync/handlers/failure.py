"""Record a failure as ``Ready=False`` and raise the matching kopf error (Record handlers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import kopf

from ddisync.api.conditions import Reason
from ddisync.handlers.outcome import failure_from
from ddisync.handlers.status import patch_ready

# Waiting for another resource: retry quickly at first (it is often applied in the same
# `kubectl apply`), then back off to the outcome table's delay.
_FIRST_WAIT = 1.0


def waiting_delay(retry: int, cap: float) -> float:
    """1, 2, 4, ... seconds, at most ``cap``: for reasons another resource resolves."""
    return min(cap, _FIRST_WAIT * (1 << min(max(retry, 0), 16)))


def raise_for(
    error: Exception,
    patch: kopf.Patch,
    body: Mapping[str, Any],
    *,
    retry: int = 0,
    **fields: Any,
) -> NoReturn:
    """Write ``error`` into the Ready condition (plus status ``fields``) and raise.

    Errors ``failure_from`` does not know are bugs: re-raised as they are, so kopf logs the
    traceback and retries with its backoff.
    """
    failure = failure_from(error)
    if failure is None:
        raise error
    patch_ready(
        patch,
        body.get("status") or {},
        generation=body["metadata"].get("generation"),
        ready="False",
        reason=failure.reason,
        message=failure.message,
        **fields,
    )
    if failure.retry_after is None:
        raise kopf.PermanentError(failure.message) from None
    delay = failure.retry_after
    if failure.reason is Reason.NETWORK_NOT_READY:
        delay = waiting_delay(retry, delay)
    raise kopf.TemporaryError(failure.message, delay=delay) from None
