"""``--grid NAME``: the connection to an InfobloxGrid, read from the manifests given with ``-f``.

No kubeconfig and no cluster: the tools read the InfobloxGrid named NAME and the Secrets it
names from files, and build the client settings the way the operator does from the objects
(``ddisync.grids.connection``): URL, WAPI version, TLS (``insecure``, the CA bundle of
``caBundleSecretRef``), rate limit, burst and in-flight cap from the grid's spec; username and
password from its ``credentialsSecretRef``; timeouts and retries from the tools' own settings.
A Secret kept out of Git is piped in::

    kubectl get secret -n infoblox lab-credentials -o yaml | ddisync check --grid lab -f grids/ -f -

A Secret's ``data`` is base64, as Kubernetes stores it; ``stringData`` (plain text, each value
a string) wins over ``data`` for the same key, as the API server merges them. The CA bundle is
written to a private temporary file for the length of the command, and removed after.

Errors (``GridFileError``) are one line naming the InfobloxGrid, the Secret and the key at
fault, never a value: the grid or a Secret not in the files, a key missing, a value that is not
base64, an invalid spec. ``default`` is the operator's own connection (the connection options),
never an InfobloxGrid.
"""

from __future__ import annotations

import base64
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ddisync.api.grid import DEFAULT_GRID, InfobloxGridSpec, SecretRef
from ddisync.api.meta import InvalidSpecError, parse_spec
from ddisync.grids.connection import GridSecretError, source_of, wapi_settings
from ddisync.tools.manifests import Manifests
from ddisync.wapi.settings import WapiSettings

__all__ = ["GridConnection", "GridFileError", "Origin", "grid_connection"]


class GridFileError(ValueError):
    """The grid's connection cannot be made from the files; one line, never a value."""


@dataclass(frozen=True)
class Origin:
    """Where each part of a connection is set, to name it in a fix (never a value)."""

    url: str = "--url (DDISYNC_WAPI_URL)"
    credentials: str = (
        "--username and --password-file (DDISYNC_WAPI_USERNAME, DDISYNC_WAPI_PASSWORD)"
    )
    version: str = "--wapi-version {}"  # formatted with a version
    ca_bundle: str = "--ca-bundle FILE (DDISYNC_WAPI_CA_BUNDLE)"
    insecure: str = "--insecure"
    trusted: str | None = None  # the CA bundle in words; None: the file's path

    @classmethod
    def of_grid(cls, name: str, spec: InfobloxGridSpec) -> Origin:
        grid = f"InfobloxGrid {name}"
        ca = spec.ca_bundle_secret_ref
        cred = spec.credentials_secret_ref
        return cls(
            url=f"spec.url of {grid}",
            credentials=f"the username and password in Secret {cred.namespace}/{cred.name}",
            version=f'wapiVersion: "{{}}" in {grid}',
            ca_bundle=f"spec.caBundleSecretRef of {grid}",
            insecure=f"spec.insecure of {grid}",
            trusted=f"Secret {ca.namespace}/{ca.name} key {ca.key}" if ca else None,
        )


@dataclass(frozen=True)
class GridConnection:
    name: str
    settings: WapiSettings
    origin: Origin


def _grid_spec(found: Manifests, name: str) -> InfobloxGridSpec:
    if name not in found.grids:
        held = ", ".join(sorted(found.grids))
        also = f" (they hold InfobloxGrid {held})" if held else " (they hold no InfobloxGrid)"
        raise GridFileError(f"InfobloxGrid {name} is not in the files given with -f{also}")
    raw = found.grids[name]
    url = raw.get("url") if isinstance(raw, Mapping) else None
    if isinstance(url, str) and "@" in urlsplit(url).netloc:
        # The model's own message quotes the URL, and with it the credentials.
        raise GridFileError(
            f"InfobloxGrid {name}: spec.url must not carry credentials; they belong in "
            "credentialsSecretRef"
        )
    try:
        return parse_spec(InfobloxGridSpec, raw)
    except InvalidSpecError as exc:
        raise GridFileError(f"InfobloxGrid {name}: {exc}") from None


def _secret(found: Manifests, ref: SecretRef, field: str, grid: str) -> dict[str, Any]:
    """The Secret's body with ``stringData`` merged into ``data`` (base64), as stored."""
    where = f"Secret {ref.namespace}/{ref.name}"
    body = found.secrets.get((ref.namespace, ref.name))
    if body is None:
        raise GridFileError(
            f"{where} ({field} of InfobloxGrid {grid}) is not in the files given with -f"
        )
    data = body.get("data") or {}
    plain = body.get("stringData") or {}
    if not isinstance(data, Mapping) or not isinstance(plain, Mapping):
        raise GridFileError(f"{where}: data and stringData must be mappings of key to value")
    merged = dict(data)
    for key, value in plain.items():
        if not isinstance(value, str):
            # YAML reads 0123 as a number (83): the password would silently be another one.
            raise GridFileError(f"{where}: stringData.{key} is not a string (quote it)")
        merged[key] = base64.b64encode(value.encode()).decode()
    return {"data": merged}


@contextmanager
def grid_connection(found: Manifests, name: str, base: WapiSettings) -> Iterator[GridConnection]:
    """The connection to InfobloxGrid ``name`` (see the module's docstring), for a ``with``:
    the CA bundle's temporary file lives as long as it."""
    if name == DEFAULT_GRID:
        raise GridFileError(
            "grid default is the operator's own connection: give the connection options "
            "instead of --grid default"
        )
    spec = _grid_spec(found, name)
    credentials = _secret(found, spec.credentials_secret_ref, "credentialsSecretRef", name)
    ca_ref = spec.ca_bundle_secret_ref
    ca = _secret(found, ca_ref, "caBundleSecretRef", name) if ca_ref else None
    try:
        source = source_of(spec, credentials, ca)
    except GridSecretError as exc:
        raise GridFileError(f"{exc.message} (InfobloxGrid {name})") from None
    origin = Origin.of_grid(name, spec)
    if source.ca_pem is None:
        yield GridConnection(name, wapi_settings(source, base, None), origin)
        return
    with tempfile.TemporaryDirectory(prefix="ddisync-grid-") as folder:  # mode 0700
        ca_file = Path(folder) / "ca.crt"
        ca_file.write_text(source.ca_pem, encoding="utf-8")
        yield GridConnection(name, wapi_settings(source, base, str(ca_file)), origin)
