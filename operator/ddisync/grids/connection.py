"""What one InfobloxGrid's connection is made of, from its spec and its Secrets. Pure.

The Secret named by ``credentialsSecretRef`` holds the keys ``username`` and ``password``; the
optional ``caBundleSecretRef`` names one key holding PEM certificates. A missing Secret or key
is a ``GridSecretError`` that names the Secret and the key, never a value.

Two ``GridSource`` values that are equal make the same connection; a rotated password makes a
different one, and the registry replaces the client (``registry.py``).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ddisync.api.conditions import Reason
from ddisync.api.grid import InfobloxGridSpec, SecretKeyRef, SecretRef
from ddisync.wapi.settings import WapiSettings


class GridSecretError(Exception):
    """A Secret an InfobloxGrid needs is missing, unreadable or lacks a key."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # SecretMissing | SecretKeyMissing
        self.message = message


@dataclass(frozen=True)
class GridSource:
    """Everything a connection depends on; equal sources, same connection."""

    url: str
    version: str
    username: str
    password: str = field(repr=False)
    ca_pem: str | None = field(default=None, repr=False)
    insecure: bool = False
    rate_limit: float = 20.0
    burst: int = 40
    max_in_flight: int = 8

    @property
    def digest(self) -> str:
        """Tells two sources apart without keeping or showing a secret."""
        text = repr(dataclasses.astuple(self)).encode()
        return hashlib.sha256(text).hexdigest()[:16]


def _value(secret: Mapping[str, Any] | None, ref: SecretRef, key: str) -> str:
    where = f"Secret {ref.namespace}/{ref.name}"
    if secret is None:
        raise GridSecretError(Reason.SECRET_MISSING, f"{where} does not exist")
    data = secret.get("data") or {}
    if key not in data:
        raise GridSecretError(Reason.SECRET_KEY_MISSING, f"{where} has no key {key!r}")
    try:
        return base64.b64decode(str(data[key]), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise GridSecretError(
            Reason.SECRET_KEY_MISSING, f"{where}: key {key!r} is not base64-encoded UTF-8 text"
        ) from None


def source_of(
    spec: InfobloxGridSpec,
    credentials: Mapping[str, Any] | None,
    ca: Mapping[str, Any] | None = None,
) -> GridSource:
    """The connection ``spec`` asks for, with its Secrets' bodies (None: not found)."""
    cred = spec.credentials_secret_ref
    username = _value(credentials, cred, "username")
    password = _value(credentials, cred, "password")
    ca_ref: SecretKeyRef | None = spec.ca_bundle_secret_ref
    ca_pem = _value(ca, ca_ref, ca_ref.key) if ca_ref is not None else None
    return GridSource(
        url=spec.url,
        version=spec.wapi_version,
        username=username,
        password=password,
        ca_pem=ca_pem,
        insecure=spec.insecure,
        rate_limit=spec.rate_limit,
        burst=spec.burst,
        max_in_flight=spec.max_in_flight,
    )


def wapi_settings(source: GridSource, base: WapiSettings, ca_file: str | None) -> WapiSettings:
    """The client settings: the grid's own from ``source``, the rest (timeouts, retries,
    paging) the operator's. ``ca_file``: where ``source.ca_pem`` was written."""
    return dataclasses.replace(
        base,
        url=source.url,
        version=source.version,
        username=source.username,
        password=source.password,
        ca_bundle=ca_file,
        insecure=source.insecure,
        rate_limit=source.rate_limit,
        burst=source.burst,
        max_in_flight=source.max_in_flight,
    )
