"""``ddisync demo``: the operator, a Kubernetes API emulator and the WAPI simulator in one process.

The emulator (``emulator``) and the in-process cluster (``cluster``) also back the e2e tests and
the benchmarks. Everything here needs the optional extra ``ddisync[demo]`` (kmock, kubernetes,
jsonpatch, cel-python), which the production image does not install: import this package's
modules only where the demo or the tests need them, and call ``require_demo_extra()`` first to
turn a missing package into one clear message.
"""

from __future__ import annotations

import importlib.util

DEMO_PACKAGES = {
    "kmock": "kmock",
    "kubernetes": "kubernetes",
    "jsonpatch": "jsonpatch",
    "celpy": "cel-python",  # CEL rules of the CRDs, evaluated by the emulated API server
}


class DemoExtraMissingError(RuntimeError):
    """The optional packages of ``ddisync[demo]`` are not installed."""


def require_demo_extra() -> None:
    """Raise ``DemoExtraMissingError`` naming every missing package of the demo extra."""
    missing = [
        dist for module, dist in DEMO_PACKAGES.items() if not importlib.util.find_spec(module)
    ]
    if missing:
        raise DemoExtraMissingError(
            f"`ddisync demo` needs the optional packages {', '.join(missing)}: "
            "install them with `pip install 'ddisync[demo]'`."
        )
