"""Namespaces as the API server keeps them: the ones every cluster starts with, and what the
server sets on each.

On create the server gives a Namespace the ``kubernetes`` finalizer in ``spec.finalizers`` (the
namespace controller removes it once the namespace is emptied) and ``status.phase: Active``;
an update of the Namespace keeps both (only ``/finalize`` and ``/status`` change them). Every
Namespace carries the label ``kubernetes.io/metadata.name`` with its name, which the server
sets and re-sets, so a namespace selector can always pick a namespace by name.
"""

from __future__ import annotations

import kmock

from ddisync_emulator.objects import Body

NAMESPACES = kmock.resource("", "v1", "namespaces")
NAME_LABEL = "kubernetes.io/metadata.name"
#: The namespaces kube-apiserver creates at start (its bootstrap controller).
BOOTSTRAP = ("default", "kube-node-lease", "kube-public", "kube-system")


def admit_namespace(body: Body, old: Body | None) -> None:
    """Set what the server sets on a Namespace it stores (in place)."""
    meta = body.setdefault("metadata", {})
    meta["labels"] = {**(meta.get("labels") or {}), NAME_LABEL: meta.get("name")}
    spec: Body = body["spec"] if isinstance(body.get("spec"), dict) else {}
    if old is None:
        body["spec"] = {**spec, "finalizers": ["kubernetes"]}
        body["status"] = {"phase": "Active"}
        return
    old_finalizers = (old.get("spec") or {}).get("finalizers")
    body["spec"] = {**spec, "finalizers": old_finalizers} if old_finalizers else spec
    if not body["spec"]:
        del body["spec"]


def manifest(name: str) -> Body:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
