"""Record a failure as ``Ready=False``, log it once per transition, and raise the matching kopf
error (every kind's handlers)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NoReturn

import kopf

from ddisync.api.conditions import Reason, ready_condition
from ddisync.handlers.outcome import RetryDelays, failure_from
from ddisync.handlers.status import patch_ready

logger = logging.getLogger("ddisync.reconcile")

# Waiting for another resource: retry quickly at first (it is often applied in the same
# `kubectl apply`), then back off to the outcome table's delay.
_FIRST_WAIT = 1.0


def waiting_delay(retry: int, cap: float) -> float:
    """1, 2, 4, ... seconds, at most ``cap``: for reasons another resource resolves."""
    return min(cap, _FIRST_WAIT * (1 << min(max(retry, 0), 16)))


# Waiting for another resource is a state, not a problem: said at INFO.
_WAITING = frozenset({Reason.NETWORK_NOT_READY, Reason.GRID_NOT_READY})


def _log_transition(body: Mapping[str, Any], reason: Reason, message: str) -> None:
    """Say it once, when the reason changes: a retry that ends as the last one is no news (kopf's
    own ERROR line for it is dropped, ``ddisync.logging``)."""
    before = ready_condition(body.get("status")) or {}
    if before.get("status") == "False" and before.get("reason") == reason:
        logger.debug("%s: %s", reason, message)
        return
    logger.log(logging.INFO if reason in _WAITING else logging.WARNING, "%s: %s", reason, message)


def raise_for(
    error: Exception,
    patch: kopf.Patch,
    body: Mapping[str, Any],
    *,
    delays: RetryDelays,
    retry: int = 0,
    **fields: Any,
) -> NoReturn:
    """Write ``error`` into the Ready condition (plus status ``fields``) and raise.

    Errors ``failure_from`` does not know are bugs: re-raised as they are, so kopf logs the
    traceback and retries with its backoff.
    """
    failure = failure_from(error, delays)
    if failure is None:
        raise error
    _log_transition(body, failure.reason, failure.message)
    patch_ready(
        patch,
        body,
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


def raise_deleting(
    error: Exception, patch: kopf.Patch, body: Mapping[str, Any], *, delays: RetryDelays
) -> NoReturn:
    """A deletion that Infoblox did not let finish: say so in the status and retry.

    Deletion is always retried, whatever the reason: the finalizer holds the resource until
    Infoblox agrees, and the condition tells the user what it waits for.
    """
    failure = failure_from(error, delays)
    if failure is None:
        raise error
    message = f"waiting to delete from Infoblox: {failure.message}"
    patch_ready(
        patch,
        body,
        ready="False",
        reason=Reason.DELETING,
        message=message,
    )
    raise kopf.TemporaryError(message, delay=failure.retry_after or delays.slow) from None


_SHOWN_USERS = 5


def raise_waiting_users(
    patch: kopf.Patch,
    body: Mapping[str, Any],
    users: list[str],
    *,
    delays: RetryDelays,
    retry: int = 0,
) -> NoReturn:
    """A resource others still use is not deleted yet: ``Deleting``, naming them, and a retry
    soon (1, 2, 4, ... seconds): users usually go in the same ``kubectl delete``."""
    shown = ", ".join(users[:_SHOWN_USERS])
    more = f" and {len(users) - _SHOWN_USERS} more" if len(users) > _SHOWN_USERS else ""
    message = f"waiting to delete: in use by {shown}{more}"
    _log_transition(body, Reason.DELETING, message)
    patch_ready(patch, body, ready="False", reason=Reason.DELETING, message=message)
    raise kopf.TemporaryError(message, delay=waiting_delay(retry, delays.soon)) from None
