"""The simulator's command line: run the WAPI simulator in the foreground until interrupted.

    ddisync-simulator [--host H] [--port P] [--tls] [--cert F --key F] [--username U]
                      [--password P] [--seed FILE] [--save FILE] [--latency-ms N]
                      [--fail-rate R]

It prints its base URL (without ``/wapi``) once it is listening, then serves until SIGINT or
SIGTERM; with ``--save`` the grid is written out on the way down.

Three ways in, one set of options: the console script ``ddisync-simulator`` and
``python -m ddisync_simulator`` (``main``), and ``ddisync simulator`` where the operator is
installed beside it: the operator's CLI finds ``register`` through the entry-point group
``ddisync.commands`` declared in this distribution's pyproject.toml.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from .app import Simulator, SimulatorOptions
from .seed import SeedError

__all__ = ["add_arguments", "main", "options_from_args", "register", "run"]

DESCRIPTION = "Serve an in-memory, NIOS-faithful Infoblox WAPI (2.0 to 2.13)."


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``simulator`` subcommand to an argparse subparsers object (``ddisync simulator``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "simulator", help="run the NIOS WAPI simulator", description=DESCRIPTION
    )
    add_arguments(parser)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The simulator's options, and ``run`` as the parser's ``func``."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8443, help="port (0: any free port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS")
    parser.add_argument("--cert", type=Path, help="PEM certificate (default: self-signed)")
    parser.add_argument("--key", type=Path, help="PEM private key for --cert")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="infoblox")
    parser.add_argument(
        "--seed", type=Path, help="YAML/JSON grid to start from (default: the demo seed)"
    )
    parser.add_argument(
        "--empty", action="store_true", help="start from an empty grid instead of the demo seed"
    )
    parser.add_argument("--save", type=Path, help="write the grid here on exit")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added latency per call")
    parser.add_argument("--latency-jitter-ms", type=float, default=0.0)
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of calls answered 503")
    parser.add_argument("--reset-rate", type=float, default=0.0, help="share of connections reset")
    parser.add_argument("--max-concurrency", type=int, help="calls in flight before 403")
    parser.add_argument(
        "--lockout-failures", type=int, help="failed logins that lock everyone out for a minute"
    )
    parser.add_argument(
        "--session-timeout",
        type=int,
        default=600,
        help="idle seconds before an ibapauth cookie expires",
    )
    parser.set_defaults(func=run)


def options_from_args(args: argparse.Namespace) -> SimulatorOptions:
    if (args.cert is None) != (args.key is None):
        raise SystemExit("ddisync-simulator: --cert and --key go together")
    seed: Path | dict[str, Any] | None = {} if args.empty else args.seed
    return SimulatorOptions(
        host=args.host,
        port=args.port,
        tls=args.tls or args.cert is not None,
        username=args.username,
        password=args.password,
        seed=seed,
        latency_ms=args.latency_ms,
        latency_jitter_ms=args.latency_jitter_ms,
        fail_rate=args.fail_rate,
        reset_rate=args.reset_rate,
        max_concurrency=args.max_concurrency,
        lockout_failures=args.lockout_failures,
        session_timeout=args.session_timeout,
        cert=args.cert,
        key=args.key,
        save=args.save,
    )


async def _serve(options: SimulatorOptions) -> None:
    sim = Simulator(options)
    await sim.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    print(sim.url, flush=True)
    try:
        await stop.wait()
    finally:
        await sim.stop()


def run(args: argparse.Namespace) -> int:
    """Run the simulator for parsed ``args``; the exit code."""
    try:
        options = options_from_args(args)
        asyncio.run(_serve(options))
    except SeedError as exc:
        print(f"ddisync-simulator: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"ddisync-simulator: cannot listen: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """The console script ``ddisync-simulator`` (and ``python -m ddisync_simulator``)."""
    parser = argparse.ArgumentParser(prog="ddisync-simulator", description=DESCRIPTION)
    add_arguments(parser)
    return run(parser.parse_args(argv))
