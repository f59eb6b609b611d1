"""Ownership markers: the extensible attributes that say "ddisync of cluster X owns this".

Every object the operator creates carries three extensible attributes (EAs):

=================  =================================  ==========================================
EA                 value                              why
=================  =================================  ==========================================
ddisync-cluster    the cluster id (settings)          several clusters may share one grid
ddisync-owner      ``<namespace>/<Kind>/<name>``      a human can tell who owns an object
ddisync-uid        the resource's metadata.uid        exact match; finds an object created just
                                                      before a crash, so a retry never duplicates
=================  =================================  ==========================================

Decision table (``classify``):

=========================================  ================  ==================================
markers on the object                      result            what the operator may do
=========================================  ================  ==================================
uid = this resource's uid                  OURS              update, delete
none                                       UNMANAGED         nothing, unless ``adopt: true``
another uid (other resource or cluster)    FOREIGN           nothing, unless ``adopt: true``
=========================================  ================  ==================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

CLUSTER_EA = "ddisync-cluster"
OWNER_EA = "ddisync-owner"
UID_EA = "ddisync-uid"
MARKER_EAS = (CLUSTER_EA, OWNER_EA, UID_EA)


class Ownership(Enum):
    OURS = "ours"
    UNMANAGED = "unmanaged"
    FOREIGN = "foreign"


@dataclass(frozen=True)
class Owner:
    """The Kubernetes resource on whose behalf an Infoblox object exists."""

    cluster: str
    kind: str
    namespace: str
    name: str
    uid: str

    @classmethod
    def of(cls, kind: str, metadata: Mapping[str, Any], cluster: str) -> Owner:
        """The owner a resource of ``kind`` with this ``metadata`` is, in ``cluster``."""
        return cls(cluster, kind, metadata["namespace"], metadata["name"], metadata["uid"])

    @property
    def display(self) -> str:
        return f"{self.namespace}/{self.kind}/{self.name}"

    def markers(self) -> dict[str, str]:
        """The marker EAs (name → value) to write on objects this owner creates or adopts."""
        return {CLUSTER_EA: self.cluster, OWNER_EA: self.display, UID_EA: self.uid}

    def search(self) -> dict[str, str]:
        """WAPI search arguments that find the objects this owner created (EA search)."""
        return {f"*{UID_EA}": self.uid}


def ea_values(extattrs: Mapping[str, Any] | None) -> dict[str, str]:
    """WAPI's ``{"Name": {"value": v}}`` form → ``{"Name": "v"}`` (lists joined by commas)."""
    values: dict[str, str] = {}
    for name, wrapped in (extattrs or {}).items():
        value = wrapped.get("value") if isinstance(wrapped, Mapping) else wrapped
        values[name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return values


def ea_wire(values: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """``{"Name": "v"}`` → WAPI's ``{"Name": {"value": "v"}}``."""
    return {name: {"value": value} for name, value in values.items()}


def classify(extattrs: Mapping[str, str], owner: Owner) -> Ownership:
    uid = extattrs.get(UID_EA)
    if uid is None:
        return Ownership.UNMANAGED
    return Ownership.OURS if uid == owner.uid else Ownership.FOREIGN


def describe_foreign(extattrs: Mapping[str, str]) -> str:
    """Who owns an object we do not: for messages that tell the user where to look."""
    owner = extattrs.get(OWNER_EA, "unknown resource")
    cluster = extattrs.get(CLUSTER_EA, "unknown cluster")
    return f"{owner} in cluster {cluster}"
