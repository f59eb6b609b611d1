"""The ``InfobloxGrid`` kind: a connection to one Infoblox grid (cluster-scoped).

Cluster admins write one InfobloxGrid per Grid Master; ``DDIGrant`` objects
(``ddisync.api.grant``) then say which namespaces may do what on it. The connection made from
the operator's own settings (``DDISYNC_WAPI_*``) is the grid named ``default``: that name is
reserved, and an InfobloxGrid called ``default`` is refused by the CRD, so a grant's
``grid: default`` can never mean two connections.

Decisions:

- **url** is the Grid Master's base URL, ``http(s)://host[:port]``, without ``/wapi`` (the
  client appends ``/wapi/v{wapiVersion}/``), without a path, credentials, query or fragment.
  A trailing ``/`` is accepted and dropped.
- **Credentials** live in a Secret with the keys ``username`` and ``password``, named by
  namespace and name: InfobloxGrids are cluster-scoped, so the reference cannot borrow a
  namespace from the object. The operator reads only the Secrets the chart lets it read
  (``tenancy.secrets`` in values.yaml).
- **rateLimit**, **burst** and **maxInFlight** are per grid and default to the operator's own
  defaults (20/s, 40, 8): every grid is someone's shared Grid Master.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from ddisync.api.conditions import Condition
from ddisync.api.meta import Model, immutable

DEFAULT_GRID = "default"
"""The grid made from the operator's own settings; no InfobloxGrid may take this name."""

# A Kubernetes namespace (RFC 1123 label) and object name (RFC 1123 subdomain).
NAMESPACE_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
OBJECT_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
# What a Secret's data keys may be (Kubernetes: alphanumerics, '-', '_', '.').
SECRET_KEY = r"^[-._a-zA-Z0-9]+$"
WAPI_VERSION = r"^2\.[0-9]+(\.[0-9]+)?$"


def grid_field(kind: str) -> Any:
    """``spec.grid`` of a namespaced kind: which grid its objects live on (immutable)."""
    return Field(
        DEFAULT_GRID,
        max_length=253,
        pattern=OBJECT_NAME,
        description="The InfobloxGrid its objects live on; 'default' is the operator's own "
        "connection. Immutable.",
        json_schema_extra=immutable("grid", kind),
    )


# The CRD's check of url: scheme and authority, an optional trailing slash, nothing else (the
# model's own check, ``_base_url``, says which part is wrong). No backslash: the pattern sits in
# a CEL string literal, where only CEL's own escapes are valid.
GRID_URL = r"^https?://[^/?#@ ]+/?$"


class SecretRef(Model):
    """A Secret in a named namespace (a cluster-scoped object has none of its own)."""

    namespace: str = Field(max_length=63, pattern=NAMESPACE_NAME, description="Its namespace.")
    name: str = Field(max_length=253, pattern=OBJECT_NAME, description="Its name.")


class SecretKeyRef(SecretRef):
    """One key of a Secret in a named namespace."""

    key: str = Field(
        "ca.crt", max_length=253, pattern=SECRET_KEY, description="The key in the Secret's data."
    )


def _base_url(value: str) -> str:
    """The Grid Master's base URL, refused with a hint when it carries /wapi or a path."""
    example = "e.g. https://gm.corp.example"
    if re.search(r"\s", value):
        raise ValueError(f"{value!r} must not contain whitespace ({example})")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} must be an http(s) URL of the Grid Master ({example})")
    if "@" in parts.netloc:
        raise ValueError(
            f"{value!r} must not carry credentials; they belong in credentialsSecretRef"
        )
    if re.search(r"(^|/)wapi(/|$)", parts.path, flags=re.IGNORECASE):
        base = f"{parts.scheme}://{parts.netloc}"
        raise ValueError(
            f"{value!r} must be the Grid Master's base URL without /wapi: write {base} "
            "(the WAPI version goes in wapiVersion)"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ValueError(
            f"{value!r} must be the Grid Master's base URL, without path, query or fragment "
            f"({example})"
        )
    return value.rstrip("/")


class InfobloxGridSpec(Model):
    """How to reach one Infoblox grid: its Grid Master, credentials, TLS and request budget."""

    url: str = Field(
        max_length=2048,
        description="Grid Master base URL without /wapi, e.g. https://gm.corp.example.",
        json_schema_extra={
            "x-kubernetes-validations": [
                {
                    "rule": f"self.matches('{GRID_URL}')",
                    "message": "spec.url must be the Grid Master's base URL, "
                    "http(s)://host[:port], without /wapi, path or credentials",
                }
            ]
        },
    )
    wapi_version: str = Field(
        "2.12",
        pattern=WAPI_VERSION,
        description="WAPI version spoken (NIOS 8.6+ has 2.12).",
    )
    credentials_secret_ref: SecretRef = Field(
        description="Secret with the keys username and password of the WAPI user.",
    )
    ca_bundle_secret_ref: SecretKeyRef | None = Field(
        None,
        description="Secret key holding the PEM CA bundle to trust for the Grid Master's "
        "TLS certificate. Absent: the system's CAs.",
    )
    insecure: bool = Field(False, description="Skip TLS verification. Labs only.")
    rate_limit: float = Field(
        20.0,
        gt=0,
        # The structural schema cannot say "exclusive minimum" the way JSON Schema does.
        json_schema_extra={
            "x-kubernetes-validations": [
                {"rule": "double(self) > 0.0", "message": "spec.rateLimit must be above 0"}
            ]
        },
        description="Requests per second towards this grid (token bucket). The Grid Master is "
        "shared by every tool of the company.",
    )
    burst: int = Field(40, ge=1, description="Token-bucket burst above the steady rate.")
    max_in_flight: int = Field(
        8,
        ge=1,
        description="Concurrent requests cap; NIOS answers 403 past its connection limit.",
    )

    @field_validator("url")
    @classmethod
    def _url_is_a_base_url(cls, value: str) -> str:
        return _base_url(value)


# The API server refuses an InfobloxGrid called "default" (a rule on the object's root, where
# metadata.name is visible to CEL); the operator refuses it too (see ``DEFAULT_GRID``).
GRID_ROOT_RULES = [
    {
        "rule": f"self.metadata.name != '{DEFAULT_GRID}'",
        "message": f"the name {DEFAULT_GRID!r} is reserved for the grid of the operator's own "
        "settings; give this InfobloxGrid another name",
    }
]


class InfobloxGridStatus(Model):
    """What ddisync last found when it checked the connection."""

    conditions: list[Condition] = Field(default_factory=list)
    wapi_version: str | None = Field(
        None, description="The WAPI version the Grid Master answered with."
    )
    last_check_time: str | None = Field(
        None,
        description="When the connection was last checked.",
        json_schema_extra={"format": "date-time"},
    )
    observed_generation: int | None = Field(None, description="Generation last checked.")
