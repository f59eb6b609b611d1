"""Fixtures for the tools: a simulator with a large unmanaged grid, the CLI run in a thread."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ddisync.tools.command import register
from ddisync_simulator import Simulator, SimulatorOptions, running_simulator
from tests.tools.grids import big_grid

PASSWORD = "tools-Secret-42"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(argv: list[str]) -> Run:
    """``ddisync <argv>`` with the tools' subcommands; stdout and stderr captured."""
    parser = argparse.ArgumentParser(prog="ddisync")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = args.func(args)
    return Run(code, out.getvalue(), err.getvalue())


async def cli(*argv: str) -> Run:
    """Run the CLI in a thread: it starts its own event loop, the simulator runs in ours."""
    return await asyncio.to_thread(run_cli, list(argv))


@pytest.fixture(autouse=True)
def _polite_limits_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # The tools read the operator's environment; keep the tests' own out of it.
    for name in ("URL", "USERNAME", "PASSWORD", "VERSION", "CA_BUNDLE", "INSECURE"):
        monkeypatch.delenv(f"DDISYNC_WAPI_{name}", raising=False)
    monkeypatch.delenv("DDISYNC_CLUSTER_ID", raising=False)
    monkeypatch.setenv("DDISYNC_WAPI_RATE_LIMIT", "1000")
    monkeypatch.setenv("DDISYNC_WAPI_BURST", "1000")


@pytest.fixture()
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "password"
    path.write_text(PASSWORD + "\n")
    return path


def connection(sim: Simulator, password_file: Path, *extra: str) -> list[str]:
    return ["--url", sim.url, "--username", "admin", "--password-file", str(password_file),
            *extra]  # fmt: skip


def running_simulator_of(seed: dict[str, Any]) -> AbstractAsyncContextManager[Simulator]:
    """A simulator holding ``seed``, with the tools' test password."""
    return running_simulator(SimulatorOptions(password=PASSWORD, seed=seed))


@pytest.fixture()
async def big_sim() -> AsyncIterator[Simulator]:
    async with running_simulator_of(big_grid()) as sim:
        yield sim


@pytest.fixture()
async def demo_sim() -> AsyncIterator[Simulator]:
    async with running_simulator(SimulatorOptions(password=PASSWORD)) as sim:
        yield sim


def objects(sim: Simulator, *objtypes: str) -> dict[str, dict[str, Any]]:
    return {obj["_ref"]: obj for t in objtypes for obj in sim.grid.objects(t)}
