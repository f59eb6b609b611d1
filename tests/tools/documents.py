"""Manifests for the tools' tests: resources, grants, namespaces, grids and their Secrets."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml

from tests.tools.conftest import PASSWORD

API = "ddisync.io/v1alpha1"
SECRET_NAMESPACE = "infoblox"


def resource(kind: str, name: str, namespace: str = "team", /, **spec: Any) -> dict[str, Any]:
    """A Network or Record; ``spec`` may have a ``name`` of its own (a Record's FQDN)."""
    return {"apiVersion": API, "kind": kind,
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}  # fmt: skip


def grant(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": API, "kind": "DDIGrant", "metadata": {"name": name}, "spec": spec}


def namespace(name: str, **labels: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels}}  # fmt: skip


def infoblox_grid(name: str, url: str, secret: str | None = None, **spec: Any) -> dict[str, Any]:
    ref = {"namespace": SECRET_NAMESPACE, "name": secret or f"{name}-credentials"}
    return {"apiVersion": API, "kind": "InfobloxGrid", "metadata": {"name": name},
            "spec": {"url": url, "credentialsSecretRef": ref, **spec}}  # fmt: skip


def secret(name: str, *, encoded: bool = False, **values: Any) -> dict[str, Any]:
    """A Secret in ``SECRET_NAMESPACE``: ``stringData``, or base64 ``data`` when ``encoded``."""
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret",
                            "metadata": {"name": name, "namespace": SECRET_NAMESPACE}}  # fmt: skip
    if encoded:
        body["data"] = {k: base64.b64encode(str(v).encode()).decode() for k, v in values.items()}
    else:
        body["stringData"] = values
    return body


def credentials(grid: str, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
    return secret(f"{grid}-credentials", username="admin", password=password, **extra)


def write(path: Path, *documents: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump_all(documents))
    return path
