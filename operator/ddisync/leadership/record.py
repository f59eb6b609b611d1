"""The leader-election record a ``coordination.k8s.io/v1`` Lease holds, as client-go writes it.

Pure: parse a Lease's ``spec``, and make the spec of an acquire, a renew or a release. The
field names and meanings are client-go's (``LeaderElectionRecord``), so ``kubectl get lease``
reads the same as for any controller, and a person who knows client-go knows these rules.

==========================  ==================================================================
field                       meaning
==========================  ==================================================================
``holderIdentity``          the replica leading; "" after a release (free at once)
``leaseDurationSeconds``    how long the others wait, from when they saw the last change,
                            before they may take over (1 after a release)
``acquireTime``             when the holder took it (kept across its renewals)
``renewTime``               the holder's last renewal (informative: the others measure time
                            on their own clocks, never against this one: clocks may be skewed)
``leaseTransitions``        how many times the lease changed hands
==========================  ==================================================================
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def micro_time(when: datetime.datetime) -> str:
    """A Kubernetes ``MicroTime``: RFC 3339 in UTC with microseconds."""
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class LeaseRecord:
    """What a Lease says about its holder."""

    holder: str
    duration: int
    acquire_time: str | None = None
    renew_time: str | None = None
    transitions: int = 0

    @classmethod
    def of(cls, lease: Mapping[str, Any]) -> LeaseRecord:
        """The record of a Lease body (a spec with missing or odd fields counts as free)."""
        spec = lease.get("spec") or {}
        duration = spec.get("leaseDurationSeconds")
        transitions = spec.get("leaseTransitions")
        return cls(
            holder=str(spec.get("holderIdentity") or ""),
            duration=duration if isinstance(duration, int) and duration > 0 else 1,
            acquire_time=spec.get("acquireTime"),
            renew_time=spec.get("renewTime"),
            transitions=transitions if isinstance(transitions, int) else 0,
        )

    def spec(self) -> dict[str, Any]:
        """The Lease ``spec`` that says this."""
        spec: dict[str, Any] = {
            "holderIdentity": self.holder,
            "leaseDurationSeconds": self.duration,
            "leaseTransitions": self.transitions,
        }
        if self.acquire_time:
            spec["acquireTime"] = self.acquire_time
        if self.renew_time:
            spec["renewTime"] = self.renew_time
        return spec


def claimed(
    identity: str, duration: int, now: datetime.datetime, old: LeaseRecord | None
) -> LeaseRecord:
    """The record ``identity`` writes to take the lease over from ``old`` (None: no Lease yet),
    or to renew it when it already holds it: a renewal keeps the acquire time and the count of
    transitions, a takeover counts one more."""
    stamp = micro_time(now)
    if old is None:
        return LeaseRecord(identity, duration, stamp, stamp, 0)
    if old.holder == identity:
        return LeaseRecord(identity, duration, old.acquire_time or stamp, stamp, old.transitions)
    return LeaseRecord(identity, duration, stamp, stamp, old.transitions + 1)


def released(old: LeaseRecord, now: datetime.datetime) -> LeaseRecord:
    """What the holder writes when it gives the lease up (client-go's ``ReleaseOnCancel``): no
    holder and a 1 s duration, so that a standby takes over at its next look."""
    stamp = micro_time(now)
    return LeaseRecord("", 1, stamp, stamp, old.transitions)
