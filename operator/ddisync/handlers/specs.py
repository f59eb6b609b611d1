"""Reading what a raw spec says before (or without) validating it: for deletions and diffs.

The API server may have validated nothing (no CRD rules, an older CRD): these never crash on a
spec that is not an object, and err on the safe side.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ddisync.api.meta import DeletionPolicy


def attribute_names(spec: Any) -> set[str]:
    """The extensible attribute names a raw spec sets; none when the spec or its attributes
    are not a mapping (the reconcile then refuses the spec as InvalidSpec)."""
    if not isinstance(spec, Mapping):
        return set()
    attributes = spec.get("extensibleAttributes")
    return {str(name) for name in attributes} if isinstance(attributes, Mapping) else set()


def deletion_policy(spec: Any) -> DeletionPolicy:
    """Anything but an explicit (or defaulted) ``Delete`` keeps the object: the safe side."""
    raw = spec.get("deletionPolicy", "Delete") if isinstance(spec, Mapping) else "Delete"
    return DeletionPolicy.DELETE if raw == "Delete" else DeletionPolicy.RETAIN
