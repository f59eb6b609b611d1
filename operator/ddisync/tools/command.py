"""The command lines of ``export``, ``plan`` and ``check`` (wired into ``ddisync.cli``).

Results go to stdout (a plan's table or JSON, the check lines, the export summary); warnings,
notes, skipped objects and the progress line go to stderr. Exit codes:

=======  ===============================================================================
export   0 written; 2 the grid cannot be used: no answer within --timeout, unreachable,
         TLS or credentials refused; 1 other errors (a WAPI error answer, the folder
         cannot be written, a bad --type)
plan     0 nothing would change except adoptions; 2 changes pending; 1 errors (refusals,
         invalid manifests, the grid could not be read)
check    0 every check OK (or WARN); 1 any check failed
=======  ===============================================================================

Every command exits 2, before any WAPI call, when its connection cannot be set up: a missing
or invalid setting (option or ``DDISYNC_*`` variable), an unreadable ``--password-file``, or
with ``--grid NAME`` the InfobloxGrid or its Secret missing from the ``-f`` files (or
unusable); stderr then has one line naming the problem (never a value). For ``plan``, whose 2
also means "changes pending", that line and an empty stdout tell the two apart.

The WAPI client's own log lines (retries, the circuit breaker) are not shown: a tool reports
in its own lines, and a failure is one line naming what to do.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from ddisync.config import SettingsError
from ddisync.tools.connection import (
    Connection,
    GridFileError,
    OptionError,
    add_connection_arguments,
    connection_of,
)
from ddisync.tools.manifests import ManifestError, Manifests, load_manifests
from ddisync.wapi.errors import AuthenticationError, UnavailableError, WapiError

__all__ = ["register"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
# The connection cannot be set up: one line, exit 2.
_SETUP_ERRORS = (OptionError, SettingsError, GridFileError)


def _fail(command: str, message: str, code: int = EXIT_ERROR) -> int:
    print(f"ddisync {command}: {message}", file=sys.stderr)
    return code


def _note(command: str, message: str) -> None:
    print(f"ddisync {command}: {message}", file=sys.stderr)


def _quiet_client_logs() -> None:
    """Keep the client's warnings (retries, circuit) off stderr (no logging is configured
    here, so Python would print them through its last-resort handler)."""
    logger = logging.getLogger("ddisync")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _grid_problem(connection: Connection, error: WapiError) -> str:
    """A WAPI failure as one line saying what to do."""
    url, text = connection.wapi.url, (str(error).splitlines() or [type(error).__name__])[0]
    if isinstance(error, UnavailableError) and error.reason == "timeout":
        return (
            f"no answer from {url} within {connection.wapi.total_timeout:g}s ({text}); check "
            f"{connection.origin.url}, or wait longer with --timeout (DDISYNC_WAPI_TIMEOUT)"
        )
    if isinstance(error, UnavailableError):
        return f"cannot use {url}: {text}; check {connection.origin.url}"
    if isinstance(error, AuthenticationError):
        return f"{url} refused the credentials ({text}); check {connection.origin.credentials}"
    return text


def _grid_files(args: argparse.Namespace) -> Manifests | None:
    """The ``-f`` files of ``export`` and ``check``: read only for ``--grid`` (Secrets that
    name no namespace are in ``default``, as ``kubectl apply`` would put them)."""
    if not args.paths:
        return None
    if not args.grid or args.grid == "default":
        raise OptionError("-f is read only with --grid NAME (an InfobloxGrid and its Secret)")
    try:
        return load_manifests(args.paths)
    except ManifestError as exc:
        raise OptionError(str(exc)) from None


def register(subparsers: Any) -> None:
    """Add ``export``, ``plan`` and ``check`` to an argparse subparsers object."""
    _register_export(subparsers)
    _register_plan(subparsers)
    _register_check(subparsers)


def _register_export(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "export",
        help="write existing Infoblox networks, zones, records, fixed addresses and DHCP "
        "ranges as manifests (adopt: true)",
        description="Read networks, zones, records, fixed addresses and DHCP ranges from the "
        "grid (paged, any size) and write one Network/Zone/Record/FixedAddress/DHCPRange "
        "manifest per object, with adopt: true and deletionPolicy: Retain, plus a "
        "kustomization.yaml.",
    )
    parser.add_argument("--output-dir", type=Path, required=True, metavar="DIR")
    parser.add_argument(
        "--network-view", metavar="V",
        help="only networks, fixed addresses and ranges of this network view",
    )  # fmt: skip
    parser.add_argument("--view", metavar="V", help="only zones and records of this DNS view")
    parser.add_argument("--zone", metavar="Z", help="only this zone and its records")
    parser.add_argument(
        "--type", dest="types", action="append", default=[], metavar="T",
        help="Network, Zone, A, AAAA, CNAME, PTR, TXT, MX, SRV, Host, CAA, NS, FixedAddress or "
        "DHCPRange (repeatable; default all)",
    )  # fmt: skip
    parser.add_argument("--namespace", metavar="NS", help="metadata.namespace of the manifests")
    parser.add_argument(
        "--deletion-policy", choices=("Retain", "Delete"), default="Retain",
        help="spec.deletionPolicy of the manifests (default: Retain, so deleting one never "
        "deletes the object it was exported from)",
    )  # fmt: skip
    add_connection_arguments(parser)
    parser.set_defaults(func=run_export)


def _register_plan(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "plan",
        help="show what the operator would do for manifests, without writing anything",
        description="Compare manifests with the grid now: create, update (with a diff), "
        "delete, adopt, noop, refuse (Forbidden by the DDIGrants among the files, ...), skip "
        "(on another grid). Exit 0: nothing but adoptions; 2: changes pending; 1: errors.",
    )
    parser.add_argument(
        "-f", "--filename", dest="paths", action="append", type=Path, required=True,
        metavar="PATH", help="manifest file or folder, '-' for stdin (repeatable): Networks, "
        "Zones, Records, FixedAddresses, DHCPRanges, and the DDIGrants, Namespaces, "
        "InfobloxGrids and Secrets they need",
    )  # fmt: skip
    parser.add_argument("--output", "-o", choices=("table", "json"), default="table")
    parser.add_argument(
        "--namespace", "-n", default="default",
        help="namespace of manifests that name none (default: default)",
    )  # fmt: skip
    parser.add_argument(
        "--prune", action="store_true",
        help="also list, under delete, objects this cluster owns that no manifest claims",
    )  # fmt: skip
    parser.add_argument(
        "--tenancy", choices=("on", "off"),
        help="judge the DDIGrants among the files (Forbidden); default: on when the files "
        "hold a DDIGrant, else off with a note (DDISYNC_TENANCY=off: off)",
    )  # fmt: skip
    add_connection_arguments(parser, files=False)
    parser.set_defaults(func=run_plan)


def _register_check(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "check",
        help="diagnose the connection to the grid and what the operator needs there",
        description="Connectivity, TLS, credentials, WAPI version, extensible-attribute "
        "definitions and permissions: one line per check, with what to do when it fails. "
        "--grid NAME -f FILES checks the InfobloxGrid NAME with its credentials Secret.",
    )
    add_connection_arguments(parser)
    parser.set_defaults(func=run_check)


def run_export(args: argparse.Namespace) -> int:
    from ddisync.api.meta import DeletionPolicy
    from ddisync.tools.export import ExportError, ExportOptions, export, parse_types
    from ddisync.tools.progress import Progress
    from ddisync.wapi.client import WapiClient

    _quiet_client_logs()
    try:
        types = parse_types(args.types)
    except ExportError as exc:
        return _fail("export", str(exc))
    try:
        with connection_of(args, _grid_files(args)) as connection:
            options = ExportOptions(
                output_dir=args.output_dir,
                network_view=args.network_view,
                view=args.view,
                zone=args.zone,
                types=types,
                namespace=args.namespace,
                grid=connection.grid,
                deletion_policy=DeletionPolicy(args.deletion_policy),
            )

            async def main() -> Any:
                async with WapiClient(connection.wapi) as client:
                    return await export(client, options, Progress())

            try:
                result = asyncio.run(main())
            except (UnavailableError, AuthenticationError) as exc:
                return _fail("export", _grid_problem(connection, exc), EXIT_USAGE)
            except WapiError as exc:
                return _fail("export", _grid_problem(connection, exc))
            except (ExportError, OSError) as exc:
                return _fail("export", str(exc))
    except _SETUP_ERRORS as exc:
        return _fail("export", str(exc), EXIT_USAGE)
    for skipped in result.skipped:
        print(f"skipped {skipped.source}: {skipped.reason}", file=sys.stderr)
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(result.counts.items())) or "nothing"
    print(f"exported {counts} to {options.output_dir}")
    if result.removed:
        print(f"removed {len(result.removed)} manifests of objects no longer in the grid")
    if result.skipped:
        print(f"skipped {len(result.skipped)} objects ddisync cannot represent (see stderr)")
    return EXIT_OK


def run_plan(args: argparse.Namespace) -> int:
    from ddisync.tools.grants import NAME_LABEL, grants_of
    from ddisync.tools.planning import plan_resources
    from ddisync.tools.progress import Progress
    from ddisync.tools.table import render_table
    from ddisync.wapi.client import WapiClient

    _quiet_client_logs()
    try:
        found = load_manifests(args.paths, args.namespace)
    except ManifestError as exc:
        return _fail("plan", str(exc))
    if found.ignored:
        _note("plan", f"ignored {found.ignored} documents of kinds plan does not read")
    try:
        with connection_of(args, found) as connection:
            grants = grants_of(
                found.grants, found.namespaces, option=args.tenancy,
                environment=connection.tenancy,
            )  # fmt: skip

            async def main() -> Any:
                async with WapiClient(connection.wapi) as client:
                    return await plan_resources(
                        client, found.resources, cluster_id=connection.cluster_id,
                        prune=args.prune, progress=Progress(), grants=grants,
                        grid=connection.grid,
                    )  # fmt: skip

            for warning in grants.warnings:
                _note("plan", warning)
            try:
                plan = asyncio.run(main())
            except WapiError as exc:
                return _fail("plan", _grid_problem(connection, exc))
    except _SETUP_ERRORS as exc:
        return _fail("plan", str(exc), EXIT_USAGE)
    forbidden = {
        str(entry.resource).split("/")[0]
        for entry in plan.of("refuse")
        if entry.reason == "Forbidden"
    }
    for namespace in sorted(n for n in forbidden if grants.unseen_namespace(n)):
        _note(
            "plan",
            f"namespace {namespace} has no Namespace document among the files: its labels "
            f"were taken to be {NAME_LABEL}={namespace} alone (a namespaceSelector may select "
            "it in the cluster)",
        )
    print(plan.to_json() if args.output == "json" else render_table(plan))
    code: int = plan.exit_code
    return code


def run_check(args: argparse.Namespace) -> int:
    from ddisync.tools.check import FAIL, render_checks, run_checks

    _quiet_client_logs()
    try:
        with connection_of(args, _grid_files(args)) as connection:
            checks = asyncio.run(run_checks(connection.wapi, connection.origin))
    except _SETUP_ERRORS as exc:
        return _fail("check", str(exc), EXIT_USAGE)
    print(render_checks(checks))
    return EXIT_ERROR if any(check.status == FAIL for check in checks) else EXIT_OK
