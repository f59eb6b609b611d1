"""Every use of a kmock internal, in one place (kmock is pinned in emulator/pyproject.toml).

The emulator is a subclass of kmock's ``KubernetesEmulator`` that takes over the request path
(``emulator``). kmock has no public call for what follows; each is wrapped here, and
``tests/demo/test_kmock_internals.py`` fails, naming the assumption, when a kmock upgrade
changes what is relied on:

===================================  ===========================================================
need                                 kmock internal, and why there is no public way
===================================  ===========================================================
run kmock's set-up in the subclass   ``KubernetesEmulator.__attrs_post_init__``: kmock's classes
(``set_up``: its fallback reactions  are attrs classes whose set-up runs there; a subclass that
that call the ``_serve_*`` hooks)    adds state must chain it (kmock has no other init hook)
keep kmock's request history to the  ``Root._requests``: kmock matches a request by finding it
requests in flight (``add_request``, in views over that history, so it must be there while
``remove_request``)                  served; kept there for good, each request would cost
                                     O(requests so far); kmock offers no way to drop any
cap what the DSL keeps for           ``Reaction._requests`` (what ``len(reaction)`` counts);
assertions (``trim_histories``)      kmock keeps every request a reaction served, forever
see whether a test added a reaction  ``Root._payloads``: the registered reactions; kmock has
(``reactions``)                      no public view of them (the emulator skips kmock's matching
                                     while only its built-in ones are there: ``responses``)
answer through the DSL reactions     ``RawHandler._handle``, kmock's matching of reactions, called
(``match_reactions``)                past ``KubernetesEmulator._handle``, which would store each
                                     write a second time, its own naive way (``writes`` did it)
tell a stream that failed after its  ``kmock._internal.rendering.StreamingError`` (``args[0]``
headers went out (``StreamingError``, the response, ``__cause__`` the error): kmock's own
``failed_stream``)                   ``__call__`` unwraps it, but the emulator replaces that
end such a stream with an ERROR      ``KubernetesScaffold._stream_error``: kmock's rendering of
event (``write_stream_error``)       it, used by the ``__call__`` the emulator replaces
the resources declared, without      ``KubernetesScaffold._get_resources``: the emulator's own
kmock scanning every stored object   ``_get_resources`` adds what its index holds, and skips
(``declared_resources``)             ``KubernetesEmulator``'s, which walks all objects
kmock's APIResourceList of a group   ``KubernetesScaffold._serve_version``, the hook the emulator
version (``resource_list``)          overrides to add what discovery lacks (``discovery``)
keep a failure for kmock's strict    public ``active`` and ``errors``, relied on beyond their
mode, and cap that list              docs: ``errors`` is the live list kmock re-raises from at
(``record_error``,                   exit (documented for assertions only)
``trim_histories``)
override kmock's hooks (``HOOKS``)   ``_serve_list`` ... ``_render_error``: kmock's protected
                                     methods, its way to extend it ("inherit and implement"),
                                     called by these names; the emulator's methods must keep
                                     them, and none of its other names may shadow kmock's
===================================  ===========================================================

Where kmock has a public way (``emu.objects``, ``emu.resources``, ``kmock.Response``,
``kmock.Object``, the DSL), the emulator uses it; nothing else in the package uses
``kmock._internal`` or a private attribute of a kmock object (the contract test scans for both).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp.web
import kmock
from kmock._internal import rendering

__all__ = [
    "HOOKS",
    "StreamingError",
    "add_request",
    "declared_resources",
    "failed_stream",
    "match_reactions",
    "reactions",
    "record_error",
    "remove_request",
    "resource_list",
    "set_up",
    "trim_histories",
    "write_stream_error",
]

#: kmock's protected methods the emulator overrides: kmock's set-up registers the ``_serve_*``
#: ones as fallback reactions, its discovery calls ``_get_resources``, its ``__call__`` called
#: ``_render_error`` (the emulator's ``__call__`` now does).
HOOKS = frozenset({
    "_serve_list", "_serve_watch", "_serve_fetch", "_serve_create", "_serve_update",
    "_serve_delete", "_serve_version", "_serve_server_version", "_get_resources", "_render_error",
})  # fmt: skip

StreamingError = rendering.StreamingError
"""What kmock's matching raises when a stream fails after its headers went out."""


def set_up(emulator: kmock.KubernetesEmulator) -> None:
    """kmock's own set-up of a ``KubernetesEmulator``: its built-in (fallback) reactions."""
    kmock.KubernetesEmulator.__attrs_post_init__(emulator)


def add_request(emulator: kmock.KubernetesEmulator, request: kmock.Request) -> None:
    """Put ``request`` in kmock's request history: reactions match only what their views see."""
    emulator._requests.append(request)


def remove_request(emulator: kmock.KubernetesEmulator, request: kmock.Request) -> None:
    """Take an answered ``request`` out of kmock's request history."""
    emulator._requests.remove(request)


def trim_histories(emulator: kmock.KubernetesEmulator, keep: int) -> None:
    """Keep the last ``keep`` requests each reaction served, and failures kept for strict mode."""
    for reaction in emulator._payloads:
        del reaction._requests[:-keep]
    if emulator.active:
        del emulator.errors[:-keep]


def record_error(emulator: kmock.KubernetesEmulator, exc: Exception) -> None:
    """Keep a failure as kmock's ``__call__`` does: while entered, for strict mode to re-raise."""
    if emulator.active:
        emulator.errors.append(exc)


def reactions(emulator: kmock.KubernetesEmulator) -> Sequence[kmock.Reaction]:
    """The registered reactions, built-in ones first, as kmock holds them now (the live list)."""
    return emulator._payloads


async def match_reactions(
    emulator: kmock.KubernetesEmulator, request: kmock.Request
) -> aiohttp.web.StreamResponse:
    """The answer of the first matching reaction (a test's, then the built-in fallbacks)."""
    return await kmock.RawHandler._handle(emulator, request)


def failed_stream(exc: StreamingError) -> tuple[aiohttp.web.StreamResponse, BaseException]:
    """The started response of a failed stream, and what failed it."""
    response: aiohttp.web.StreamResponse = exc.args[0]
    return response, exc.__cause__ or exc


async def write_stream_error(
    emulator: kmock.KubernetesEmulator, exc: Exception, response: aiohttp.web.StreamResponse
) -> None:
    """End a started stream with kmock's ERROR event for ``exc`` (the caller writes EOF)."""
    await emulator._stream_error(exc, response)


def declared_resources(emulator: kmock.KubernetesEmulator) -> list[kmock.resource]:
    """The resources declared (``emu.resources``) or named by a reaction's filter."""
    return kmock.KubernetesScaffold._get_resources(emulator)


async def resource_list(emulator: kmock.KubernetesEmulator, request: kmock.Request) -> Any:
    """kmock's APIResourceList for the group version a discovery request names."""
    return await kmock.KubernetesScaffold._serve_version(emulator, request)
