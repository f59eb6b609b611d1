"""Suite-wide settings, markers and the shared fixtures (``tests/stack.py``,
``tests/redis_server.py``).

Markers (registered in pyproject.toml): ``e2e`` (the real operator against the emulated API and
the simulator), ``chaos`` (faults, crashes and restarts through the whole stack) and ``slow``
(several seconds each on a 2-core machine). Folders that hold only one kind get their markers
here; single tests elsewhere carry them in their modules. ``make test`` and CI run everything;
``pytest -m "not slow"`` is the quick loop while developing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.redis_server import redis_server  # noqa: F401  (fixtures for every folder)
from tests.stack import (  # noqa: F401
    cluster,
    namespace,
    own_cluster,
    quick_stop,
    shared_cluster,
    shared_simulator,
    simulator,
)

# On CI the fuzz tests draw the same examples every run, so a submission's result does not
# depend on luck; locally they explore new examples each run (HYPOTHESIS_PROFILE=ci to pin).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)

TESTS = Path(__file__).resolve().parent
FOLDER_MARKERS: dict[str, tuple[pytest.MarkDecorator, ...]] = {
    "e2e": (pytest.mark.e2e,),
    "kubectl": (pytest.mark.e2e,),
    "reliability": (pytest.mark.e2e, pytest.mark.chaos),
    # The chart tests share session-cached `helm template` runs: one worker renders them once.
    "chart": (pytest.mark.xdist_group("chart"),),
}

# The longest tests (about 30 s each on an idle 2-core machine, measured with --durations).
LONGEST = ("tests/tools/test_apply_export.py::", "tests/reliability/test_chaos.py::test_hundreds")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the xdist_group markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0] if item.path.is_relative_to(TESTS) else ""
        for marker in FOLDER_MARKERS.get(folder, ()):
            item.add_marker(marker)
    # Slow tests first, the longest before them: under pytest-xdist each starts as soon as a
    # worker is free and the many short tests fill the gaps, instead of a long test starting
    # late and ending the run alone. A test that shares an xdist_group with a slow one moves
    # with it (keeping its order in the group).
    slow_groups = {_group(item) for item in items if item.get_closest_marker("slow")} - {None}

    def rank(item: pytest.Item) -> int:
        if item.nodeid.startswith(LONGEST):
            return 0
        return 1 if item.get_closest_marker("slow") or _group(item) in slow_groups else 2

    items.sort(key=rank)


def _group(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("xdist_group")
    return str(marker.args[0]) if marker and marker.args else None
