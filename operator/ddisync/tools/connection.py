"""The connection options every tool shares, on top of the operator's settings.

    --url URL  --username USER  --password-file FILE  --wapi-version V
    --ca-bundle FILE  --insecure  --timeout SECONDS  --cluster-id ID
    --grid NAME (with -f FILES)

Precedence: a command-line option, else the operator's environment variable
(``DDISYNC_WAPI_URL``, ``DDISYNC_WAPI_USERNAME``, ``DDISYNC_WAPI_PASSWORD``,
``DDISYNC_WAPI_VERSION``, ``DDISYNC_WAPI_CA_BUNDLE``, ``DDISYNC_WAPI_INSECURE``,
``DDISYNC_WAPI_TIMEOUT``, ``DDISYNC_CLUSTER_ID``), else the operator's default -- so a tool
run with the operator's environment talks to the same grid as the operator: the grid named
``default``. The URL and the credentials have no default. The password is never an option (it
would show in ``ps`` and in shell history): a file, or the environment.

``--grid NAME`` talks to another grid instead: an InfobloxGrid read from the ``-f`` files with
its Secret (``grid_files``). Its URL, credentials, WAPI version and TLS come from there, so
the options that set those are refused beside it; ``--timeout`` and ``--cluster-id`` still
apply, and so do the operator's other variables (retries, ...).

``--timeout`` bounds each call to the grid, its retries included: a tool waits for an answer
that long and no longer (the operator, which runs unattended, retries for longer).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from ddisync.api.grid import DEFAULT_GRID
from ddisync.config import Settings, env_name, load_settings
from ddisync.tenancy import Enforcement
from ddisync.tools.grid_files import GridFileError, Origin, grid_connection
from ddisync.tools.manifests import Manifests
from ddisync.wapi.settings import WapiSettings

__all__ = [
    "Connection",
    "GridFileError",
    "OptionError",
    "add_connection_arguments",
    "connection_of",
    "settings_of",
]

# The option that overrides each setting, to name both in an error.
_OPTIONS: Final = {
    "wapi_url": "--url",
    "wapi_username": "--username",
    "wapi_password": "--password-file",
    "wapi_version": "--wapi-version",
    "wapi_ca_bundle": "--ca-bundle",
    "wapi_insecure": "--insecure",
    "wapi_timeout": "--timeout",
    "cluster_id": "--cluster-id",
}
# What --grid takes from the InfobloxGrid and its Secret instead (argparse dest -> option).
_GRID_OWNS: Final = {
    "url": "--url",
    "username": "--username",
    "password_file": "--password-file",
    "wapi_version": "--wapi-version",
    "ca_bundle": "--ca-bundle",
    "insecure": "--insecure",
}
# Stand-ins for the settings --grid replaces (``grids.connection.wapi_settings``): never used.
_REPLACED: Final = {
    "wapi_url": "http://grid.invalid",
    "wapi_username": "(from the Secret)",
    "wapi_password": "(from the Secret)",
    "wapi_ca_bundle": None,
    "wapi_insecure": False,
}


class OptionError(ValueError):
    """The connection options cannot be used (unreadable password file, ...)."""


def add_connection_arguments(parser: argparse.ArgumentParser, *, files: bool = True) -> None:
    """The connection options; ``files``: also add ``-f`` (a command that has none of its
    own), read only for ``--grid``."""
    group = parser.add_argument_group(
        "connection", "default: the operator's DDISYNC_WAPI_* environment variables "
        "(the grid named default)",
    )  # fmt: skip
    group.add_argument("--url", help="Grid Master base URL, without /wapi (DDISYNC_WAPI_URL)")
    group.add_argument("--username", help="WAPI user (DDISYNC_WAPI_USERNAME)")
    group.add_argument(
        "--password-file", type=Path, metavar="FILE",
        help="file holding the WAPI password (else DDISYNC_WAPI_PASSWORD)",
    )  # fmt: skip
    group.add_argument(
        "--wapi-version", metavar="V",
        help=f"WAPI version (DDISYNC_WAPI_VERSION, default {_default('wapi_version')})",
    )  # fmt: skip
    group.add_argument("--ca-bundle", metavar="FILE", help="PEM file of CAs to trust for TLS")
    group.add_argument(
        "--insecure", action="store_true", default=None,
        help="skip TLS verification (labs only: the password travels to whoever answers)",
    )  # fmt: skip
    group.add_argument(
        "--timeout", type=float, metavar="SECONDS",
        help="give up on a call the grid has not answered in this time, retries included "
        f"(DDISYNC_WAPI_TIMEOUT, default {_default('wapi_timeout'):g})",
    )  # fmt: skip
    group.add_argument(
        "--cluster-id", metavar="ID",
        help="the operator's cluster id in the ownership markers (DDISYNC_CLUSTER_ID)",
    )  # fmt: skip
    group.add_argument(
        "--grid", metavar="NAME",
        help="talk to the InfobloxGrid NAME, read with its credentials Secret from the -f "
        "files, instead of the options above (default: the grid named default)",
    )  # fmt: skip
    if files:
        group.add_argument(
            "-f", "--filename", dest="paths", action="append", type=Path, default=[],
            metavar="PATH", help="with --grid: a file or folder holding the InfobloxGrid and "
            "its Secret, '-' for stdin (repeatable)",
        )  # fmt: skip


def _default(field: str) -> Any:
    return Settings.model_fields[field].default


def _read_password(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OptionError(f"--password-file {path}: {exc.strerror or 'cannot be read'}") from None
    except UnicodeDecodeError:
        raise OptionError(f"--password-file {path}: not UTF-8 text") from None
    # Secrets mounted from Kubernetes or written by `echo` end with a newline; it is never
    # part of the password.
    return text.rstrip("\r\n")


def _name_of(field: str) -> str:
    """``--url or DDISYNC_WAPI_URL``: where a tool's setting can be given."""
    option = _OPTIONS.get(field)
    return f"{option} or {env_name(field)}" if option else env_name(field)


