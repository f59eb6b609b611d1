"""The default grid's password as a file (the chart mounts its Secret): rotated in the grid and
in the file, it is used from the next check on, with no restart and no failed reconcile."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ddisync.runtime import running_operator
from ddisync_emulator.cluster import Cluster
from ddisync_simulator import Simulator
from tests.e2e.helpers import eventually, network_manifest, ready
from tests.stack import PASSWORD, operator_settings

ROTATED = "Zq9-e2e-ROTATED-ddisync-4410"


async def test_a_password_rotated_in_its_file_is_used_without_a_restart(
    cluster: Cluster,
    simulator: Simulator,
    namespace: str,
    tmp_path: Path,
    quick_stop: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ddisync.grids")
    password_file = tmp_path / "password"
    password_file.write_text(PASSWORD + "\n")
    settings = operator_settings(
        simulator.url,
        "e2e",
        namespaces=[namespace],
        wapi_password_file=str(password_file),
        grid_check_interval=0.2,
    )

    async def comment_is(comment: str) -> bool:
        network = await cluster.get("networks", namespace, "web")
        condition = ready(network) or {}
        grid = [n for n in simulator.grid.objects("network") if n["network"] == "10.60.0.0/24"]
        return condition.get("status") == "True" and grid[0].get("comment") == comment

    async with running_operator(settings, connection=cluster.connection, post_events=False):
        await cluster.apply(network_manifest("web", namespace, cidr="10.60.0.0/24", comment="a"))
        await eventually(lambda: comment_is("a"))
        # Rotated in the grid (every session ends), then in the file, as a Secret update does.
        simulator.auth.password = ROTATED
        simulator.auth.sessions.clear()
        password_file.write_text(ROTATED + "\n")
        await eventually(
            lambda: any("credentials changed" in r.getMessage() for r in caplog.records)
        )
        await cluster.patch("networks", namespace, "web", {"spec": {"comment": "b"}})
        await eventually(lambda: comment_is("b"))
    assert ROTATED not in caplog.text and PASSWORD not in caplog.text
