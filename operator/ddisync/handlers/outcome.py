"""One place that turns what went wrong into a condition and a kopf retry decision.

=============================  ======================  =========================================
error                          reason                  retry
=============================  ======================  =========================================
InvalidSpecError               InvalidSpec             never (the next spec change re-runs)
SyncRefused                    its own reason          never for ImmutableField/NotOwned; slow
                                                       for Conflict (the other owner may go away),
                                                       ParentNotFound (a reverse zone for a PTR)
                                                       and InfobloxError (missing marker
                                                       definitions an administrator adds); soon
                                                       for NetworkNotReady (the handler shortens
                                                       it further with its own backoff) and
                                                       GridNotReady (its InfobloxGrid connects)
ParentNotFoundError            ParentNotFound          slow (someone creates the zone/container)
ConflictError                  Conflict                slow
NoFreeAddressError             NoFreeAddress           slow (addresses get freed)
AuthenticationError            AuthenticationFailed    slow: NIOS locks out every user after
                                                       repeated failures, never hammer
UnavailableError (+ circuit)   InfobloxUnavailable     soon
other WapiError                InfobloxError           slow
=============================  ======================  =========================================

"soon", "slow" and "lockout safe" are :class:`RetryDelays`, from the settings
(``retry_delay_unavailable``, ``retry_delay_slow``, ``retry_delay_auth``; their defaults are
``ddisync.config``'s).
"""

from __future__ import annotations

from dataclasses import dataclass

from ddisync.api.conditions import Reason
from ddisync.api.meta import InvalidSpecError
from ddisync.config import Settings
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


def _default(setting: str) -> float:
    """The default of one of the retry-delay settings (without reading the environment)."""
    value: float = Settings.model_fields[setting].default
    return value


@dataclass(frozen=True)
class RetryDelays:
    """Seconds before kopf runs a failed handler again, by how soon it can succeed."""

    # Infoblox unavailable: a 503 burst or a failover passes
    soon: float = _default("retry_delay_unavailable")
    # someone else must act first (conflict, parent, free address)
    slow: float = _default("retry_delay_slow")
    # refused credentials: never hammer a NIOS login
    lockout_safe: float = _default("retry_delay_auth")

    @classmethod
    def of(cls, settings: Settings) -> RetryDelays:
        return cls(
            soon=settings.retry_delay_unavailable,
            slow=settings.retry_delay_slow,
            lockout_safe=settings.retry_delay_auth,
        )


DEFAULT_DELAYS = RetryDelays()


# A condition message, an Event and a log line are read by people: a spec with a 100 kB field
# name, or a grid error page, must not make them 100 kB long.
MAX_MESSAGE = 1000


@dataclass(frozen=True)
class Failure:
    reason: Reason
    message: str
    retry_after: float | None  # None: permanent until the spec changes

    def __post_init__(self) -> None:
        if len(self.message) > MAX_MESSAGE:
            object.__setattr__(self, "message", self.message[: MAX_MESSAGE - 1] + "…")


def _grid_text(error: WapiError) -> str:
    return error.text if isinstance(error, WapiResponseError) else str(error)


def failure_from(error: Exception, delays: RetryDelays = DEFAULT_DELAYS) -> Failure | None:
    """The condition for ``error``; ``None`` for errors that are bugs (kopf retries them)."""
    soon, slow, lockout_safe = delays.soon, delays.slow, delays.lockout_safe
    match error:
        case InvalidSpecError():
            return Failure(Reason.INVALID_SPEC, str(error), None)
        case SyncRefused(reason=Reason.CONFLICT | Reason.PARENT_NOT_FOUND | Reason.INFOBLOX_ERROR):
            return Failure(error.reason, error.message, slow)
        case SyncRefused(reason=Reason.NETWORK_NOT_READY | Reason.GRID_NOT_READY):
            return Failure(error.reason, error.message, soon)
        case SyncRefused():
            return Failure(error.reason, error.message, None)
        case ParentNotFoundError():
            return Failure(Reason.PARENT_NOT_FOUND, f"Infoblox: {_grid_text(error)}", slow)
        case ConflictError():
            return Failure(Reason.CONFLICT, f"Infoblox: {_grid_text(error)}", slow)
        case NoFreeAddressError():
            return Failure(Reason.NO_FREE_ADDRESS, f"Infoblox: {_grid_text(error)}", slow)
        case AuthenticationError():
            return Failure(
                Reason.AUTHENTICATION_FAILED,
                f"Infoblox refused the credentials ({error}); check the WAPI user and password",
                lockout_safe,
            )
        case UnavailableError():
            return Failure(Reason.INFOBLOX_UNAVAILABLE, f"Infoblox is unavailable: {error}", soon)
        case WapiError():
            return Failure(Reason.INFOBLOX_ERROR, f"Infoblox: {_grid_text(error)}", slow)
    return None
