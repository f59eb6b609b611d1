"""The ``ddisync`` command: ``run``, ``crds``, ``export``, ``plan``, ``check``, and the commands
other installed distributions add (``simulator``, ``demo``).

Settings are read here once (:func:`~ddisync.config.load_settings`, from the environment) and
passed down.

Exit codes shared by every command: 2 when it cannot start as told (missing or invalid
settings, no Kubernetes credentials, an unreadable ``--password-file``), with one line on
stderr naming the problem and never a value; 130 after a Ctrl-C (128 + SIGINT, as a shell
reports it), without a traceback. ``ddisync run`` exits 0 when stopped by SIGTERM, and 1 when
it lost the lead to another replica (its work was cancelled; restarted, it stands by).

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
import signal
import sys
from collections.abc import Sequence
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, Final

from ddisync import __version__

COMMAND_GROUP = "ddisync.commands"
EXIT_USAGE: Final = 2
EXIT_LEADERSHIP_LOST: Final = 1
EXIT_INTERRUPTED: Final = 128 + signal.SIGINT


def _fail(message: str) -> int:
    print(f"ddisync: {message}", file=sys.stderr)
    return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from ddisync.config import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    problem = _label_selector_problem(settings.label_selector) or _kubernetes_problem()
    if problem:
        return _fail(problem)

    from ddisync.leadership import LeadershipLost
    from ddisync.logging import configure_logging, secrets_of
    from ddisync.runtime import run_operator

    configure_logging(settings.log_format, settings.log_level, secrets=secrets_of(settings))
    try:
        stopped_by = asyncio.run(run_operator(settings))
    except LeadershipLost as lost:
        # As client-go's controllers do: exit, and Kubernetes restarts the pod as a standby.
        print(f"ddisync: {lost}; exiting to start again as a standby", file=sys.stderr)
        return EXIT_LEADERSHIP_LOST
    return EXIT_INTERRUPTED if stopped_by == signal.SIGINT else 0


def _label_selector_problem(selector: str | None) -> str | None:
    from ddisync.handlers.selectors import label_filter

    try:
        label_filter(selector)
    except ValueError as exc:
        return f"invalid settings: DDISYNC_LABEL_SELECTOR: {exc}"
    return None


def _kubernetes_problem() -> str | None:
    """Why kopf's login would find no Kubernetes credentials, if it would not.

    Asked before the operator starts: kopf finds out only once its watchers start, and then
    stops with tracebacks from several tasks.
    """
    import kopf
    import yaml

    from ddisync.runtime import kubernetes_login

    where = "KUBECONFIG or ~/.kube/config"
    try:
        found = kubernetes_login(settings=kopf.OperatorSettings())
    except kopf.LoginError as exc:
        return f"no usable Kubernetes credentials: {exc}"
    except OSError as exc:
        return f"cannot read the kubeconfig ({where}): {exc.strerror}: {exc.filename}"
    except (yaml.YAMLError, LookupError, TypeError, AttributeError):
        # No details: a parser's message quotes the file, and the file holds tokens.
        return f"cannot read the kubeconfig ({where}): not a valid kubeconfig"
    if found is None:
        return (
            "no Kubernetes credentials: no service account (not running in a pod) and no "
            f"kubeconfig ({where})"
        )
    return None


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

    from ddisync.config_doc import help_text

    run = commands.add_parser(
        "run",
        help="run the operator (settings from DDISYNC_* variables)",
        description="Run the operator: watch Network, Record, Zone, FixedAddress and\n"
        "DHCPRange resources and keep Infoblox in step. Settings come from the environment;\n"
        "Kubernetes credentials from the pod's service account, else the kubeconfig\n"
        "(KUBECONFIG or ~/.kube/config).",
        epilog=help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
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
    try:
        args = build_parser().parse_args(argv)
        code: int = args.func(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return code


if __name__ == "__main__":
    sys.exit(main())
