"""The default grid's credentials and CA bundle as files (a mounted Secret), read again while
the operator runs, so a rotation needs no restart and no secret sits in the environment.

The kubelet updates a mounted Secret in place (an atomic swap of the files) within about a
minute of the change; ``CredentialFiles.changed`` notices the new content at its next read
(every ``DDISYNC_GRID_CHECK_INTERVAL``) and gives the settings of the new connection, which the
registry puts in place of the old (``Grids.replace_default``): calls in flight finish on the old
client. A file that cannot be read keeps the connection as it is and is logged (by name, never
its content).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging

from ddisync.config import Settings, env_name, read_secret_file
from ddisync.wapi.settings import WapiSettings

logger = logging.getLogger(__name__)


class CredentialFiles:
    """Follows the files ``settings`` names (``DDISYNC_WAPI_*_FILE``, the CA bundle)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._digest = self._read_digest()

    @property
    def watched(self) -> bool:
        """Whether there is any file to follow."""
        s = self._settings
        return bool(s.wapi_username_file or s.wapi_password_file or s.wapi_ca_bundle)

    def changed(self) -> WapiSettings | None:
        """The client settings from the files' current content, if it changed since last time."""
        try:
            current = self._current()
        except ValueError as error:
            logger.warning("Default grid: %s; the current connection stays in use", error)
            return None
        digest = _digest(current)
        if digest == self._digest:
            return None
        self._digest = digest
        return current

    def _read_digest(self) -> str:
        try:
            return _digest(self._current())
        except ValueError:
            return ""

    def _current(self) -> WapiSettings:
        s = self._settings
        wapi = s.wapi_settings()
        if s.wapi_username_file:
            username = read_secret_file(s.wapi_username_file, env_name("wapi_username_file"))
            wapi = dataclasses.replace(wapi, username=username)
        if s.wapi_password_file:
            password = read_secret_file(s.wapi_password_file, env_name("wapi_password_file"))
            wapi = dataclasses.replace(wapi, password=password)
        return wapi


def _digest(wapi: WapiSettings) -> str:
    """Tells two contents apart without keeping a secret (the CA file's content included:
    the client reads it when it connects)."""
    parts = [wapi.username, wapi.password]
    if wapi.ca_bundle:
        try:
            with open(wapi.ca_bundle, "rb") as file:
                parts.append(hashlib.sha256(file.read()).hexdigest())
        except OSError as error:
            raise ValueError(
                f"{env_name('wapi_ca_bundle')}: cannot read it: {error.strerror}"
            ) from None
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
