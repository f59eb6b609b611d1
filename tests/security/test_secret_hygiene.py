"""The WAPI password never shows: not in logs, statuses, Events, metrics, probes, reprs,
exceptions, nor in anything the CLI prints — and neither does the Basic token made from it.

The logs are captured *without* the redaction ``configure_logging(secrets=...)`` offers (and
through ``caplog``, which sees the raw records): redaction is the last line of defence, this
checks that nothing relies on it.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import sys
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import ddisync.handlers.failure
import ddisync.runtime
from ddisync.config import Settings
from ddisync.handlers.outcome import DEFAULT_DELAYS, RetryDelays, failure_from
from ddisync.logging import configure_logging
from ddisync.runtime import running_operator
from ddisync.wapi import WapiClient
from ddisync.wapi.errors import WapiError
from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator, SimulatorOptions, running_simulator
from ddisync_simulator.auth import Authenticator as SimulatorAuthenticator
from tests.e2e.helpers import eventually, network_manifest, ready, record_manifest
from tests.stack import operator_settings

PASSWORD = "Xy7-ddisync-NEVER-SHOW-42"
USERNAME = "admin"
BASIC = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
FORBIDDEN = (PASSWORD, BASIC, PASSWORD.lower(), PASSWORD.upper())
ROOT = Path(__file__).resolve().parents[2]


def assert_no_secret(where: str, text: str) -> None:
    for secret in FORBIDDEN:
        assert secret not in text, f"the password ({secret!r}) shows in {where}"


@pytest.fixture()
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture()
async def simulator() -> AsyncIterator[Simulator]:
    async with running_simulator(SimulatorOptions(username=USERNAME, password=PASSWORD)) as sim:
        yield sim


def the_password_changes(simulator: Simulator, password: str) -> None:
    """As when someone rotates the WAPI user's password on the grid: sessions end too."""
    simulator.auth = SimulatorAuthenticator(USERNAME, password, simulator.options.session_timeout)


async def condition_with(cluster: Cluster, plural: str, name: str, reason: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        resource = await cluster.get(plural, "default", name)
        conditions = ((resource or {}).get("status") or {}).get("conditions") or []
        found = next((c for c in conditions if c["type"] == "Ready"), None)
        return found if found and found["reason"] == reason else None

    found: dict[str, Any] = await eventually(check, timeout=20)
    return found


async def synced(cluster: Cluster, plural: str, name: str) -> None:
    async def check() -> bool:
        condition = ready(await cluster.get(plural, "default", name))
        return bool(condition and condition["status"] == "True")

    await eventually(check, timeout=20)


@pytest.mark.e2e
async def test_the_password_never_leaks_from_the_running_operator(
    simulator: Simulator,
    cluster: Cluster,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    restore_root_logger: None,
) -> None:
    stream = io.StringIO()
    configure_logging("json", "DEBUG", stream=stream)  # no secrets=: nothing is redacted
    logging.getLogger().addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)

    errors: list[BaseException] = []

    def recording_failure_from(error: Exception, delays: RetryDelays = DEFAULT_DELAYS) -> Any:
        errors.append(error)
        return failure_from(error, delays)

    monkeypatch.setattr(ddisync.handlers.failure, "failure_from", recording_failure_from)

    # The operator posts Events on transitions only; here every log line becomes an Event too
    # (posting.loggers), so that nothing the operator logs can carry the secret into one.
    def kopf_settings_posting_logs(*, post_events: bool = True, **options: Any) -> Any:
        kopf_settings = original_kopf_settings(post_events=post_events, **options)
        kopf_settings.posting.loggers = post_events
        return kopf_settings

    original_kopf_settings = ddisync.runtime.kopf_settings
    monkeypatch.setattr(ddisync.runtime, "kopf_settings", kopf_settings_posting_logs)

    settings = operator_settings(
        simulator.url,
        "secrets",
        wapi_username=USERNAME,
        wapi_password=PASSWORD,
        wapi_max_attempts=2,
        retry_delay_unavailable=1.0,
        retry_delay_slow=1.0,
        retry_delay_auth=1.0,
        log_level="DEBUG",
    )
    async with running_operator(settings, connection=cluster.connection, post_events=True) as op:
        # Create and update.
        await cluster.apply(network_manifest("net-a", cidr="10.77.1.0/24", comment="one"))
        await cluster.apply(network_manifest("net-b", cidr="10.77.2.0/24"))
        await cluster.apply(
            record_manifest("rec-a", type="A", name="secret-a.example.com", address="10.77.1.5")
        )
        for plural, name in (("networks", "net-a"), ("networks", "net-b"), ("records", "rec-a")):
            await synced(cluster, plural, name)
        await cluster.apply(network_manifest("net-a", cidr="10.77.1.0/24", comment="two"))
        await synced(cluster, "networks", "net-a")
        # A delete that works.
        await cluster.delete("records", "default", "rec-a")

        async def record_gone() -> bool:
            return await cluster.get("records", "default", "rec-a") is None

        await eventually(record_gone, timeout=20)
        # The password is rotated on the grid: every call now fails authentication.
        the_password_changes(simulator, "rotated-Other-Pass-7")
        await cluster.apply(network_manifest("net-b", cidr="10.77.2.0/24", comment="fails"))
        failed = await condition_with(cluster, "networks", "net-b", "AuthenticationFailed")
        assert USERNAME in failed["message"]
        # A delete that cannot finish: it explains itself, still without the password.
        await cluster.delete("networks", "default", "net-a")
        deleting = await condition_with(cluster, "networks", "net-a", "Deleting")
        assert "credentials" in deleting["message"]

        async with aiohttp.ClientSession() as http:
            exposed = {
                name: await (await http.get(url)).text()
                for name, url in (
                    ("metrics", op.urls.metrics),
                    ("/readyz", op.urls.readyz),
                    ("/healthz", op.urls.healthz),
                )
            }
        assert "ddisync_" in exposed["metrics"]
        assert not op.task.done()

        statuses = [
            json.dumps(item, ensure_ascii=False)
            for plural in ("networks", "records")
            for item in await cluster.list(plural)
        ]

        async def posted() -> list[dict[str, Any]]:
            return await cluster.list("v1/events", "default")

        events = await eventually(posted, timeout=10)  # kopf posts them in the background

    assert events, "the operator posted no Event (post_events=True)"
    for item in events:
        assert_no_secret(f"Event {item['metadata']['name']}", json.dumps(item, ensure_ascii=False))
    for text in statuses:
        assert_no_secret("a resource", text)
    for name, body in exposed.items():
        assert_no_secret(name, body)
    logs = stream.getvalue()
    assert "AuthenticationFailed" in logs or "refused the credentials" in logs
    assert_no_secret("the JSON log", logs)
    assert_no_secret("caplog", caplog.text)
    for record in caplog.records:
        assert_no_secret(f"the log record {record.msg!r}", repr(record.__dict__))
    assert errors, "no error reached the handlers"
    for error in errors:
        formatted = "".join(traceback.format_exception(error))
        assert_no_secret(
            f"the exception {type(error).__name__}", f"{error!s} {error!r} {formatted}"
        )
        assert_no_secret("exception args", repr(error.args))
    wapi_settings = settings.wapi_settings()
    for what, value in (
        ("Settings", settings),
        ("WapiSettings", wapi_settings),
        ("model_dump", settings.model_dump()),
        ("model_dump_json", settings.model_dump_json()),
    ):
        assert_no_secret(f"str({what})", str(value))
        assert_no_secret(f"repr({what})", repr(value))
    client = WapiClient(wapi_settings)
    assert_no_secret("repr(WapiClient)", repr(client))
    assert_no_secret("repr(Authenticator)", repr(client.authenticator))
    assert_no_secret("vars(Authenticator)", str(vars(client.authenticator).get("_username")))
    await client.aclose()


