"""Wire cases the simulator cannot produce, through the real aiohttp transport (aioresponses)."""

from __future__ import annotations

import logging
import re
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import certifi
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from aioresponses import aioresponses

from ddisync.wapi import OutcomeUnknownError, UnavailableError, WapiClient
from ddisync.wapi.transport import AiohttpTransport, TLSError, ssl_setting

from .conftest import FakeTime, make_settings

ANY = re.compile(r"^http://127\.0\.0\.1:9/wapi/v2\.12/.*$")
COOKIE = 'ibapauth="ip=127.0.0.1,ctime=1,timeout=600,mtime=1,user=admin,SIG"'


class _Written:
    output_size = 0


class _CompatResponse(aiohttp.ClientResponse):
    """aioresponses 0.7.9 predates aiohttp 3.14's required ``stream_writer`` argument
    (pnuckowski/aioresponses#289, open); supply a finished writer until it is released."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _Written())
        super().__init__(*args, **kwargs)


@pytest.fixture(autouse=True)
def _aioresponses_compat(monkeypatch: pytest.MonkeyPatch) -> None:
    import aioresponses.core

    monkeypatch.setattr(aioresponses.core, "ClientResponse", _CompatResponse)


@pytest.fixture
async def client(fake_time: FakeTime) -> AsyncIterator[WapiClient]:
    async with WapiClient(
        make_settings(), sleep=fake_time.sleep, clock=fake_time.clock, random=lambda: 0.5
    ) as client:
        yield client


async def test_the_cookie_from_set_cookie_is_sent_back(client: WapiClient) -> None:
    with aioresponses() as mocked:
        headers = {"Set-Cookie": f"{COOKIE}; httponly; Path=/"}
        mocked.get(ANY, payload={"result": []}, headers=headers)
        mocked.get(ANY, payload={"result": []})
        await client.get("network")
        await client.get("network")
        calls = [c for calls in mocked.requests.values() for c in calls]
        assert "Authorization" in calls[0].kwargs["headers"]
        assert calls[1].kwargs["headers"]["Cookie"] == COOKIE
        assert "Authorization" not in calls[1].kwargs["headers"]


async def test_hostile_names_arrive_encoded_on_a_real_socket(fake_time: FakeTime) -> None:
    raw_paths: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        raw_paths.append(request.raw_path)
        if "_paging" in request.query:
            return web.json_response({"result": []})
        return web.json_response({"_ref": "record:aaaa/ZG5z:h%3A1.example.com/default"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    async with TestServer(app, host="127.0.0.1") as server:
        settings = make_settings(url=f"http://127.0.0.1:{server.port}")
        async with WapiClient(settings) as client:
            await client.get("record:a", {"name": "a&b=c *~+", "*Site": "x"})
            await client.get_ref("record:aaaa/ZG5z:h%3A1.example.com/default")
    assert raw_paths[0] == (
        "/wapi/v2.12/record%3Aa?name=a%26b%3Dc%20%2A~%2B&%2ASite=x"
        "&_paging=1&_return_as_object=1&_max_results=1000"
    )
    assert raw_paths[1] == "/wapi/v2.12/record%3Aaaaa/ZG5z%3Ah%253A1.example.com/default"


@pytest.mark.parametrize(
    "error",
    [
        aiohttp.ServerDisconnectedError(),
        TimeoutError(),
        aiohttp.ClientOSError(104, "Connection reset by peer"),
    ],
)
async def test_resets_and_timeouts_are_retried_for_reads(
    client: WapiClient, error: Exception
) -> None:
    with aioresponses() as mocked:
        mocked.get(ANY, exception=error)
        mocked.get(ANY, payload={"result": [{"_ref": "network/x:10.0.0.0/8/default"}]})
        assert len(await client.get("network")) == 1


async def test_a_reset_create_without_markers_is_outcome_unknown(client: WapiClient) -> None:
    with aioresponses() as mocked:
        mocked.post(ANY, exception=aiohttp.ServerDisconnectedError())
        with pytest.raises(OutcomeUnknownError) as info:
            await client.create("record:a", {"name": "w"})
        assert isinstance(info.value.__cause__, UnavailableError)
        assert len(mocked.requests) == 1


async def test_a_refused_connection_never_reached_the_grid(client: WapiClient) -> None:
    refused = aiohttp.ClientConnectorError(
        connection_key=None,  # type: ignore[arg-type]
        os_error=ConnectionRefusedError(111, "Connection refused"),
    )
    with aioresponses() as mocked:
        mocked.post(ANY, exception=refused)
        mocked.post(ANY, payload={"_ref": "record:a/x:w/default"}, status=201)
        created = await client.create("record:a", {"name": "w"})
        assert created["_ref"] == "record:a/x:w/default"


async def test_a_certificate_failure_is_not_retried(client: WapiClient) -> None:
    bad_cert = aiohttp.ClientConnectorCertificateError(
        connection_key=None,  # type: ignore[arg-type]
        certificate_error=ssl.SSLCertVerificationError("self-signed certificate"),
    )
    with aioresponses() as mocked:
        mocked.get(ANY, exception=bad_cert)
        with pytest.raises(TLSError, match="self-signed"):
            await client.get("network")
        assert sum(len(v) for v in mocked.requests.values()) == 1


async def test_a_retry_after_date_is_honoured(client: WapiClient, fake_time: FakeTime) -> None:
    with aioresponses() as mocked:
        mocked.get(ANY, status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
        mocked.get(ANY, payload={"result": []})
        assert await client.get("network") == []
        assert fake_time.sleeps == [0.125]  # a date in the past is no floor


def test_tls_is_verified_by_default() -> None:
    assert ssl_setting(make_settings(url="https://127.0.0.1:9")) is True


def test_a_ca_bundle_builds_a_verifying_context() -> None:
    context = ssl_setting(make_settings(ca_bundle=certifi.where()))
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_insecure_is_explicit_and_warned_about(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="ddisync.wapi")
    assert ssl_setting(make_settings(insecure=True)) is False
    assert "DISABLED" in caplog.text


async def test_one_pooled_session_with_bounded_timeouts() -> None:
    transport = AiohttpTransport(make_settings(max_in_flight=4, connect_timeout=2.0))
    session: Any = transport._get_session()
    try:
        assert transport._get_session() is session
        assert session.connector.limit == 4
        assert session.timeout.total == 30.0 and session.timeout.connect == 2.0
    finally:
        await transport.aclose()
