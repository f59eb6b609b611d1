"""What a WAPI answer means: decoded JSON, a typed error, or "unavailable, maybe retry".

Pure functions of the HTTP answer; the client adds the circuit breaker and the retries.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any

from .errors import UnavailableError, WapiError, error_from_response
from .transport import RawResponse

_RETRIED_5XX = frozenset({502, 503, 504})


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def decode(body: bytes) -> Any:
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError as e:
        raise WapiError(f"the grid answered with invalid JSON ({len(body)} bytes)") from e


def interpret(response: RawResponse, method: str, objtype: str) -> Any:
    """The decoded body of a success; otherwise raise the matching error (how each answer
    is treated: the table in ``client.py``'s docstring)."""
    status = response.status
    if 200 <= status < 300:
        return decode(response.body)
    if status in _RETRIED_5XX or status in (429, 403):
        reason = "403-limit" if status == 403 else str(status)
        raise UnavailableError(
            f"{method} {objtype}: the grid answered {status}",
            reason=reason,
            retry_after=retry_after(response.headers),
            # 429 and the connection-limit 403 are refusals before any processing.
            may_have_reached=status >= 500,
        )
    if status >= 500:
        error = error_from_response(status, response.body, method=method, objtype=objtype)
        raise UnavailableError(
            f"{method} {objtype}: the grid answered {status}: {error.text}",
            reason=str(status),
            may_have_reached=True,
            retryable=False,
        )
    raise error_from_response(status, response.body, method=method, objtype=objtype)
