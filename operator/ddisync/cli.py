"""The ``ddisync`` command: ``run``, ``crds``, ``simulator``, ``demo``, ``export``, ``plan``,
``check``.

Settings are read here once (``Settings()`` from the environment) and passed down.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from ddisync import __version__


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

    from ddisync.config_doc import help_text

    run = commands.add_parser(
        "run",
        help="run the operator (settings from DDISYNC_* variables)",
        description="Run the operator: watch Network and Record resources and keep Infoblox in\n"
        "step. Settings come from the environment; Kubernetes credentials from the pod's\n"
        "service account, else the kubeconfig (KUBECONFIG or ~/.kube/config).",
        epilog=help_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.set_defaults(func=_run)

    crds = commands.add_parser("crds", help="write the CustomResourceDefinitions as YAML")
    crds.add_argument("--output-dir", default="crds", help="folder to write into (default: crds)")
    crds.set_defaults(func=_crds)

    from ddisync.simulator.command import register as register_simulator
    from ddisync.tools.command import register as register_tools

    register_simulator(commands)
    register_tools(commands)  # export, plan, check
    try:
        from ddisync.demo.command import register as register_demo
    except ImportError:  # the optional ddisync[demo] extra is not installed
        demo = commands.add_parser("demo", help="(needs: pip install 'ddisync[demo]')")
        demo.set_defaults(func=lambda _: _missing_demo())
    else:
        register_demo(commands)
    return parser


def _missing_demo() -> int:
    print("ddisync demo needs the demo extra: pip install 'ddisync[demo]'", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
