"""The three distributions, built for real: the operator's wheel holds the operator alone.

Each wheel is built with ``python -m build --wheel --no-isolation`` (setuptools comes with the
development environment, so nothing is downloaded) from a copy of its folder, which keeps the
checkout free of build/ and egg-info folders. What ``pip install`` of the operator and its image
get is this wheel and its Requires-Dist, so that is what these tests read.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
# What only the simulator and the emulator need; the operator must require none of it.
# (jsonpatch is not here: the emulator uses it, and kopf requires it too.)
TOOLS_ONLY = {
    "ddisync-simulator",
    "ddisync-emulator",
    "kmock",
    "cel-python",
    "cryptography",
    "kubernetes",
}


def _build_wheel(member: str, work: Path) -> Path:
    """Build ``member``'s wheel from a copy laid out as in the repository (links kept)."""
    source = work / "src"
    shutil.copytree(
        REPO / member,
        source / member,
        symlinks=True,
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist"),
    )
    shutil.copytree(REPO / "examples", source / "examples")  # the emulator's link points here
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work)],
        cwd=source / member,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = work.glob("*.whl")
    return wheel


def _metadata(wheel: zipfile.ZipFile) -> tuple[set[str], str]:
    """(the canonical names of Requires-Dist, entry_points.txt)."""
    (meta,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    requires = Parser().parsestr(wheel.read(meta).decode()).get_all("Requires-Dist") or []
    names = {canonicalize_name(Requirement(r).name) for r in requires}
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    return names, wheel.read(entry_points).decode()


@pytest.fixture(scope="module")
def operator_wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    with zipfile.ZipFile(_build_wheel("operator", tmp_path_factory.mktemp("operator"))) as whl:
        yield whl


def test_the_operator_wheel_holds_the_ddisync_package_and_nothing_else(
    operator_wheel: zipfile.ZipFile,
) -> None:
    names = operator_wheel.namelist()
    assert {n.split("/")[0] for n in names} == {"ddisync", "ddisync-0.1.0.dist-info"}
    assert "ddisync/cli.py" in names and "ddisync/wapi/client.py" in names
    strays = [n for n in names if n.startswith(("ddisync/simulator/", "ddisync/demo/"))]
    assert not strays
    assert not [n for n in names if "ddisync_simulator" in n or "ddisync_emulator" in n]


def test_the_operator_wheel_requires_nothing_of_the_simulator_or_the_emulator(
    operator_wheel: zipfile.ZipFile,
) -> None:
    requires, entry_points = _metadata(operator_wheel)
    assert {"kopf", "aiohttp", "pydantic"} <= requires
    assert not requires & TOOLS_ONLY
    assert "[ddisync.commands]" not in entry_points  # it adds no command of its own that way
    assert "ddisync = ddisync.cli:main" in entry_points


def test_the_simulator_wheel_stands_alone(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build_wheel("simulator", tmp_path)) as wheel:
        names = wheel.namelist()
        requires, entry_points = _metadata(wheel)
    assert {n.split("/")[0] for n in names} == {
        "ddisync_simulator",
        "ddisync_simulator-0.1.0.dist-info",
    }
    assert "ddisync_simulator/demo-seed.yaml" in names
    assert requires == {"aiohttp", "pyyaml", "cryptography"}
    assert "ddisync-simulator = ddisync_simulator.command:main" in entry_points
    assert "simulator = ddisync_simulator.command:register" in entry_points


def test_the_emulator_wheel_ships_the_examples_as_files(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build_wheel("emulator", tmp_path)) as wheel:
        shipped = {
            Path(n).name: wheel.read(n)
            for n in wheel.namelist()
            if n.startswith("ddisync_emulator/examples/")
        }
        requires, entry_points = _metadata(wheel)
    examples = {p.name: p.read_bytes() for p in (REPO / "examples").glob("*.yaml")}
    assert examples and shipped == examples
    assert {"ddisync", "ddisync-simulator", "kmock", "cel-python", "jsonpatch"} <= requires
    assert "demo = ddisync_emulator.command:register" in entry_points


def test_nothing_the_operator_installs_pulls_in_a_tool_only_dependency() -> None:
    """The operator's dependencies, transitively, as locked in uv.lock (what `pip install` of
    the operator and the image resolve, give or take newer releases)."""
    lock = tomllib.loads((REPO / "uv.lock").read_text())
    requires = {
        package["name"]: {dep["name"] for dep in package.get("dependencies", [])}
        for package in lock["package"]
    }
    installed, todo = set(), ["ddisync"]
    while todo:
        name = todo.pop()
        if name not in installed:
            installed.add(name)
            todo.extend(requires[name])
    assert {"kopf", "aiohttp", "redis"} <= installed
    assert not installed & TOOLS_ONLY
