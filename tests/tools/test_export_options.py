"""``ddisync export``: deletionPolicy, grid, and a grid that never answers."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ddisync_simulator import Simulator, SimulatorOptions, running_simulator
from tests.tools.conftest import PASSWORD, cli, connection
from tests.tools.documents import credentials, infoblox_grid, write
from tests.tools.grids import big_grid


@pytest.fixture()
async def small_sim() -> AsyncIterator[Simulator]:
    """Some networks and records of every type, none managed yet."""
    seed = big_grid(networks=10, records=20)
    async with running_simulator(SimulatorOptions(password=PASSWORD, seed=seed)) as sim:
        yield sim


def _specs(folder: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    return [yaml.safe_load((folder / p).read_text())["spec"] for p in kustomization["resources"]]


async def test_exported_manifests_retain_their_objects_unless_told_otherwise(
    small_sim: Simulator, password_file: Path, tmp_path: Path
) -> None:
    retained = tmp_path / "retain"
    done = await cli("export", "--output-dir", str(retained), *connection(small_sim, password_file))
    assert done.code == 0, done.err
    specs = _specs(retained)
    assert specs and all(spec["deletionPolicy"] == "Retain" for spec in specs)
    assert all("grid" not in spec for spec in specs)  # the default grid goes unsaid

    deleted = tmp_path / "delete"
    done = await cli("export", "--output-dir", str(deleted), "--deletion-policy", "Delete",
                     *connection(small_sim, password_file))  # fmt: skip
    assert done.code == 0, done.err
    assert all(spec["deletionPolicy"] == "Delete" for spec in _specs(deleted))


async def test_an_export_of_another_grid_names_it_and_plans_as_adoptions_there(
    small_sim: Simulator, tmp_path: Path
) -> None:
    grids = write(tmp_path / "grids.yaml", infoblox_grid("lab", small_sim.url), credentials("lab"))
    out = tmp_path / "lab"
    done = await cli("export", "--output-dir", str(out), "--grid", "lab", "-f", str(grids))
    assert done.code == 0, done.err
    specs = _specs(out)
    assert specs and all(spec["grid"] == "lab" for spec in specs)
    assert all(next(iter(spec)) == "grid" for spec in specs)  # where it lives, first

    planned = await cli("plan", "-f", str(out), "-f", str(grids), "--grid", "lab", "-o", "json")
    assert planned.code == 0, planned.out + planned.err
    plan = json.loads(planned.out)
    assert len(plan["adopt"]) == len(specs)
    assert not any(plan[a] for a in ("create", "update", "delete", "refuse", "skip"))


@pytest.fixture()
def silent_port() -> Iterator[int]:
    """A port whose kernel accepts TCP connections (the backlog) that nobody ever answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


async def test_a_grid_that_accepts_but_never_answers_fails_within_the_timeout_in_one_line(
    silent_port: int, password_file: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    done = await cli("export", "--output-dir", str(tmp_path / "out"), "--timeout", "1",
                     "--url", f"http://127.0.0.1:{silent_port}", "--username", "admin",
                     "--password-file", str(password_file))  # fmt: skip
    elapsed = time.monotonic() - started
    assert done.code == 2
    assert done.out == ""
    assert done.err == (
        f"ddisync export: no answer from http://127.0.0.1:{silent_port} within 1s (request "
        "timeout); check --url (DDISYNC_WAPI_URL), or wait longer with --timeout "
        "(DDISYNC_WAPI_TIMEOUT)\n"
    )
    assert elapsed < 5, elapsed  # one attempt: retrying would only wait again
