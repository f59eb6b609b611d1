"""The errors of the WAPI client.

ddisync keeps its own error tree instead of leaking aiohttp's: callers (the reconcile) decide on
*what happened at the grid* — a conflict, a missing parent, no free address, the grid being
unavailable — not on which socket call failed.  aiohttp errors are chained as ``__cause__``.

Grid texts are kept (truncated) because they are what an operator needs to read; credentials,
the ``Authorization`` header and the session cookie are never part of an error::

    WapiError
     ├── WapiResponseError            the grid answered with an error: .status, .code, .text
     │    ├── ConflictError           Client.Ibap.Data.Conflict ("already exists", ...)
     │    │    └── ParentNotFoundError   "A parent was not found", or no network/range matches
     │    ├── NotFoundError           404 / Client.Ibap.Data.NotFound
     │    ├── NoFreeAddressError      "Cannot find N available IP address(es)",
     │    │                           "Can not find requested number of networks"
     │    └── InvalidRequestError     Client.Ibap.Proto*, unsupported version, other 4xx
     │         └── InvalidFieldError  unknown/unwritable/unsearchable field, invalid value,
     │                                unknown extensible attribute, missing field
     ├── AuthenticationError          401, or 403 on a login: wrong credentials or lockout
     └── UnavailableError             5xx, 429, 403 connection limit, timeouts, connection errors
          │                           (after the retries are spent)
          ├── CircuitOpenError        failed fast: the circuit breaker is open
          └── OutcomeUnknownError     a write may have reached the grid and could not be
                                      verified, so it was not blindly repeated
"""

from __future__ import annotations

import json
from typing import Any, Final

__all__ = [
    "AuthenticationError",
    "CircuitOpenError",
    "ConflictError",
    "InvalidFieldError",
    "InvalidRequestError",
    "NoFreeAddressError",
    "NotFoundError",
    "OutcomeUnknownError",
    "ParentNotFoundError",
    "UnavailableError",
    "WapiError",
    "WapiResponseError",
    "error_from_response",
]

MAX_TEXT: Final = 500  # grid bodies are truncated: an HTML error page is not a log line
MAX_CODE: Final = 100  # "Client.Ibap.Data.Conflict" and its kind are well below


class WapiError(Exception):
    """Base of every error the WAPI client raises."""


