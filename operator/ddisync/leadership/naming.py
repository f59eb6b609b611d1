"""Which Lease a replica competes for, and under which name.

One Lease per *instance*: the replicas of one Deployment compete, and two shards (other
namespaces or another label selector) never block each other. So the default Lease name is
derived from what the instance reconciles: ``ddisync-`` and a digest of the cluster id, the
watched namespaces and the label selector. The chart names it explicitly (its fullname, and
the shard's name).

The identity must be unique among live processes: the chart gives the pod's name, which a
restarted container keeps, so a container restarted in its pod takes its own Lease back at
once instead of waiting for it to expire (a pod's containers never run twice at once).
Outside a pod the default adds the process id and a random part.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import socket
from collections.abc import Sequence
from pathlib import Path

SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


def lease_name(cluster_id: str, namespaces: Sequence[str], label_selector: str | None) -> str:
    """The default Lease name of an instance reconciling this scope."""
    scope = "\n".join([cluster_id, ",".join(sorted(namespaces)), label_selector or ""])
    return "ddisync-" + hashlib.sha256(scope.encode()).hexdigest()[:10]


def lease_namespace(default_namespace: str | None) -> str:
    """The pod's own namespace (from its service account), else the kubeconfig's, else
    ``default``."""
    try:
        found = SERVICE_ACCOUNT_NAMESPACE.read_text().strip()
    except OSError:
        found = ""
    return found or default_namespace or "default"


def process_identity() -> str:
    """A name unique to this process: host, process id and a random part."""
    return f"{socket.gethostname()}_{os.getpid()}_{secrets.token_hex(3)}"
