"""Discovery answers (``/api/v1``, ``/apis/<group>/<version>``) as kubectl reads them.

kmock lists each subresource (``networks/status``) as a copy of its resource, short names and
categories included. kubectl expands a category (``kubectl get ddi``) or a short name to every
entry that carries it, so it then asked for a resource type "networks/status" and failed. A
real server lists subresources with only their name, kind, scope and verbs; so does this.

kubectl 1.35 asks ``/api`` and ``/apis`` for aggregated discovery first and, given the legacy
answer (plain ``application/json``), reads each group-version's ``APIResourceList`` instead;
that legacy path is the one served here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Verbs of the subresources a real server serves (the rest, e.g. pods/exec, are connect-style).
_SUBRESOURCE_VERBS = {
    "status": ["get", "patch", "update"],
    "scale": ["get", "patch", "update"],
    "eviction": ["create"],
    "binding": ["create"],
    "ephemeralcontainers": ["get", "patch", "update"],
    "resize": ["get", "patch", "update"],
}


def resource_list(answer: Mapping[str, Any]) -> dict[str, Any]:
    """kmock's ``APIResourceList`` with subresources listed as a real server lists them."""
    resources = []
    for entry in answer.get("resources") or []:
        name = str(entry.get("name", ""))
        if "/" in name:
            sub = name.split("/", 1)[1]
            entry = {
                "name": name,
                "singularName": "",
                "namespaced": entry.get("namespaced"),
                "kind": entry.get("kind"),
                "verbs": _SUBRESOURCE_VERBS.get(sub, ["get"]),
            }
        else:
            entry = {**entry, "verbs": sorted(entry.get("verbs") or [])}
        resources.append(entry)
    # kmock names the core group's version "/v1" (an empty group joined with "/"); a real
    # server says "v1", and kubectl finds no Namespace in version "v1" otherwise.
    group_version = str(answer.get("groupVersion", "")).removeprefix("/")
    return {
        **answer,
        "groupVersion": group_version,
        "resources": sorted(resources, key=lambda e: str(e["name"])),
    }
