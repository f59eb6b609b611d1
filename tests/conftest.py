"""Suite-wide settings and the shared fixtures (``tests/stack.py``, ``tests/redis_server.py``)."""

import os

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
