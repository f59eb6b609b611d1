"""Fixtures for the WAPI client tests: a fake transport, a fake clock, a simulator.

The fake transport is the client's own seam (``WapiClient(transport=...)``): a plain handler
function answers each request, so unit tests need neither sockets nor aiohttp patching.
Backoff and rate-limit waits go through a fake ``sleep`` that advances a fake clock.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from ddisync.wapi import WapiClient, WapiSettings
from ddisync.wapi.transport import RawResponse
from tests.stack import no_leaked_tasks

PASSWORD = "s3cr3t-P@ss"


@dataclass
class Sent:
    """One request as the fake grid saw it (query decoded like a server would)."""

    method: str
    url: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]
    body: Any

    def arg(self, key: str) -> str | None:
        return next((v for k, v in self.query if k == key), None)


def answer(
    status: int = 200,
    body: Any = None,
    *,
    headers: Mapping[str, str] | None = None,
    cookies: tuple[str, ...] = (),
    raw: bytes | None = None,
) -> RawResponse:
    content = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return RawResponse(
        status=status, headers=dict(headers or {}), set_cookies=cookies, body=content
    )


def wapi_error(status: int, code: str, text: str, error: str | None = None) -> RawResponse:
    return answer(
        status, {"Error": error or f"AdmConProtoError: {text}", "code": code, "text": text}
    )


Handler = Callable[[Sent], RawResponse | Awaitable[RawResponse]]


class FakeTransport:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.sent: list[Sent] = []
        self.closed = False

    async def send(
        self, method: str, url: str, *, headers: Mapping[str, str], body: bytes | None
    ) -> RawResponse:
        parts = urlsplit(url)
        path = unquote(parts.path.split("/wapi/v2.12/", 1)[-1])
        query = parse_qsl(parts.query, keep_blank_values=True)
        sent = Sent(method, url, path, query, dict(headers), json.loads(body) if body else None)
        self.sent.append(sent)
        result = self.handler(sent)
        if not isinstance(result, RawResponse):
            result = await result
        return result

    async def aclose(self) -> None:
        self.closed = True


@dataclass
class FakeTime:
    """A clock that only moves when something sleeps (or a test says so)."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def make_settings(**overrides: Any) -> WapiSettings:
    values: dict[str, Any] = {
        "url": "http://127.0.0.1:9",
        "username": "admin",
        "password": PASSWORD,
        "rate_limit": 1000.0,
        "burst": 1000,
    }
    values.update(overrides)
    return WapiSettings(**values)


MakeClient = Callable[..., tuple[WapiClient, FakeTransport]]


@pytest.fixture
async def make_client(fake_time: FakeTime) -> AsyncIterator[MakeClient]:
    """``make_client(handler, observer=None, **settings)`` → (client, transport)."""
    clients: list[WapiClient] = []

    def make(
        handler: Handler, *, observer: Any = None, **overrides: Any
    ) -> tuple[WapiClient, FakeTransport]:
        transport = FakeTransport(handler)
        client = WapiClient(
            make_settings(**overrides),
            observer=observer,
            transport=transport,
            sleep=fake_time.sleep,
            clock=fake_time.clock,
            random=lambda: 0.5,
        )
        clients.append(client)
        return client, transport

    yield make
    for client in clients:
        await client.aclose()


@dataclass
class RecordingObserver:
    requests: list[tuple[str, str, int | str]] = field(default_factory=list)
    retries: list[str] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    circuit: list[bool] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)

    def on_request(self, *, method: str, objtype: str, status: int | str, seconds: float) -> None:
        self.requests.append((method, objtype, status))

    def on_retry(self, *, reason: str) -> None:
        self.retries.append(reason)

    def on_rate_limit_wait(self, seconds: float) -> None:
        self.waits.append(seconds)

    def on_circuit_change(self, open: bool) -> None:
        self.circuit.append(open)

    def on_batch(self, size: int) -> None:
        self.batches.append(size)


@pytest.fixture
def observer() -> RecordingObserver:
    return RecordingObserver()


_no_leaked_tasks = pytest.fixture(autouse=True)(no_leaked_tasks)