def settings_of(args: argparse.Namespace) -> Settings:
    """The operator's settings from the environment, with the options in ``args`` on top.

    Raises :class:`OptionError` (an unreadable password file) or
    :class:`~ddisync.config.SettingsError` (missing or invalid settings).
    """
    given: dict[str, object] = {
        "wapi_url": args.url,
        "wapi_username": args.username,
        "wapi_version": args.wapi_version,
        "wapi_ca_bundle": args.ca_bundle,
        "wapi_insecure": args.insecure,
        "wapi_timeout": args.timeout,
        "cluster_id": args.cluster_id,
    }
    if args.password_file is not None:
        given["wapi_password"] = _read_password(args.password_file)
    return load_settings(
        {field: value for field, value in given.items() if value is not None}, name_of=_name_of
    )


def bounded(settings: WapiSettings) -> WapiSettings:
    """``settings`` for a tool: no call waits for the grid longer than its timeout in total,
    retries included (a 503 burst is still retried within it)."""
    deadline = min(settings.retry_deadline, settings.total_timeout)
    return dataclasses.replace(settings, retry_deadline=deadline)


@dataclass(frozen=True)
class Connection:
    """The grid a tool talks to, and what the operator's settings say besides."""

    grid: str  # "default", or the InfobloxGrid's name
    wapi: WapiSettings
    cluster_id: str
    tenancy: Enforcement  # DDISYNC_TENANCY
    origin: Origin  # where each setting is given, for messages


def _grid_settings(args: argparse.Namespace) -> Settings:
    """The operator's settings for what --grid does not replace (timeouts, retries, ...)."""
    for dest, option in _GRID_OWNS.items():
        if getattr(args, dest) is not None:
            raise OptionError(
                f"{option} cannot be combined with --grid {args.grid}: the InfobloxGrid and "
                "its Secret give the connection"
            )
    given = {"wapi_timeout": args.timeout, "cluster_id": args.cluster_id}
    overrides = _REPLACED | {"wapi_version": _default("wapi_version")}
    overrides |= {field: value for field, value in given.items() if value is not None}
    return load_settings(overrides, name_of=_name_of)


@contextmanager
def connection_of(args: argparse.Namespace, found: Manifests | None) -> Iterator[Connection]:
    """The connection ``args`` ask for: the options (the grid ``default``), or with
    ``--grid NAME`` the InfobloxGrid of that name in ``found`` (the ``-f`` files; None: no
    ``-f`` was given).

    Raises :class:`OptionError`, :class:`~ddisync.config.SettingsError` or
    :class:`GridFileError`: one line each, never a value.
    """
    grid = args.grid or DEFAULT_GRID
    if grid == DEFAULT_GRID:
        settings = settings_of(args)
        wapi = bounded(settings.wapi_settings())
        yield Connection(DEFAULT_GRID, wapi, settings.cluster_id, settings.tenancy, Origin())
        return
    if found is None:
        raise OptionError(f"--grid {grid} needs -f with the InfobloxGrid {grid} and its Secret")
    settings = _grid_settings(args)
    with grid_connection(found, grid, settings.wapi_settings()) as connection:
        wapi = bounded(connection.settings)
        yield Connection(grid, wapi, settings.cluster_id, settings.tenancy, connection.origin)
