"""A hostile grid: every odd answer becomes a typed ``WapiError``, never a leak of what is below.

A real aiohttp server on 127.0.0.1 answers the real client (real sockets, the real transport)
with HTML error pages, truncated or garbage JSON, JSON of the wrong shape, huge bodies, empty
answers, a redirect loop, a connection closed mid-body and a body trickled past the timeout.
Each verb of the client (get, get_ref, create, update, delete) must raise a ``WapiError``
subclass whose message stays short: it ends up in a condition, an Event and a log line.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web

from ddisync.wapi import WapiClient, WapiSettings
from ddisync.wapi.errors import (
    AuthenticationError,
    UnavailableError,
    WapiError,
    WapiResponseError,
)

PASSWORD = "hostile-grid-pass-1234"
REF = "network/ZG5zLm5ldHdvcmskMTAuMC4wLjAvMjQvMA:10.0.0.0/24/default"
TEN_MB = 10 * 1024 * 1024
MESSAGE_LIMIT = 2000  # a condition message, an Event, a log line: never a whole body

HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Oops</title></head><body>"
    "<h1>Internal error</h1><script>alert(1)</script></body></html>"
)

Answer = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _plain(status: int, body: bytes | str, content_type: str = "text/html") -> Answer:
    async def answer(request: web.Request) -> web.StreamResponse:
        await request.read()
        data = body.encode() if isinstance(body, str) else body
        return web.Response(status=status, body=data, content_type=content_type)

    return answer


def _json(status: int, value: object) -> Answer:
    return _plain(status, json.dumps(value), "application/json")


async def _redirect_loop(request: web.Request) -> web.StreamResponse:
    await request.read()
    return web.Response(status=302, headers={"Location": str(request.rel_url)})


async def _trickle(request: web.Request) -> web.StreamResponse:
    await request.read()
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    response.content_length = 100_000
    await response.prepare(request)
    for _ in range(100):  # ten seconds at most, far past the client's timeout
        await response.write(b" ")
        await asyncio.sleep(0.1)
    return response


async def _closed_mid_body(request: web.Request) -> web.StreamResponse:
    await request.read()
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    response.content_length = 10_000
    await response.prepare(request)
    await response.write(b'{"result": [{"_ref": "net')
    assert request.transport is not None
    request.transport.close()
    return response


# name -> (answer, the narrowest class every verb must raise)
ANSWERS: dict[str, tuple[Answer, type[WapiError]]] = {
    "html-200": (_plain(200, HTML_PAGE), WapiError),
    "html-500": (_plain(500, HTML_PAGE), UnavailableError),
    "html-503": (_plain(503, HTML_PAGE), UnavailableError),
    "html-401": (_plain(401, HTML_PAGE), AuthenticationError),
    "html-400-latin1": (_plain(400, b"<h1>Fehler \xe4\xf6\xfc</h1>"), WapiResponseError),
    "truncated-json": (
        _plain(200, '{"result": [{"_ref": "network/ZG5z', "application/json"),
        WapiError,
    ),
    "garbage-bytes": (
        _plain(200, b"\x89PNG\r\n\x1a\n\x00\xff\xfe garbage", "application/json"),
        WapiError,
    ),
    "json-null": (_json(200, None), WapiError),
    "list-instead-of-object": (_json(200, [{"_ref": REF}, {"_ref": REF}]), WapiError),
    "number-instead-of-ref": (_json(201, 42), WapiError),
    "wrong-field-types": (
        _json(200, {"result": [42, "x", None], "_ref": 7, "next_page_id": {"a": 1}}),
        WapiError,
    ),
    "object-without-ref": (_json(200, {"result": [{"network": "10.0.0.0/24"}]}), WapiError),
    "error-body-of-wrong-types": (
        _json(400, {"Error": ["x"] * 1000, "code": {"a": "b" * 5000}, "text": None}),
        WapiResponseError,
    ),
    "huge-error-text": (
        _json(
            400,
            {
                "Error": "E" * TEN_MB,
                "code": "Client.Ibap.Proto" + "x" * TEN_MB,
                "text": "t" * TEN_MB,
            },
        ),
        WapiResponseError,
    ),
    "huge-body-10mb": (
        _plain(200, b'{"result": [' + b"1," * (TEN_MB // 2), "application/json"),
        WapiError,
    ),
    "huge-html-500": (_plain(500, "<p>" + "x" * TEN_MB), UnavailableError),
    "empty-201": (_plain(201, b"", "application/json"), WapiError),
    "empty-200": (_plain(200, b""), WapiError),
    "redirect-loop": (_redirect_loop, WapiResponseError),
    "closed-mid-body": (_closed_mid_body, UnavailableError),
    "trickle-past-timeout": (_trickle, UnavailableError),
}

Call = Callable[[WapiClient], Awaitable[object]]
VERBS: dict[str, Call] = {
    "get": lambda c: c.get("network", {"network": "10.0.0.0/24"}, return_fields=["comment"]),
    "get_ref": lambda c: c.get_ref(REF, return_fields=["comment"]),
    "create": lambda c: c.create("network", {"network": "10.0.0.0/24"}),
    "update": lambda c: c.update(REF, {"comment": "x"}),
    "delete": lambda c: c.delete(REF),
}

LEAKS = (
    json.JSONDecodeError,
    UnicodeDecodeError,
    KeyError,
    TypeError,
    IndexError,
    aiohttp.ClientError,
)


@dataclass
class HostileGrid:
    url: str
    answer: Answer | None = None
    requests: int = 0


@pytest.fixture()
async def grid() -> AsyncIterator[HostileGrid]:
    state = HostileGrid(url="")

    async def handle(request: web.Request) -> web.StreamResponse:
        state.requests += 1
        assert state.answer is not None
        return await state.answer(request)

    app = web.Application(client_max_size=1024**2)
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    state.url = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


def client_for(grid: HostileGrid, timeout: float = 10.0) -> WapiClient:
    return WapiClient(
        WapiSettings(
            url=grid.url,
            username="admin",
            password=PASSWORD,
            connect_timeout=timeout,
            total_timeout=timeout,
            max_attempts=2,
            backoff_base=0.01,
            backoff_max=0.01,
            retry_deadline=5.0,
            rate_limit=1000,
            burst=1000,
        )
    )


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("answer", ANSWERS)
async def test_a_hostile_answer_becomes_a_short_typed_error(
    grid: HostileGrid, answer: str, verb: str
) -> None:
    respond, expected = ANSWERS[answer]
    grid.answer = respond
    # The trickle outlasts any timeout (ten seconds): a short one proves the same, sooner. The
    # others must not meet a timeout at all, even with a 10 MB body on a busy machine.
    async with client_for(
        grid, timeout=0.3 if answer == "trickle-past-timeout" else 10.0
    ) as client:
        with pytest.raises(WapiError) as caught:
            await VERBS[verb](client)
    error = caught.value
    assert isinstance(error, expected), repr(error)
    assert not isinstance(error, LEAKS), repr(error)
    message = str(error)
    assert len(message) <= MESSAGE_LIMIT, f"{len(message)} characters: {message[:200]}..."
    assert PASSWORD not in message and "Authorization" not in message
    assert grid.requests >= 1


async def test_the_redirect_is_not_followed(grid: HostileGrid) -> None:
    grid.answer = _redirect_loop
    async with client_for(grid) as client:
        with pytest.raises(WapiResponseError) as caught:
            await client.get_ref(REF)
    assert caught.value.status == 302
    assert grid.requests == 1  # a 302 is an answer, not a reason to go elsewhere (credentials!)
