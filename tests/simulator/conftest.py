"""Fixtures for the simulator suite: a running simulator and a tiny raw WAPI client.

The client here is deliberately dumb (aiohttp plus Basic auth, no retries, no parsing beyond
JSON) so that the tests see exactly what the simulator sends.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from ddisync_simulator import Simulator, SimulatorOptions, running_simulator

USER, PASSWORD = "admin", "infoblox"


@dataclass
class Answer:
    status: int
    text: str
    headers: dict[str, str]

    @property
    def json(self) -> Any:
        return json.loads(self.text)

    @property
    def error_text(self) -> str:
        return str(self.json["text"])


class Wapi:
    """Raw WAPI calls against ``sim`` (version 2.12 unless told otherwise)."""

    def __init__(self, sim: Simulator, session: aiohttp.ClientSession, version: str = "2.12"):
        self.sim = sim
        self.session = session
        self.base = f"{sim.url}/wapi/v{version}/"
        self.headers = {"Authorization": aiohttp.encode_basic_auth(USER, PASSWORD)}

    async def call(
        self,
        method: str,
        path: str,
        params: Any = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw_url: str | None = None,
    ) -> Answer:
        url = raw_url or self.base + path
        data = json.dumps(body) if body is not None else None
        async with self.session.request(
            method,
            url,
            params=params,
            data=data,
            headers=headers if headers is not None else self.headers,
        ) as resp:
            return Answer(resp.status, await resp.text(), dict(resp.headers))

    async def get(self, path: str, params: Any = None, **kw: Any) -> Answer:
        return await self.call("GET", path, params, **kw)

    async def post(self, path: str, body: Any = None, params: Any = None, **kw: Any) -> Answer:
        return await self.call("POST", path, params, body, **kw)

    async def put(self, path: str, body: Any = None, params: Any = None, **kw: Any) -> Answer:
        return await self.call("PUT", path, params, body, **kw)

    async def delete(self, path: str, params: Any = None, **kw: Any) -> Answer:
        return await self.call("DELETE", path, params, **kw)

    async def create(self, objtype: str, body: dict[str, Any]) -> str:
        answer = await self.post(objtype, body)
        assert answer.status == 201, answer.text
        return str(answer.json)


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    """A simulator with the demo seed on a free loopback port (plain HTTP)."""
    async with running_simulator(SimulatorOptions(username=USER, password=PASSWORD)) as sim:
        yield sim


@pytest.fixture
async def wapi(simulator: Simulator) -> AsyncIterator[Wapi]:
    jar = aiohttp.DummyCookieJar()  # each call stands alone unless a test sends a cookie
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        yield Wapi(simulator, session)
