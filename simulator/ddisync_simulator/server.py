"""HTTP routes: the WAPI under ``/wapi/v<version>/`` and the control API under ``/_sim/``.

WAPI request pipeline (in order): faults (concurrency limit, latency, reset, 503) -> version
check (400 plain text ``Version X not supported`` [V]) -> auth (lockout 403, 401 HTML) ->
body parse (``JSON Decoding`` errors) -> path percent-decoded exactly once [C] -> dispatch.
The dispatch itself is synchronous: no request can interleave with another's writes.

Control API (no authentication [U]; it is for tests and benchmarks, outside ``/wapi``):

=======================  =================================================================
GET  /_sim/faults        the current fault settings (JSON)
PUT  /_sim/faults        change some of them: ``{"fail_rate": 0.5}`` -> the new settings
GET  /_sim/counters      request counters: total, by "METHOD objtype", by status
POST /_sim/reset-counters  zero the counters
GET  /_sim/health        ``{"ok": true}``
=======================  =================================================================
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import socket
import struct
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from .auth import REALM, forbidden_page, unauthorized_page
from .errors import WapiError, fail
from .faults import SERVICE_UNAVAILABLE
from .handlers import handle
from .multirequest import run_request
from .refs import split_ref
from .render import dumps
from .schema import top_schema

if TYPE_CHECKING:
    from .app import Simulator

__all__ = ["build_app"]

_VERSION = re.compile(r"^/wapi/v([^/]*)(?:/(.*))?$", re.S)
_HTML = "text/html; charset=iso-8859-1"


def _html(status: int, text: str, **headers: str) -> web.Response:
    resp = web.Response(status=status, text=text, headers=headers)
    resp.headers["Content-Type"] = _HTML
    return resp


def _json(status: int, value: Any) -> web.Response:
    return web.Response(status=status, text=dumps(value), content_type="application/json")


def _error(exc: WapiError) -> web.Response:
    return web.Response(status=exc.status, text=exc.body(), content_type="application/json")


RESET_STATUS = 0  # how a reset connection shows in the counters (no HTTP status was sent)


def _reset(request: web.Request) -> web.Response:
    """Abort the connection with a TCP RST (SO_LINGER 0), like a dropped appliance socket.
    The response returned is never sent; aiohttp drops it on the closed transport."""
    transport = request.transport
    if transport is not None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    resp = web.Response(status=503)
    resp.headers["X-Sim-Reset"] = "1"
    return resp


def _committed_write(method: str, path: str, resp: web.Response) -> bool:
    return method in ("POST", "PUT", "DELETE") and path != "logout" and resp.status < 400


class WapiRoutes:
    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.inflight = 0

    def version_ok(self, version: str) -> bool:
        match = re.fullmatch(r"(\d+)\.(\d+)(?:\.\d+)?", version)
        return match is not None and f"{match.group(1)}.{match.group(2)}" in self.sim.versions

    async def wapi(self, request: web.Request) -> web.StreamResponse:
        match = _VERSION.match(request.raw_path.split("?", 1)[0])
        if match is None:
            raise web.HTTPNotFound()
        version, raw = match.group(1), match.group(2) or ""
        path = unquote(raw)  # exactly once: Go clients send %253A for a ref's %3A
        split = split_ref(path)
        objtype = split[0] if split else path
        method = request.method
        self.inflight += 1
        try:
            resp = await self._serve(request, version, path)
        finally:
            self.inflight -= 1
        status = RESET_STATUS if "X-Sim-Reset" in resp.headers else resp.status
        self.sim.counters.add(method, objtype, status)
        return resp

    async def _serve(self, request: web.Request, version: str, path: str) -> web.StreamResponse:
        sim, faults = self.sim, self.sim.faults
        if faults.max_concurrency is not None and self.inflight > faults.max_concurrency:
            return _html(403, forbidden_page())
        delay = faults.latency_ms + random.uniform(0, faults.latency_jitter_ms)
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if faults.reset_rate and random.random() < faults.reset_rate:
            return _reset(request)
        if faults.fail_rate and random.random() < faults.fail_rate:
            return _html(503, SERVICE_UNAVAILABLE)
        if not self.version_ok(version):
            return web.Response(
                status=400, text=f"Version {version} not supported", content_type="text/plain"
            )
        now = time.time()
        auth = sim.auth
        if auth.locked(now):
            return _html(403, forbidden_page())
        cookie = request.headers.get("Cookie")
        set_cookie = None
        if auth.check_cookie(cookie, now) is None:
            user = auth.check_basic(request.headers.get("Authorization"))
            if user is None:
                auth.note_failure(
                    now, faults.lockout_failures, faults.lockout_window, faults.lockout_seconds
                )
                return _html(
                    401, unauthorized_page(), **{"WWW-Authenticate": REALM, "Connection": "close"}
                )
            peer = request.remote or "127.0.0.1"
            set_cookie = auth.new_session(user, peer, now)
        resp = await self._dispatch(request, version, path)
        if faults.drop_after_commit and _committed_write(request.method, path, resp):
            faults.drop_after_commit -= 1
            return _reset(request)  # committed, but the answer is lost
        if path == "logout" and request.method == "POST":
            auth.logout(cookie)
            resp.headers["Set-Cookie"] = 'ibapauth=""; httponly; Path=/; Max-Age=0'
        elif set_cookie:
            resp.headers["Set-Cookie"] = set_cookie
        return resp

    def _count_operations(self, method: str, path: str, body: Any) -> None:
        counters = self.sim.counters
        if path != "request":
            split = split_ref(path)
            counters.add_operation(method, split[0] if split else path)
            return
        for op in body if isinstance(body, list) else [body]:
            if isinstance(op, dict) and isinstance(op.get("object"), str):
                split = split_ref(op["object"])
                objtype = split[0] if split else op["object"]
                counters.add_operation(str(op.get("method", "")).upper(), objtype)

    async def _dispatch(self, request: web.Request, version: str, path: str) -> web.Response:
        text = await request.text() if request.can_read_body else ""
        try:
            body = json.loads(text) if text.strip() else None
        except json.JSONDecodeError as exc:
            return _error(fail("bad_json", reason=str(exc)))
        args = list(request.query.items())
        grid = self.sim.grid
        self._count_operations(request.method, path, body)
        try:
            if path == "logout":
                return _json(200, "")
            if path == "request":
                if request.method != "POST" or args:
                    raise fail("bad_request_body", reason="request takes POST without arguments")
                reply = run_request(grid, body)
            elif path == "" and request.method == "GET" and "_schema" in request.query:
                reply_body = top_schema(version, list(self.sim.versions))
                return _json(200, reply_body)
            else:
                reply = handle(grid, request.method, path, args, body)
        except WapiError as exc:
            return _error(exc)
        return _json(reply.status, reply.body)


def _control(sim: Simulator) -> web.RouteTableDef:
    routes = web.RouteTableDef()

    @routes.get("/_sim/faults")
    async def get_faults(_request: web.Request) -> web.Response:
        return _json(200, sim.faults.as_dict())

    @routes.put("/_sim/faults")
    async def put_faults(request: web.Request) -> web.Response:
        try:
            changes = await request.json()
            if not isinstance(changes, dict):
                raise fail("bad_json", reason="the body must be a JSON object")
            sim.faults.update(changes)
        except json.JSONDecodeError as exc:
            return _error(fail("bad_json", reason=str(exc)))
        except WapiError as exc:
            return _error(exc)
        return _json(200, sim.faults.as_dict())

    @routes.get("/_sim/counters")
    async def get_counters(_request: web.Request) -> web.Response:
        return _json(200, sim.counters.snapshot())

    @routes.post("/_sim/reset-counters")
    async def reset_counters(_request: web.Request) -> web.Response:
        sim.counters.reset()
        return _json(200, sim.counters.snapshot())

    @routes.get("/_sim/health")
    async def health(_request: web.Request) -> web.Response:
        return _json(200, {"ok": True})

    return routes


def build_app(sim: Simulator) -> web.Application:
    app = web.Application(client_max_size=64 * 1024 * 1024)
    wapi = WapiRoutes(sim)
    app.add_routes(_control(sim))
    app.router.add_route("*", "/wapi/{tail:.*}", wapi.wapi)
    return app