async def test_an_authentication_failure_never_echoes_the_password(simulator: Simulator) -> None:
    the_password_changes(simulator, "something-else")
    settings = Settings(
        wapi_url=simulator.url, wapi_username=USERNAME, wapi_password=PASSWORD
    ).wapi_settings()
    async with WapiClient(settings) as client:
        for call in (client.ping(), client.get("network"), client.ping()):
            with pytest.raises(WapiError) as caught:
                await call
            error = caught.value
            text = f"{error!s} {error!r} {''.join(traceback.format_exception(error))}"
            assert_no_secret("an AuthenticationError", text)
            failure = failure_from(error)
            assert failure is not None
            assert_no_secret("the condition message", failure.message)


# --- the command line -----------------------------------------------------------------------


async def run_cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = 90) -> str:
    ddisync = Path(sys.executable).with_name("ddisync")
    process = await asyncio.create_subprocess_exec(
        str(ddisync),
        *args,
        env=env,
        cwd=str(cwd),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout)
    return out.decode("utf-8", errors="replace")


def cli_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DDISYNC_")}
    env.update(
        DDISYNC_WAPI_URL=url,
        DDISYNC_WAPI_USERNAME=USERNAME,
        DDISYNC_WAPI_PASSWORD=PASSWORD,
        DDISYNC_METRICS_PORT="0",
        DDISYNC_HEALTH_PORT="0",
        DDISYNC_LOG_LEVEL="DEBUG",
        DDISYNC_WAPI_RATE_LIMIT="1000",
        DDISYNC_WAPI_BURST="1000",
    )
    return env


@pytest.mark.e2e
@pytest.mark.slow
async def test_the_cli_never_prints_the_password(simulator: Simulator, tmp_path: Path) -> None:
    async with running_simulator(
        SimulatorOptions(username=USERNAME, password="the-grid-has-another-one")
    ) as wrong:
        env, wrong_env = cli_env(simulator.url), cli_env(wrong.url)
        runs = {
            "demo": run_cli("demo", "--output", "json", env=env, cwd=tmp_path),
            "check": run_cli("check", env=env, cwd=tmp_path),
            "check (wrong password)": run_cli("check", env=wrong_env, cwd=tmp_path),
            "plan": run_cli("plan", "-f", str(ROOT / "examples"), env=env, cwd=tmp_path),
            "plan (wrong password)": run_cli(
                "plan", "-f", str(ROOT / "examples"), env=wrong_env, cwd=tmp_path
            ),
            "export": run_cli(
                "export", "--output-dir", str(tmp_path / "out"), env=env, cwd=tmp_path
            ),
            "export (wrong password)": run_cli(
                "export", "--output-dir", str(tmp_path / "out2"), env=wrong_env, cwd=tmp_path
            ),
        }
        outputs = dict(zip(runs, await asyncio.gather(*runs.values()), strict=True))
    for name, output in outputs.items():
        assert output.strip(), f"ddisync {name} printed nothing"
        assert_no_secret(f"the output of ddisync {name}", output)
    assert "ok" in outputs["check"].lower()
    assert "fail" in outputs["check (wrong password)"].lower()
    written = await asyncio.to_thread(
        lambda: {str(p): p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()}
    )
    assert written, "ddisync export wrote nothing"
    for path, text in written.items():
        assert_no_secret(path, text)
