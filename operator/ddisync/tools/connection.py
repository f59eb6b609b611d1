"""The connection options every tool shares, turned into the client's ``WapiSettings``.

    --url URL  --username USER  --password-file FILE  --wapi-version V
    --ca-bundle FILE  --insecure  --cluster-id ID

Precedence: a command-line option, else the operator's environment variable
(``DDISYNC_WAPI_URL``, ``DDISYNC_WAPI_USERNAME``, ``DDISYNC_WAPI_PASSWORD``,
``DDISYNC_WAPI_VERSION``, ``DDISYNC_WAPI_CA_BUNDLE``, ``DDISYNC_WAPI_INSECURE``,
``DDISYNC_CLUSTER_ID``), else the operator's default -- so a tool run with the operator's
environment talks to the same grid as the operator. The password is never an option (it would
show in ``ps`` and in shell history): a file, or the environment.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from ddisync.config import Settings
from ddisync.wapi.settings import WapiSettings

__all__ = ["OptionError", "add_connection_arguments", "cluster_id", "wapi_settings"]


class OptionError(ValueError):
    """The connection options cannot be used (unreadable password file, ...)."""


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "connection", "default: the operator's DDISYNC_WAPI_* environment variables"
    )
    group.add_argument("--url", help="Grid Master base URL, without /wapi (DDISYNC_WAPI_URL)")
    group.add_argument("--username", help="WAPI user (DDISYNC_WAPI_USERNAME)")
    group.add_argument(
        "--password-file", type=Path, metavar="FILE",
        help="file holding the WAPI password (else DDISYNC_WAPI_PASSWORD)",
    )  # fmt: skip
    group.add_argument("--wapi-version", metavar="V", help="WAPI version (default 2.12)")
    group.add_argument("--ca-bundle", metavar="FILE", help="PEM file of CAs to trust for TLS")
    group.add_argument(
        "--insecure", action="store_true", default=None,
        help="skip TLS verification (labs only: the password travels to whoever answers)",
    )  # fmt: skip
    group.add_argument(
        "--cluster-id", metavar="ID",
        help="the operator's cluster id in the ownership markers (DDISYNC_CLUSTER_ID)",
    )  # fmt: skip


def _read_password(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OptionError(f"--password-file {path}: {exc.__class__.__name__}") from None
    # Secrets mounted from Kubernetes or written by `echo` end with a newline; it is never
    # part of the password.
    return text.rstrip("\r\n")


def wapi_settings(args: argparse.Namespace, settings: Settings | None = None) -> WapiSettings:
    """The client settings for ``args`` on top of ``settings`` (default: the environment)."""
    base = (settings or Settings()).wapi_settings()
    changes: dict[str, object] = {}
    if args.url:
        changes["url"] = args.url
    if args.username:
        changes["username"] = args.username
    if args.password_file is not None:
        changes["password"] = _read_password(args.password_file)
    if args.wapi_version:
        changes["version"] = args.wapi_version
    if args.ca_bundle:
        changes["ca_bundle"] = args.ca_bundle
    if args.insecure:
        changes["insecure"] = True
    return replace(base, **changes)  # type: ignore[arg-type]


def cluster_id(args: argparse.Namespace, settings: Settings | None = None) -> str:
    return str(args.cluster_id or (settings or Settings()).cluster_id)
