"""Wrap each reconcile in what observability needs: a correlation id, metrics, readiness."""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import kopf

from ddisync.correlation import reconcile_context
from ddisync.handlers.shared import shared


class ReadinessTally:
    """Each resource's last Ready status and the count per status, kept in step on every
    change: the resources gauge costs O(1) per reconcile, not a count over every resource
    (quadratic over a cold start of thousands)."""

    def __init__(self) -> None:
        self._by_uid: dict[str, str] = {}
        self.counts: collections.Counter[str] = collections.Counter()

    def set(self, uid: str, ready: str | None) -> None:
        """Record ``uid``'s status (``None``: the resource is gone)."""
        before = self._by_uid.pop(uid, None)
        if before is not None:
            self.counts[before] -= 1
        if ready is not None:
            self._by_uid[uid] = ready
            self.counts[ready] += 1


def _tally(memo: kopf.Memo, kind: str) -> ReadinessTally:
    return shared(memo, f"readiness_{kind}", ReadinessTally)  # one per kind, for all resources


@contextlib.contextmanager
def observed(memo: kopf.Memo, kind: str, body: Mapping[str, Any]) -> Iterator[None]:
    """Correlation id + resource for every log line, reconcile metrics, the resources gauge."""
    meta = body["metadata"]
    ready = "False"
    with (
        reconcile_context(kind, meta["namespace"], meta["name"]),
        memo.metrics.reconciling(kind, on_synced=memo.health.sync_succeeded),
    ):
        try:
            yield
            ready = "True"
        finally:
            tally = _tally(memo, kind)
            tally.set(meta["uid"], ready)
            memo.metrics.set_resources(kind, tally.counts)


def forget_resource(memo: kopf.Memo, kind: str, body: Mapping[str, Any]) -> None:
    """The resource is gone: it no longer counts in the resources gauge."""
    tally = _tally(memo, kind)
    tally.set(body["metadata"]["uid"], None)
    memo.metrics.set_resources(kind, tally.counts)
