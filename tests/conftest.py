"""Suite-wide settings and the shared end-to-end fixtures (``tests/stack.py``)."""

import os

from hypothesis import settings

from tests.stack import cluster, simulator  # noqa: F401  (fixtures for every folder)

# On CI the fuzz tests draw the same examples every run, so a submission's result does not
# depend on luck; locally they explore new examples each run (HYPOTHESIS_PROFILE=ci to pin).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)
