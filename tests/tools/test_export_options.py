"""``ddisync export``: the grid it reads."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ddisync_simulator import Simulator, SimulatorOptions, running_simulator
from tests.tools.conftest import PASSWORD, cli
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
