"""``ddisync check``: can the operator work with this grid? One line per check, with a fix.

=================  ==============================================  ==========================
check              how                                             on failure
=================  ==============================================  ==========================
connection         TCP connect to the URL's host and port          later checks are skipped
tls                TLS handshake, verified as the operator does    later checks are skipped
                   (system CAs, --ca-bundle, or --insecure: WARN)
credentials        an authenticated ``GET /wapi/vX/?_schema``     later checks are skipped
wapi version       the same answer: NIOS refuses a version it     names a supported version
                   does not serve (400 "Version X not supported")
ea definitions     ``extensibleattributedef``: ddisync-cluster,   how to define them (once,
                   ddisync-owner, ddisync-uid of type STRING       by a grid admin)
permissions        one read of every object type the operator      which types are denied
                   uses; WARN when no DNS zone is visible
=================  ==============================================  ==========================

Each fix names where the setting at fault is given (``grid_files.Origin``): the connection
options and ``DDISYNC_WAPI_*`` variables, or, with ``--grid NAME``, the InfobloxGrid's fields
and its Secret.

The first four use a plain HTTP request instead of the WAPI client: a diagnosis wants to see
each layer fail on its own, where the client would retry and fold the cause into one error.
Write permission is not probed: NIOS has no dry run, and a check must never change the grid;
the operator reports a missing write permission in the resource's condition on first use.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import aiohttp

from ddisync.reconcile.ownership import MARKER_EAS
from ddisync.sync.eadefs import EA_TYPE
from ddisync.sync.eadefs import OBJTYPE as EA_OBJTYPE
from ddisync.tools.grid_files import Origin
from ddisync.tools.reading import NETWORK_OBJTYPES, RECORD_OBJTYPES
from ddisync.wapi.client import WapiClient
from ddisync.wapi.errors import WapiError
from ddisync.wapi.settings import WapiSettings
from ddisync.wapi.transport import ssl_setting

__all__ = ["Check", "render_checks", "run_checks"]

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"
CONTAINER_OBJTYPES = ("networkcontainer", "ipv6networkcontainer")
_PROBED = (*NETWORK_OBJTYPES, *CONTAINER_OBJTYPES, *RECORD_OBJTYPES, "zone_auth")


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK | WARN | FAIL | SKIP
    detail: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.status:<4}  {self.name:<15} {self.detail}"
        return f"{text} -- {self.fix}" if self.fix else text


def render_checks(checks: Sequence[Check]) -> str:
    return "\n".join(check.line() for check in checks)


def _skipped(names: Sequence[str], why: str) -> list[Check]:
    return [Check(name, SKIP, why) for name in names]


def _endpoint(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme or "https"
    return scheme, parts.hostname or "", parts.port or (443 if scheme == "https" else 80)


async def _connect(settings: WapiSettings, origin: Origin) -> Check:
    scheme, host, port = _endpoint(settings.url)
    if not host or scheme not in ("http", "https"):
        return Check(
            "connection", FAIL, f"{settings.url!r} is not an http(s) URL",
            f"give {origin.url} like https://gm.example.com",
        )  # fmt: skip
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port), settings.connect_timeout
        )
    except (OSError, TimeoutError) as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__
        return Check(
            "connection", FAIL, f"cannot reach {host}:{port}: {reason}",
            f"check {origin.url}, DNS, and firewalls or proxies on the way",
        )  # fmt: skip
    writer.close()
    return Check("connection", OK, f"{host}:{port} accepts connections")


async def _tls(settings: WapiSettings, setting: ssl.SSLContext | bool, origin: Origin) -> Check:
    scheme, host, port = _endpoint(settings.url)
    if scheme == "http":
        return Check(
            "tls", WARN, "plain HTTP: the password and all data travel unencrypted",
            "use https:// (NIOS serves WAPI over HTTPS)",
        )  # fmt: skip
    if setting is False:
        return Check(
            "tls", WARN, f"certificate verification is OFF ({origin.insecure})",
            f"set {origin.ca_bundle} to the CA that signed the grid's certificate instead",
        )  # fmt: skip
    context = setting if isinstance(setting, ssl.SSLContext) else ssl.create_default_context()
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context), settings.connect_timeout
        )
    except ssl.SSLCertVerificationError as exc:
        return Check(
            "tls", FAIL, f"the grid's certificate is not trusted: {exc.verify_message}",
            f"set {origin.ca_bundle} to the CA that signed it; {origin.insecure} only for a "
            "lab",
        )  # fmt: skip
    except (OSError, TimeoutError) as exc:
        return Check(
            "tls", FAIL, f"TLS handshake failed: {exc}",
            "check that the URL's port serves HTTPS, or use http:// for a plain-HTTP test grid",
        )  # fmt: skip
    writer.close()
    trusted = "system CAs"
    if settings.ca_bundle:
        trusted = f"CA bundle {origin.trusted or settings.ca_bundle}"
    return Check("tls", OK, f"certificate verified ({trusted})")


async def _get(
    settings: WapiSettings, tls: ssl.SSLContext | bool, version: str, path: str
) -> tuple[int, str]:
    headers = {"Authorization": aiohttp.encode_basic_auth(settings.username, settings.password)}
    timeout = aiohttp.ClientTimeout(total=settings.total_timeout)
    url = replace(settings, version=version).base_url + path
    async with (
        aiohttp.ClientSession(headers=headers, timeout=timeout) as session,
        session.get(url, ssl=tls) as response,
    ):
        return response.status, await response.text()


def _served_versions(body: str) -> list[str]:
    """The ``supported_versions`` of a ``?_schema`` answer (raises when it is not JSON)."""
    return [str(v) for v in json.loads(body).get("supported_versions") or []]


async def _supported_versions(settings: WapiSettings, tls: ssl.SSLContext | bool) -> list[str]:
    for version in ("2.0", "1.0"):  # every NIOS since 6.x still serves one of these
        try:
            status, body = await _get(settings, tls, version, "?_schema")
            if status == 200:
                return _served_versions(body)
        except (aiohttp.ClientError, TimeoutError, ValueError, AttributeError):
            pass
    return []


async def _login(settings: WapiSettings, tls: ssl.SSLContext | bool, origin: Origin) -> list[Check]:
    names = ("credentials", "wapi version")
    try:
        status, body = await _get(settings, tls, settings.version, "?_schema")
    except (aiohttp.ClientError, TimeoutError) as exc:
        return [Check("credentials", FAIL, f"no answer from WAPI: {exc}", "retry; check the URL")]
    user = settings.username
    if status == 401:
        return [
            Check(
                "credentials", FAIL, f"the grid refused user {user!r} and its password",
                f"check {origin.credentials}; repeated failures lock the user out on NIOS",
            ),
            *_skipped(names[1:], "needs valid credentials"),
        ]  # fmt: skip
    if status == 400 and "not supported" in body:
        versions = await _supported_versions(settings, tls)
        best = max(versions, key=_version_key) if versions else None
        fix = f"use {origin.version.format(best)}" if best else "use a version the grid serves"
        offered = f" (the grid serves {versions[0]} to {best})" if versions else ""
        return [
            Check("credentials", SKIP, "needs a supported WAPI version"),
            Check("wapi version", FAIL, f"WAPI {settings.version} is not supported{offered}", fix),
        ]
    if status == 403:
        return [
            Check(
                "credentials", FAIL, f"the grid answered 403 for user {user!r}",
                "the user may be locked out after failed logins (wait), or lack API access "
                "in its admin group",
            ),
            *_skipped(names[1:], "needs valid credentials"),
        ]  # fmt: skip
    if status != 200:
        return [Check("credentials", FAIL, f"unexpected answer {status}: {body[:200]}")]
    try:
        served = _served_versions(body)
    except (ValueError, AttributeError):
        served = []
    span = f" (the grid serves {served[0]} to {served[-1]})" if served else ""
    return [
        Check("credentials", OK, f"user {user!r} logged in"),
        Check("wapi version", OK, f"WAPI {settings.version} is served{span}"),
    ]


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".") if p.isdigit())


async def _ea_definitions(client: WapiClient) -> Check:
    found = {
        str(d.get("name")): str(d.get("type"))
        for d in await client.get(EA_OBJTYPE, return_fields=("name", "type"))
    }
    missing = [name for name in MARKER_EAS if name not in found]
    wrong = [f"{n} ({found[n]})" for n in MARKER_EAS if found.get(n, EA_TYPE) != EA_TYPE]
    if wrong:
        return Check(
            "ea definitions", FAIL, f"not of type STRING: {', '.join(wrong)}",
            "ddisync never redefines an attribute: a grid admin must delete and re-create "
            "them with type STRING (Administration > Extensible Attributes)",
        )  # fmt: skip
    if missing:
        example = json.dumps({"name": missing[0], "type": EA_TYPE})
        return Check(
            "ea definitions", WARN, f"missing: {', '.join(missing)}; the operator creates them "
            "before its first write if this user may define attributes, else every resource "
            "stays Ready=False",
            "let a grid admin define them once, type STRING (Administration > Extensible "
            f"Attributes, or POST /wapi/v{client.settings.version}/extensibleattributedef "
            f"{example})",
        )  # fmt: skip
    return Check("ea definitions", OK, f"{', '.join(MARKER_EAS)} are defined (STRING)")


async def _readable(client: WapiClient, objtype: str) -> int | str:
    """How many objects the first page showed (at most 1), or why the read failed."""
    try:
        async for page in client.iter_pages(objtype, page_size=1):
            return len(page)
    except WapiError as exc:
        return str(exc)
    return 0


async def _permissions(client: WapiClient) -> Check:
    results = {objtype: await _readable(client, objtype) for objtype in _PROBED}
    denied = {t: r for t, r in results.items() if isinstance(r, str)}
    if denied:
        reasons = "; ".join(f"{t} ({r})" for t, r in denied.items())
        return Check(
            "permissions", FAIL, f"cannot read {reasons}",
            "give the user's admin group read/write permission on the network views and DNS "
            "zones ddisync manages (Administration > Permissions)",
        )  # fmt: skip
    if results["zone_auth"] == 0:
        return Check(
            "permissions", WARN, "the user sees no authoritative DNS zone: records cannot be "
            "created", "grant read/write on the zones ddisync manages, or create them",
        )  # fmt: skip
    return Check(
        "permissions", OK, f"can read all {len(_PROBED)} object types ddisync uses "
        "(write permission shows on first use: NIOS has no dry run)",
    )  # fmt: skip


async def run_checks(settings: WapiSettings, origin: Origin | None = None) -> list[Check]:
    """Every check, in order; a failing layer skips the ones that depend on it.

    ``origin`` says where the settings come from, for the fixes (default: the options).
    """
    origin = origin or Origin()
    later = ("tls", "credentials", "wapi version", "ea definitions", "permissions")
    checks = [await _connect(settings, origin)]
    if checks[-1].status == FAIL:
        return checks + _skipped(later, "needs a connection")
    tls = ssl_setting(settings)  # once: it may warn (--insecure) and reads the CA bundle
    checks.append(await _tls(settings, tls, origin))
    if checks[-1].status == FAIL:
        return checks + _skipped(later[1:], "needs a trusted TLS connection")
    checks += await _login(settings, tls, origin)
    if any(check.status in (FAIL, SKIP) for check in checks):
        return checks + _skipped(later[3:], "needs a working login")
    quick = replace(settings, max_attempts=2, retry_deadline=10.0)
    async with WapiClient(quick) as client:
        try:
            checks.append(await _ea_definitions(client))
            checks.append(await _permissions(client))
        except WapiError as exc:
            checks.append(Check("wapi", FAIL, str(exc), "run again; see the error"))
    return checks
