"""HTTP answers the emulator renders itself: write outcomes, errors, and when kmock can be skipped.

A write is applied before any reaction runs (state changes are synchronous, so atomic on the
event loop); its ``Outcome`` then waits for the answer. kmock renders it through the built-in
reaction, unless no test has added a reaction of its own: the emulator then answers at once
(``only_builtin_reactions``), which saves kmock's matching of every request against every
reaction, two thirds of the server's time at 10,000 objects.
"""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp.web
import kmock

from ddisync_emulator.objects import status_body
from ddisync_emulator.writes import Outcome


def warning_header(warnings: list[str]) -> str:
    """A real server sends each warning as `299 - "text"`; kubectl prints "Warning: text"."""
    return ", ".join('299 - "{}"'.format(w.replace('"', '\\"')) for w in warnings)


def outcome_response(outcome: Outcome) -> aiohttp.web.Response:
    """The outcome as the HTTP answer itself (the fast path, without kmock)."""
    text = warning_header(outcome.warnings)
    headers = {"Warning": text} if text else None
    return aiohttp.web.json_response(outcome.body, status=outcome.status, headers=headers)


def outcome_reaction(outcome: Outcome) -> kmock.Response:
    """The outcome as what kmock's built-in reaction answers."""
    # kmock merges headers into its shared reaction: None clears the previous answer's.
    text = warning_header(outcome.warnings)
    return kmock.Response(
        status=outcome.status, payload=outcome.body, headers={"Warning": text or None}
    )


def error_response(exc: Exception) -> aiohttp.web.Response:
    """The ``Status`` answer of a refused or failed request (see ``objects.status_body``)."""
    body = status_body(exc)
    return aiohttp.web.json_response(body, status=body["code"])


def only_builtin_reactions(reactions: Sequence[object], builtin: Sequence[object]) -> bool:
    """Whether the reactions are still the built-in ones (no test's reaction may match)."""
    return len(reactions) == len(builtin) and all(
        a is b for a, b in zip(reactions, builtin, strict=True)
    )
