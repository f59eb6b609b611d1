"""``ddisync demo`` as a subprocess, as a person or CI runs it, and one calm run of it shared by
the tests that only read what it printed (each run costs seconds of CPU; the tests that share
it carry the xdist_group ``CALM`` so they meet on one worker)."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CALM = pytest.mark.xdist_group("calm-demo")
#: Quick retries (a faulty run must end within the tests' timeouts) and no fixed ports (runs
#: may overlap on one machine).
ENV = {
    "DDISYNC_METRICS_PORT": "0",
    "DDISYNC_HEALTH_PORT": "0",
    "DDISYNC_RETRY_DELAY_UNAVAILABLE": "1",
    "DDISYNC_RETRY_DELAY_SLOW": "2",
    "DDISYNC_WAPI_CIRCUIT_RESET_TIMEOUT": "1",
}


@dataclass(frozen=True)
class DemoRun:
    code: int
    document: dict[str, Any]  # the JSON document on stdout
    stderr: str  # the logs


def start_demo(
    *args: str, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ddisync.cli", "demo", "--output", "json", *args],
        cwd=cwd, env={**os.environ, **ENV, **(env or {})},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def outcome(process: subprocess.Popen[str]) -> DemoRun:
    """The run's exit code, its one JSON document (anything else on stdout fails the test)."""
    try:
        stdout, stderr = process.communicate(timeout=100)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    try:
        document = json.loads(stdout)
    except ValueError:
        pytest.fail(f"stdout is not one JSON document:\n{stdout}\nstderr:\n{stderr[-3000:]}")
    assert isinstance(document, dict)
    return DemoRun(process.returncode, document, stderr)


@functools.cache
def calm_demo() -> DemoRun:
    """The demo on the embedded examples, no faults, logging JSON lines."""
    return outcome(start_demo("--timeout", "60", env={"DDISYNC_LOG_FORMAT": "json"}))
