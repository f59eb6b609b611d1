"""The actions a plan can contain: plain frozen values, applied by ``ddisync.sync``.

Like external-dns' ``plan.Changes``, a plan is computed with no I/O and then handed to the code
that talks to the grid; ``ddisync plan`` prints the same values without applying them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ddisync.api.conditions import Reason


@dataclass(frozen=True)
class FieldChange:
    """One field that differs between Infoblox and the spec (for diffs and Events)."""

    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class Create:
    objtype: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Update:
    """Change fields of an existing object; ``adopting`` when it also gains our markers."""

    ref: str
    data: dict[str, Any]
    changes: tuple[FieldChange, ...]
    adopting: bool = False


@dataclass(frozen=True)
class NoChange:
    ref: str


@dataclass(frozen=True)
class Delete:
    ref: str


@dataclass(frozen=True)
class Release:
    """Keep the object in Infoblox but drop our markers (``deletionPolicy: Retain``)."""

    ref: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refuse:
    """The plan cannot proceed without the user: the condition says why and what to do."""

    reason: Reason
    message: str


Action = Create | Update | NoChange | Delete | Release | Refuse
