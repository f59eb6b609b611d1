"""``ddisync demo``: the command line of the demo.

The operator's CLI finds ``register`` through the entry-point group ``ddisync.commands``
declared in this distribution's pyproject.toml, so ``ddisync demo`` exists only where this
distribution is installed (a development environment), never in the operator's image.

    ddisync demo [-f PATH ...] [--output table|json] [--timeout SECONDS] [--linger SECONDS]
                 [--kubeconfig PATH] [--sim-seed FILE] [--sim-latency-ms N] [--sim-fail-rate R]

With ``--kubeconfig PATH`` the demo writes a kubeconfig for its emulated API server, so the real
kubectl works against it (``KUBECONFIG=PATH kubectl get networks``); with ``--linger`` it prints
the kubectl commands to try while it keeps serving.

With ``--sim-seed FILE`` the simulated grid starts from that file instead of the demo seed: the
format of ``ddisync-simulator --seed`` (and of what its ``--save`` writes), so a team can
rehearse its manifests against a grid that already holds objects nobody manages, adoptions
and refusals included.

The result goes to stdout (a table, or exactly one JSON document); every log line goes to
stderr. Exit code 0 only if every resource became Ready.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path
from typing import Any

EXIT_FAILED = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``demo`` subcommand to an ``argparse`` subparsers object."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "demo",
        help="run the operator against an emulated Kubernetes and a simulated Infoblox",
        description="Start the WAPI simulator, an emulated Kubernetes API server and the "
        "operator in one process, apply manifests, wait until they converge and print the "
        "result.",
    )
    parser.add_argument(
        "-f", "--filename", dest="paths", action="append", type=Path, default=[],
        metavar="PATH", help="manifest file or folder (repeatable; default: the examples)",
    )  # fmt: skip
    parser.add_argument("--output", "-o", choices=("table", "json"), default="table")
    parser.add_argument(
        "--timeout", type=_non_negative, default=60.0, metavar="SECONDS",
        help="how long to wait for the resources to settle (default: 60)",
    )  # fmt: skip
    parser.add_argument(
        "--linger", type=_non_negative, default=0.0, metavar="SECONDS",
        help="keep everything serving this long after convergence, to look around",
    )  # fmt: skip
    parser.add_argument(
        "--kubeconfig", type=Path, default=None, metavar="PATH",
        help="write a kubeconfig for the emulated Kubernetes API here, for kubectl",
    )  # fmt: skip
    parser.add_argument(
        "--sim-seed", type=Path, default=None, metavar="FILE",
        help="YAML/JSON grid the simulated grid starts from instead of the demo seed "
        "(the format of ddisync-simulator --seed and --save)",
    )  # fmt: skip
    parser.add_argument(
        "--sim-latency-ms", type=_non_negative, default=0.0, metavar="N",
        help="latency the simulated grid adds to every WAPI call",
    )  # fmt: skip
    parser.add_argument(
        "--sim-fail-rate", type=_rate, default=0.0, metavar="R",
        help="share of WAPI calls the simulated grid fails with 503 (0..1)",
    )  # fmt: skip
    parser.set_defaults(func=main)
    return parser


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, not {text}")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, not {text}")
    return value


def _log_to_stderr() -> None:
    """stdout carries only the result; logs go to stderr (unless the CLI set logging up), as the
    operator writes them: ``DDISYNC_LOG_FORMAT`` (text by default here, for people; json for a
    log pipeline), each line about a resource naming it."""
    root = logging.getLogger()
    if root.handlers:
        return
    from ddisync.logging import configure_logging

    chosen = os.environ.get("DDISYNC_LOG_FORMAT", "text")
    configure_logging(
        chosen if chosen in ("json", "text") else "text", "WARNING", stream=sys.stderr
    )
    for ours in ("ddisync", "ddisync_emulator"):
        logging.getLogger(ours).setLevel(logging.INFO)


def main(args: argparse.Namespace) -> int:
    """Run the demo for parsed ``args``; the exit code."""
    _log_to_stderr()

    from ddisync.config import SettingsError
    from ddisync_emulator.manifests import ManifestError
    from ddisync_emulator.runner import EXIT_INTERRUPTED, DemoOptions, run_demo
    from ddisync_simulator.seed import SeedError

    options = DemoOptions(
        paths=tuple(args.paths),
        output=args.output,
        timeout=args.timeout,
        linger=args.linger,
        sim_latency_ms=args.sim_latency_ms,
        sim_fail_rate=args.sim_fail_rate,
        sim_seed=args.sim_seed,
        kubeconfig=args.kubeconfig,
    )
    try:
        return asyncio.run(run_demo(options))
    except (ManifestError, SettingsError, SeedError) as exc:
        print(f"ddisync demo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
