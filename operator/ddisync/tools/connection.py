"""The connection options every tool shares, on top of the operator's settings.

    --url URL  --username USER  --password-file FILE  --wapi-version V
    --ca-bundle FILE  --insecure  --cluster-id ID

Precedence: a command-line option, else the operator's environment variable
(``DDISYNC_WAPI_URL``, ``DDISYNC_WAPI_USERNAME``, ``DDISYNC_WAPI_PASSWORD``,
``DDISYNC_WAPI_VERSION``, ``DDISYNC_WAPI_CA_BUNDLE``, ``DDISYNC_WAPI_INSECURE``,
``DDISYNC_CLUSTER_ID``), else the operator's default -- so a tool run with the operator's
environment talks to the same grid as the operator. The URL and the credentials have no
default. The password is never an option (it would show in ``ps`` and in shell history): a
file, or the environment.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Final

from ddisync.config import Settings, env_name, load_settings

__all__ = ["OptionError", "add_connection_arguments", "settings_of"]

# The option that overrides each setting, to name both in an error.
_OPTIONS: Final = {
    "wapi_url": "--url",
    "wapi_username": "--username",
    "wapi_password": "--password-file",
    "wapi_version": "--wapi-version",
    "wapi_ca_bundle": "--ca-bundle",
    "wapi_insecure": "--insecure",
    "cluster_id": "--cluster-id",
}


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
        "--cluster-id", metavar="ID",
        help="the operator's cluster id in the ownership markers (DDISYNC_CLUSTER_ID)",
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
        "cluster_id": args.cluster_id,
    }
    if args.password_file is not None:
        given["wapi_password"] = _read_password(args.password_file)
    return load_settings(
        {field: value for field, value in given.items() if value is not None}, name_of=_name_of
    )
