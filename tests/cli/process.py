"""The installed ``ddisync`` entry point in a process of its own, in a clean environment; or its
``main`` in this process, in the same environment (``InProcess``)."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ddisync.cli import main

# Distinctive, so a test can prove no message ever repeats it.
SECRET = "Zq8-cli-SECRET-5523"
DDISYNC = Path(sys.executable).with_name("ddisync")  # the console script, as users run it


@dataclass
class Done:
    code: int
    out: str
    err: str


def clean_env(home: Path, **env: str) -> dict[str, str]:
    """The test runner's environment without any ``DDISYNC_*`` variable or kubeconfig (a fresh
    home has none), plus ``env``."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("DDISYNC_") and name != "KUBECONFIG"
    }
    return {**kept, "HOME": str(home), **env}


async def start(*args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(DDISYNC),
        *args,
        env=env,
        cwd=env["HOME"],
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def finish(process: asyncio.subprocess.Process, timeout: float = 60) -> Done:
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return Done(process.returncode, out.decode(errors="replace"), err.decode(errors="replace"))


async def ddisync(*args: str, env: dict[str, str], timeout: float = 60) -> Done:
    """Run ``ddisync *args`` to its end."""
    return await finish(await start(*args, env=env), timeout)


@dataclass
class InProcess:
    """``ddisync``'s ``main`` called in this process, in the environment ``clean_env`` makes:
    the console script's code without its start-up (about 0.8 s of imports a process). For
    what ends before any asynchronous work: the refusals of missing or invalid settings."""

    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]
    home: Path

    def __call__(self, *args: str, **env: str) -> Done:
        for name in os.environ:
            if name.startswith("DDISYNC_") or name == "KUBECONFIG":
                self.monkeypatch.delenv(name)
        for name, value in {"HOME": str(self.home), **env}.items():
            self.monkeypatch.setenv(name, value)
        self.monkeypatch.chdir(self.home)
        self.capsys.readouterr()  # what came before is not this call's
        try:
            code = main(list(args))
        except SystemExit as exit:  # argparse: --help, a usage error
            code = exit.code if isinstance(exit.code, int) else 2
        out, err = self.capsys.readouterr()
        return Done(code, out, err)
