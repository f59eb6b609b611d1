"""The ``ddisync`` command: ``run``, ``crds``, ``export``, ``plan``, ``check``, and the commands
other installed distributions add (``simulator``, ``demo``).

Settings are read here once (``Settings()`` from the environment) and passed down.

The WAPI simulator and the Kubernetes emulator are distributions of their own, which this one
neither depends on nor imports. Each declares its command in the entry-point group
``ddisync.commands`` (``COMMAND_GROUP``): the entry point's name is the command, its object a
``register(subparsers)`` that adds it. So ``ddisync simulator`` and ``ddisync demo`` exist in a
development environment, where ``ddisync-simulator`` and ``ddisync-emulator`` are installed,
and not in the operator's image, which installs neither.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from ddisync import __version__

COMMAND_GROUP = "ddisync.commands"


def _run(args: argparse.Namespace) -> int:
    from ddisync.config import Settings
    from ddisync.logging import configure_logging, secrets_of
    from ddisync.runtime import run_operator

    settings = Settings()
    configure_logging(settings.log_format, settings.log_level, secrets=secrets_of(settings))
    asyncio.run(run_operator(settings))
    return 0


def _crds(args: argparse.Namespace) -> int:
    from ddisync.api.crd import write_crds

    for path in write_crds(Path(args.output_dir)):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ddisync", description="Keep Infoblox NIOS in step with Kubernetes resources."
    )
    parser.add_argument("--version", action="version", version=f"ddisync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the operator (settings from DDISYNC_* variables)")
    run.set_defaults(func=_run)

    crds = commands.add_parser("crds", help="write the CustomResourceDefinitions as YAML")
    crds.add_argument("--output-dir", default="crds", help="folder to write into (default: crds)")
    crds.set_defaults(func=_crds)

    from ddisync.tools.command import register as register_tools

    register_tools(commands)  # export, plan, check
    add_installed_commands(commands)
    return parser


def add_installed_commands(commands: Any) -> None:
    """Add the commands of the ``ddisync.commands`` entry points, in name order.

    A name already taken (a built-in, or an earlier entry point) is skipped. An entry point that
    fails to load becomes a command that reports the failure when run, so a broken install of
    one tool does not take every other command down with it.
    """
    for entry in sorted(entry_points(group=COMMAND_GROUP), key=lambda e: e.name):
        if entry.name in commands.choices:
            continue
        try:
            register = entry.load()
        except Exception as exc:
            _add_broken_command(commands, entry, exc)
        else:
            register(commands)


def _add_broken_command(commands: Any, entry: EntryPoint, exc: Exception) -> None:
    message = f"ddisync {entry.name}: cannot load {entry.value}: {exc!r}"
    broken = commands.add_parser(entry.name, help=f"(cannot be loaded: {exc!r})")
    broken.set_defaults(func=lambda _: _report(message))


def _report(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
