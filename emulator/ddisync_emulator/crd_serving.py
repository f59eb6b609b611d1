"""What storing or removing a CustomResourceDefinition changes in what the server serves.

The apiextensions server admits a CRD only if it is well-formed, writes its status (``kubectl
wait --for=condition=Established`` reads it), starts serving the resources of its served
versions and, when the CRD goes, stops serving them and deletes their objects. ``schema``
reads the parts of a CRD body; this module turns them into kmock's discovery entries and into
the set of resources to start or stop serving, which the emulator applies.
"""

from __future__ import annotations

import kmock

from ddisync_emulator import schema as crds
from ddisync_emulator.objects import Body

CRD_RESOURCE = crds.CRD_RESOURCE


def admit_crd(crd: Body) -> None:
    """Refuse a malformed CRD before it is stored (``ApiError``); set the status it gets."""
    crds.served_versions(crd)
    crd["status"] = crds.crd_status(crd)


def resource_info(version: crds.ServedVersion) -> kmock.ResourceInfo:
    """The discovery entry of one served version (kind, scope, names, verbs, subresources)."""
    return kmock.ResourceInfo(
        kind=version.kind,
        singular=version.singular,
        namespaced=version.namespaced,
        verbs=crds.CUSTOM_VERBS,
        shortnames=version.short_names,
        categories=version.categories,
        subresources=version.subresources,
    )


def served_changes(
    crd: Body | None, old: Body | None
) -> tuple[list[crds.ServedVersion], list[kmock.resource]]:
    """What a CRD change makes the server serve: the versions now served (to (re)declare), and
    the resources no longer served (``crd`` None: the CRD was deleted; ``old`` None: created).
    """
    before = {v.resource for v in crds.served_versions(old)} if old else set()
    after = crds.served_versions(crd) if crd else []
    withdrawn = before - {v.resource for v in after}
    return after, [kmock.resource(gone) for gone in withdrawn]
