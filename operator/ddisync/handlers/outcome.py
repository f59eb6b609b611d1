"""One place that turns what went wrong into a condition and a kopf retry decision.

The README's "What each error means" shows the same table for users. "spec" means a spec edit
retries at once (kopf runs the handler on every spec change), whatever the delay below.

=======================================  ======================  ==============================
what went wrong                          reason                  retried
=======================================  ======================  ==============================
the spec breaks the model's rules        InvalidSpec             only when the spec changes
(InvalidSpecError)
WAPI: a CNAME at a zone apex             InvalidSpec             only when the spec changes
("cannot have an empty CNAME")
WAPI: invalid value, unknown field       InvalidSpec             only when the spec changes
(InvalidFieldError, other 400s)
WAPI: unknown extensible attribute,      InvalidSpec             only when the spec changes
unknown (network) view
WAPI: no parent zone / container         ParentNotFound          spec; and the drift sweep
(ParentNotFoundError)                                            re-judges (a zone or container
                                                                 may be created later)
WAPI: already exists (ConflictError)     Conflict                slow: the other may go away
WAPI: no free address / network          NoFreeAddress           slow: addresses get freed
WAPI: credentials refused                AuthenticationFailed    lockout-safe: never hammer
                                                                 a NIOS login
WAPI: unreachable, 5xx, circuit open     InfobloxUnavailable     soon
any other WAPI error                     InfobloxError           slow
refused by the plan (SyncRefused):
  NotOwned, ImmutableField, Forbidden    its own                 spec (and the drift sweep
                                                                 re-judges: the other object
                                                                 may go, a grant may widen)
  Conflict, InfobloxError                its own                 slow
  ParentNotFound                         its own                 spec, and the drift sweep
  NetworkNotReady, GridNotReady          its own                 soon (1, 2, 4 ... s at first)
=======================================  ======================  ==============================

"soon", "slow" and "lockout safe" are :class:`RetryDelays`, from the settings
(``retry_delay_unavailable``, ``retry_delay_slow``, ``retry_delay_auth``).

Why a spec error is final (``kopf.PermanentError``) rather than retried after a long delay: kopf
does not run a create handler again on a spec edit while it waits out a retry delay, so a long
delay would hold the user's fix back; a final error lets the edit run at once. What the grid
alone can resolve (a zone or container created later) is re-judged by the drift sweep, every
``DDISYNC_RESYNC_INTERVAL``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ddisync.api.conditions import Reason
from ddisync.api.meta import InvalidSpecError
from ddisync.config import Settings
from ddisync.sync.errors import SyncRefused
from ddisync.wapi.errors import (
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
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


def _unavailable(error: WapiError) -> str:
    # The client's own messages may start with the same words ("Infoblox unavailable: circuit
    # open"): say it once.
    detail = str(error).removeprefix("Infoblox unavailable: ").removeprefix("Infoblox ")
    return f"Infoblox is unavailable: {detail}"


def _grid_lacks(error: WapiResponseError) -> str | None:
    """What the grid lacks that the spec names, when that is what ``error`` says."""
    text = error.text
    if match := re.search(r"Unknown extensible attribute: (.+)", text):
        return (
            f"extensible attribute {match[1].strip()!r} is not defined in Infoblox: define it "
            "there, or remove it from spec.extensibleAttributes"
        )
    if match := re.search(r"(Network view|View) (\S+) not found", text):
        what = "network view" if match[1] == "Network view" else "DNS view"
        field = "spec.networkView" if what == "network view" else "spec.view"
        return (
            f"{what} {match[2]!r} does not exist in Infoblox: create it there, or correct {field}"
        )
    return None


def failure_from(error: Exception, delays: RetryDelays = DEFAULT_DELAYS) -> Failure | None:
    """The condition for ``error``; ``None`` for errors that are bugs (kopf retries them)."""
    soon, slow, lockout_safe = delays.soon, delays.slow, delays.lockout_safe
    match error:
        case InvalidSpecError():
            return Failure(Reason.INVALID_SPEC, str(error), None)
        case SyncRefused(reason=Reason.CONFLICT | Reason.INFOBLOX_ERROR):
            return Failure(error.reason, error.message, slow)
        case SyncRefused(reason=Reason.NETWORK_NOT_READY | Reason.GRID_NOT_READY):
            return Failure(error.reason, error.message, soon)
        case SyncRefused():
            return Failure(error.reason, error.message, None)
        case ParentNotFoundError():
            return Failure(Reason.PARENT_NOT_FOUND, f"Infoblox: {_grid_text(error)}", None)
        case ConflictError() if "cannot have an empty cname" in error.text.lower():
            message = (
                "a CNAME cannot be at the apex of its zone (the zone's own name): give it "
                f"another name, or use A/AAAA records there (Infoblox: {error.text})"
            )
            return Failure(Reason.INVALID_SPEC, message, None)
        case ConflictError():
            return Failure(Reason.CONFLICT, f"Infoblox: {_grid_text(error)}", slow)
        case NoFreeAddressError():
            return Failure(Reason.NO_FREE_ADDRESS, f"Infoblox: {_grid_text(error)}", slow)
        case WapiResponseError() if (lacks := _grid_lacks(error)) is not None:
            return Failure(Reason.INVALID_SPEC, f"{lacks} (Infoblox: {error.text})", None)
        case InvalidRequestError():
            message = f"Infoblox refused the spec: {error.text}"
            return Failure(Reason.INVALID_SPEC, message, None)
        case AuthenticationError():
            return Failure(
                Reason.AUTHENTICATION_FAILED,
                f"Infoblox refused the credentials ({error}); check the WAPI user and password",
                lockout_safe,
            )
        case UnavailableError():
            return Failure(Reason.INFOBLOX_UNAVAILABLE, _unavailable(error), soon)
        case WapiError():
            return Failure(Reason.INFOBLOX_ERROR, f"Infoblox: {_grid_text(error)}", slow)
    return None
