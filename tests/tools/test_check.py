"""``ddisync check``: one line per check, and what to do when one fails."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ddisync_simulator import Simulator, SimulatorOptions, running_simulator
from tests.tools.conftest import PASSWORD, Run, cli, connection

CHECKS = ("connection", "tls", "credentials", "wapi version", "ea definitions", "permissions")


def _lines(run: Run) -> dict[str, str]:
    lines = {}
    for line in run.out.splitlines():
        status, rest = line.split(maxsplit=1)
        name = next(n for n in CHECKS if rest.startswith(n))
        lines[name] = f"{status} {rest[len(name) :].strip()}"
    return lines


@pytest.fixture()
async def tls_sim() -> AsyncIterator[Simulator]:
    async with running_simulator(SimulatorOptions(password=PASSWORD, tls=True)) as sim:
        yield sim


async def test_a_good_grid_passes_every_check(demo_sim: Simulator, password_file: Path) -> None:
    done = await cli("check", *connection(demo_sim, password_file))
    lines = _lines(done)
    assert list(lines) == list(CHECKS)
    assert done.code == 0
    assert lines["tls"].startswith("WARN plain HTTP")  # the demo simulator serves http
    assert all(lines[n].startswith("OK") for n in CHECKS if n != "tls"), done.out


async def test_a_wrong_password_fails_the_credentials_line_with_what_to_do(
    demo_sim: Simulator, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("nope")
    done = await cli("check", *connection(demo_sim, wrong))
    lines = _lines(done)
    assert done.code == 1
    assert lines["credentials"].startswith("FAIL")
    assert "--password-file" in lines["credentials"]
    assert lines["ea definitions"].startswith("SKIP")
    assert PASSWORD not in done.out and "nope" not in done.out


async def test_an_untrusted_certificate_fails_the_tls_line(
    tls_sim: Simulator, password_file: Path
) -> None:
    done = await cli("check", *connection(tls_sim, password_file))
    lines = _lines(done)
    assert done.code == 1
    assert lines["connection"].startswith("OK")
    assert lines["tls"].startswith("FAIL") and "--ca-bundle" in lines["tls"]
    assert lines["credentials"].startswith("SKIP")


async def test_the_ca_bundle_makes_the_certificate_trusted(
    tls_sim: Simulator, password_file: Path
) -> None:
    done = await cli("check", "--ca-bundle", str(tls_sim.ca_file),
                     *connection(tls_sim, password_file))  # fmt: skip
    assert done.code == 0, done.out
    assert all(line.startswith("OK") for line in _lines(done).values()), done.out


async def test_missing_ea_definitions_are_reported_with_how_to_define_them(
    password_file: Path,
) -> None:
    async with running_simulator(SimulatorOptions(password=PASSWORD, seed={})) as sim:
        done = await cli("check", *connection(sim, password_file))
    lines = _lines(done)
    assert lines["ea definitions"].startswith("WARN missing: ddisync-cluster, ddisync-owner")
    assert "extensibleattributedef" in lines["ea definitions"]
    assert lines["permissions"].startswith("WARN")  # an empty grid has no zone


async def test_an_unsupported_version_names_one_the_grid_serves(
    demo_sim: Simulator, password_file: Path
) -> None:
    done = await cli("check", "--wapi-version", "9.9", *connection(demo_sim, password_file))
    lines = _lines(done)
    assert done.code == 1
    assert lines["wapi version"].startswith("FAIL WAPI 9.9 is not supported")
    assert "--wapi-version 2.13" in lines["wapi version"]


async def test_an_unreachable_grid_fails_the_connection_line(password_file: Path) -> None:
    done = await cli("check", "--url", "https://127.0.0.1:1", "--username", "admin",
                     "--password-file", str(password_file))  # fmt: skip
    lines = _lines(done)
    assert done.code == 1
    assert lines["connection"].startswith("FAIL cannot reach 127.0.0.1:1")
    assert all(lines[n].startswith("SKIP") for n in CHECKS[1:])