class WapiResponseError(WapiError):
    """The grid answered with an error body."""

    def __init__(
        self,
        text: str,
        *,
        status: int,
        code: str | None = None,
        error: str | None = None,
        method: str = "",
        objtype: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.text = text
        self.error = error
        self.method = method
        self.objtype = objtype
        where = f"{method} {objtype}: " if method else ""
        super().__init__(f"{where}{status} {code or ''}: {text}".replace("  ", " "))


class ConflictError(WapiResponseError):
    """The write conflicts with grid state (duplicate, invalid combination)."""


class ParentNotFoundError(ConflictError):
    """No parent zone, network, container or range for the object."""


class NotFoundError(WapiResponseError):
    """The reference (or a named object it points to) does not exist."""


class NoFreeAddressError(WapiResponseError):
    """A next-available-IP or -network allocation found nothing free."""


class InvalidRequestError(WapiResponseError):
    """The grid rejected the request as malformed (a bug or a version mismatch)."""


class InvalidFieldError(InvalidRequestError):
    """A field is unknown, not writable/readable/searchable, or has an invalid value."""


class AuthenticationError(WapiError):
    """The grid refused the credentials (or has locked the user out)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class UnavailableError(WapiError):
    """The grid could not be reached or was too busy, and the retries are spent.

    ``reason`` is one of the observer's retry reasons (``"503"``, ``"timeout"``, ...);
    ``retry_after`` is the grid's Retry-After in seconds, if it sent one;
    ``may_have_reached`` tells whether the request may have been processed by the grid;
    ``retryable`` whether the retry loop may try again (some subclasses never).
    """

    retryable: bool = True

    def __init__(
        self,
        message: str,
        *,
        reason: str = "connection",
        retry_after: float | None = None,
        may_have_reached: bool = False,
        attempts: int = 0,
        retryable: bool | None = None,
    ) -> None:
        if retryable is not None:
            self.retryable = retryable
        self.reason = reason
        self.retry_after = retry_after
        self.may_have_reached = may_have_reached
        self.attempts = attempts
        super().__init__(message)


class CircuitOpenError(UnavailableError):
    """Failed fast: too many consecutive failures, the grid is given time to recover."""

    retryable = False


class OutcomeUnknownError(UnavailableError):
    """A non-idempotent write may have reached the grid; it was not repeated blindly."""

    retryable = False


# Decision table for 4xx bodies, first match wins.  (code prefix, text fragment, class)
_TEXT_RULES: Final[tuple[tuple[str, str, type[WapiResponseError]], ...]] = (
    ("Client.Ibap.Data.Conflict", "a parent was not found", ParentNotFoundError),
    ("Client.Ibap.Data.Conflict", "", ConflictError),
    ("Client.Ibap.Data.NotFound", "", NotFoundError),
    ("Client.Ibap.Data", "available ip address", NoFreeAddressError),
    ("Client.Ibap.Data", "can not find requested number of networks", NoFreeAddressError),
    ("Client.Ibap.Data", "cannot find requested number of networks", NoFreeAddressError),
    # func:nextavailableip / _object_parameters naming a network that does not exist.
    ("Client.Ibap.Proto", "does not match any unique networks", ParentNotFoundError),
    ("Client.Ibap.Proto", "did not return any result", ParentNotFoundError),
    ("Client.Ibap.Proto", "a parent was not found", ParentNotFoundError),
    ("Client.Ibap.Proto", "unknown argument/field", InvalidFieldError),
    ("Client.Ibap.Proto", "field is not", InvalidFieldError),
    ("Client.Ibap.Proto", "invalid value for", InvalidFieldError),
    ("Client.Ibap.Proto", "unknown extensible attribute", InvalidFieldError),
    ("Client.Ibap.Proto", "field for create missing", InvalidFieldError),
    ("Client.Ibap.Proto", "", InvalidRequestError),
)


def _truncate(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _parse_body(body: bytes) -> tuple[str | None, str | None, str]:
    """(Error, code, text) of a WAPI error body; non-JSON bodies give (None, None, raw text)."""
    raw = body.decode("utf-8", errors="replace")
    try:
        data: Any = json.loads(raw)
    except ValueError:
        return None, None, raw
    if isinstance(data, dict):
        error = data.get("Error")
        code = data.get("code")
        text = data.get("text") or error or raw
        return (
            str(error) if error is not None else None,
            str(code) if code is not None else None,
            str(text),
        )
    return None, None, raw


def error_from_response(
    status: int, body: bytes, *, method: str = "", objtype: str = ""
) -> WapiResponseError:
    """Turn a 4xx answer of the grid into the narrowest :class:`WapiResponseError`.

    401, 403, 429 and 5xx are not decided here: the request path treats them (authentication,
    connection limit, retries) before it ever calls this function.
    """
    error, code, text = _parse_body(body)
    text = _truncate(text)
    if code is not None:
        code = code.strip()[:MAX_CODE]  # WAPI codes are short; a hostile one is not a message
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code,
        "error": _truncate(error) if error else None,
        "method": method,
        "objtype": objtype,
    }
    if status == 404:
        return NotFoundError(text, **kwargs)
    if code is not None:
        haystack = f"{error or ''} {text}".lower()
        for prefix, fragment, cls in _TEXT_RULES:
            if code.startswith(prefix) and fragment in haystack:
                return cls(text, **kwargs)
        return WapiResponseError(text, **kwargs)
    if status == 400:
        # Plain-text 400s: "Version 2.99 not supported" and other protocol-level refusals.
        return InvalidRequestError(text, **kwargs)
    return WapiResponseError(text, **kwargs)
