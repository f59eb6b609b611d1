"""A kubeconfig for the demo's emulated API server, and the kubectl session to try with it.

``ddisync demo --kubeconfig PATH --linger SECONDS`` writes it once the API is up, so
``KUBECONFIG=PATH kubectl ...`` works during convergence and while the demo lingers. The server
is plain HTTP on 127.0.0.1; the token is a placeholder (the emulator checks none), present so
tools that insist on credentials have some. The file is private (0600) all the same.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

CONTEXT = "ddisync-demo"


def build(url: str, token: str, namespace: str = "default") -> dict[str, Any]:
    """A kubeconfig with one cluster, user and context, the context current."""
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": {"server": url}}],
        "users": [{"name": CONTEXT, "user": {"token": token}}],
        "contexts": [
            {
                "name": CONTEXT,
                "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace},
            }
        ],
        "current-context": CONTEXT,
        "preferences": {},
    }


def write(path: Path, url: str, token: str, namespace: str = "default") -> Path:
    """Write the kubeconfig to ``path`` (replacing it; parents created); the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(build(url, token, namespace), sort_keys=False)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
    return path


def session_hints(path: Path, example: str = "web-frontend", namespace: str = "team-a") -> str:
    """The kubectl commands a person can try against the lingering demo, whose kubeconfig's
    namespace is ``namespace`` (where the Network ``example`` is)."""
    commands = [
        (f"export KUBECONFIG={path}", ""),
        ("kubectl get networks,records -A", "every team's; or: kubectl get ddi -A -o wide"),
        ("kubectl get ddigrants,infobloxgrids", "what each namespace may do, on which grid"),
        ("kubectl wait --for=condition=Ready networks,records --all -A", ""),
        ("kubectl get networks -w", f"in a second terminal; namespace {namespace}, the config's"),
        (
            f"kubectl patch network {example} --type merge "
            '-p \'{"spec":{"comment":"edited"}}\'',
            "",
        ),
        (f"kubectl delete network {example}", "Infoblox follows"),
        ("kubectl apply -f examples/", "and it is back"),
        ("kubectl explain network.spec", ""),
    ]
    width = max(len(command) for command, note in commands if note)
    lines = [
        "Try kubectl against it (no kubectl? "
        '`eval "$(python scripts/fetch-k8s-tools.py)"` gives $KUBECTL, v1.35):'
    ]
    for command, note in commands:
        lines.append(f"  {command.ljust(width)}  # {note}" if note else f"  {command}")
    return "\n".join(lines)
