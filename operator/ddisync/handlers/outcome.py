"""One place that turns what went wrong into a condition and a kopf retry decision.

=============================  ======================  =========================================
error                          reason                  retry
=============================  ======================  =========================================
InvalidSpecError               InvalidSpec             never (the next spec change re-runs)
SyncRefused                    its own reason          never for ImmutableField/NotOwned; slow
                                                       for Conflict (the other owner may go away)
ParentNotFoundError            ParentNotFound          slow (someone creates the zone/container)
ConflictError                  Conflict                slow
NoFreeAddressError             NoFreeAddress           slow (addresses get freed)
AuthenticationError            AuthenticationFailed    slow: NIOS locks out every user after
                                                       repeated failures, never hammer
UnavailableError (+ circuit)   InfobloxUnavailable     soon
other WapiError                InfobloxError           slow
=============================  ======================  =========================================
"""

from __future__ import annotations

from dataclasses import dataclass

from ddisync.api.conditions import Reason
from ddisync.api.meta import InvalidSpecError
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.errors import (
    AuthenticationError,
    ConflictError,
    NoFreeAddressError,
    ParentNotFoundError,
    UnavailableError,
    WapiError,
    WapiResponseError,
)

SOON = 15.0
SLOW = 60.0
LOCKOUT_SAFE = 120.0


@dataclass(frozen=True)
class Failure:
    reason: Reason
    message: str
    retry_after: float | None  # None: permanent until the spec changes


def _grid_text(error: WapiError) -> str:
    return error.text if isinstance(error, WapiResponseError) else str(error)


def failure_from(error: Exception) -> Failure | None:
    """The condition for ``error``; ``None`` for errors that are bugs (kopf retries them)."""
    match error:
        case InvalidSpecError():
            return Failure(Reason.INVALID_SPEC, str(error), None)
        case SyncRefused(reason=Reason.CONFLICT):
            return Failure(error.reason, error.message, SLOW)
        case SyncRefused():
            return Failure(error.reason, error.message, None)
        case ParentNotFoundError():
            return Failure(Reason.PARENT_NOT_FOUND, f"Infoblox: {_grid_text(error)}", SLOW)
        case ConflictError():
            return Failure(Reason.CONFLICT, f"Infoblox: {_grid_text(error)}", SLOW)
        case NoFreeAddressError():
            return Failure(Reason.NO_FREE_ADDRESS, f"Infoblox: {_grid_text(error)}", SLOW)
        case AuthenticationError():
            return Failure(
                Reason.AUTHENTICATION_FAILED,
                f"Infoblox refused the credentials ({error}); check the WAPI user and password",
                LOCKOUT_SAFE,
            )
        case UnavailableError():
            return Failure(Reason.INFOBLOX_UNAVAILABLE, f"Infoblox is unavailable: {error}", SOON)
        case WapiError():
            return Failure(Reason.INFOBLOX_ERROR, f"Infoblox: {_grid_text(error)}", SLOW)
    return None
