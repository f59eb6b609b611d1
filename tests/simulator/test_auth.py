"""Authentication, sessions, versions and lockout (spec §1 versions, §7)."""

from __future__ import annotations

import time

import aiohttp
import pytest

from ddisync_simulator import Simulator, SimulatorOptions, running_simulator

from .conftest import PASSWORD, USER, Wapi

BAD = {"Authorization": aiohttp.encode_basic_auth(USER, "wrong")}


def cookie_of(answer_headers: dict[str, str]) -> str:
    raw = answer_headers["Set-Cookie"]
    assert raw.startswith('ibapauth="') and "httponly" in raw and "Path=/" in raw
    return raw.split(";", 1)[0]


async def test_bad_credentials_get_apache_401_html(wapi: Wapi) -> None:
    answer = await wapi.get("networkview", headers=BAD)
    assert answer.status == 401
    assert answer.headers["Content-Type"] == "text/html; charset=iso-8859-1"
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="InfoBlox ONE Platform"'
    assert "<title>401 Authorization Required</title>" in answer.text
    no_header = await wapi.get("networkview", headers={})
    assert no_header.status == 401


async def test_the_cookie_carries_nios_fields_and_works_alone(wapi: Wapi) -> None:
    first = await wapi.get("networkview")
    cookie = cookie_of(first.headers)
    value = cookie.split("=", 1)[1].strip('"')
    parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
    assert parts["timeout"] == "600" and parts["user"] == USER and parts["client"] == "API"
    assert abs(int(parts["ctime"]) - time.time()) < 5 and parts["mtime"] == parts["ctime"]
    alone = await wapi.get("networkview", headers={"Cookie": cookie})
    assert alone.status == 200 and "Set-Cookie" not in alone.headers


async def test_a_valid_cookie_wins_over_bad_basic_and_stale_cookie_falls_back(wapi: Wapi) -> None:
    cookie = cookie_of((await wapi.get("networkview")).headers)
    both = await wapi.get("networkview", headers={"Cookie": cookie, **BAD})
    assert both.status == 200
    stale = 'ibapauth="ip=1,ctime=1,timeout=600,mtime=1,user=admin,nope"'
    fallback = await wapi.get("networkview", headers={"Cookie": stale, **wapi.headers})
    assert fallback.status == 200 and "Set-Cookie" in fallback.headers
    alone = await wapi.get("networkview", headers={"Cookie": stale})
    assert alone.status == 401


async def test_idle_sessions_expire() -> None:
    options = SimulatorOptions(username=USER, password=PASSWORD, session_timeout=0, seed={})
    async with (
        running_simulator(options) as sim,
        aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session,
    ):
        wapi = Wapi(sim, session)
        cookie = cookie_of((await wapi.get("networkview")).headers)
        sim.auth.sessions[cookie.rsplit(",", 1)[1].strip('"')].mtime -= 1
        assert (await wapi.get("networkview", headers={"Cookie": cookie})).status == 401


async def test_logout_ends_the_session(wapi: Wapi) -> None:
    cookie = cookie_of((await wapi.get("networkview")).headers)
    out = await wapi.post("logout", headers={"Cookie": cookie})
    assert out.status == 200
    assert (await wapi.get("networkview", headers={"Cookie": cookie})).status == 401


@pytest.mark.parametrize("version", ["2.0", "2.5", "2.12", "2.12.3", "2.13", "2.13.6"])
async def test_every_version_from_2_0_to_2_13_is_accepted(wapi: Wapi, version: str) -> None:
    answer = await wapi.get("", raw_url=f"{wapi.sim.url}/wapi/v{version}/networkview")
    assert answer.status == 200


@pytest.mark.parametrize("version", ["1.4", "2.14", "3.0", "x"])
async def test_other_versions_get_plain_text_400(wapi: Wapi, version: str) -> None:
    answer = await wapi.get("", raw_url=f"{wapi.sim.url}/wapi/v{version}/networkview")
    assert answer.status == 400
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert answer.text == f"Version {version} not supported"


async def test_repeated_failures_lock_everyone_out(simulator: Simulator, wapi: Wapi) -> None:
    simulator.faults.lockout_failures = 3
    for _ in range(3):
        assert (await wapi.get("networkview", headers=BAD)).status == 401
    locked = await wapi.get("networkview")
    assert locked.status == 403 and "<title>403 Forbidden</title>" in locked.text
    simulator.auth.locked_until = 0
    assert (await wapi.get("networkview")).status == 200


async def test_no_lockout_unless_configured(wapi: Wapi) -> None:
    for _ in range(10):
        await wapi.get("networkview", headers=BAD)
    assert (await wapi.get("networkview")).status == 200
